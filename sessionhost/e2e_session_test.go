package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
)

// link takes an instance through QR and scan to open.
func (g *gw) link(key, name, phone string) {
	g.t.Helper()
	r := g.do("GET", "/instance/"+name+"/qr", nil, as(key)...)
	require.Equal(g.t, http.StatusOK, r.Status, string(r.Body))
	r = g.do("POST", "/sandbox/"+name+"/scan", map[string]any{"phoneNumber": phone}, as(key)...)
	require.Equal(g.t, http.StatusOK, r.Status, string(r.Body))
	g.waitState(key, name, "open")
}

func (g *gw) waitState(key, name, state string) {
	g.t.Helper()
	require.Eventually(g.t, func() bool {
		return g.do("GET", "/instance/"+name+"/status", nil, as(key)...).JSON(g.t)["state"] == state
	}, 10*time.Second, 10*time.Millisecond, "state %s", state)
}

// waitMessage polls a message until it leaves pending.
func (g *gw) waitMessage(key, id string) map[string]any {
	g.t.Helper()
	var m map[string]any
	require.Eventually(g.t, func() bool {
		m = g.do("GET", "/message/"+id, nil, as(key)...).JSON(g.t)
		return m["status"] != "pending"
	}, 15*time.Second, 10*time.Millisecond, "message %s settles", id)
	return m
}

func (g *gw) sent(key, name string) []any {
	g.t.Helper()
	r := g.do("GET", "/sandbox/"+name+"/sent", nil, as(key)...)
	require.Equal(g.t, http.StatusOK, r.Status)
	var v []any
	require.NoError(g.t, jsonUnmarshal(r.Body, &v))
	return v
}

func TestQuickstartWithSandbox(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, "demo__soporte__main")
	r := g.do("GET", "/instance/demo__soporte__main/qr", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status)
	png, ok := strings.CutPrefix(r.JSON(t)["qrcode"].(string), "data:image/png;base64,")
	require.True(t, ok)
	raw, err := base64.StdEncoding.DecodeString(png)
	require.NoError(t, err)
	require.Equal(t, "\x89PNG", string(raw[:4]))

	r = g.do("POST", "/sandbox/demo__soporte__main/scan", map[string]any{"phoneNumber": "5491100000001"}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	g.waitState(key, "demo__soporte__main", "open")
	st := g.do("GET", "/instance/demo__soporte__main/status", nil, as(key)...).JSON(t)
	require.Equal(t, "5491100000001", st["phoneNumber"])
	require.Regexp(t, timestamp, st["connectedAt"])
	require.Equal(t, http.StatusConflict, g.do("GET", "/instance/demo__soporte__main/qr", nil, as(key)...).Status)
	dev := g.do("GET", "/instance/demo__soporte__main/device", nil, as(key)...)
	require.Equal(t, http.StatusOK, dev.Status)

	r = g.do("POST", "/message/text", map[string]any{"instanceName": "demo__soporte__main", "to": "5491112345678",
		"text": "{Hello|Hi}, your order has shipped"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status)
	id := r.JSON(t)["id"].(string)
	m := g.waitMessage(key, id)
	require.Equal(t, "sent", m["status"])
	require.Regexp(t, timestamp, m["sentAt"])
	sent := g.sent(key, "demo__soporte__main")
	require.Len(t, sent, 1)
	rec := sent[0].(map[string]any)
	require.Equal(t, id, rec["messageId"])
	require.Contains(t, []any{"Hello, your order has shipped", "Hi, your order has shipped"}, rec["text"])
	require.Regexp(t, `^3EB0[0-9A-F]{18}$`, rec["waMessageId"])
	stats := g.do("GET", "/stats", nil, as(key)...).JSON(t)
	require.EqualValues(t, 1, stats["totals"].(map[string]any)["sent"])
}

func TestEveryTypeGoesOut(t *testing.T) {
	files := map[string][]byte{
		"/a.png": append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...),
		"/a.pdf": []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n"),
		"/a.ogg": append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead\x01\x01"), make([]byte, 32)...),
		"/a.mp4": append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), make([]byte, 64)...),
	}
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	defer media.Close()
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, "demo__c__main")
	g.link(key, "demo__c__main", "5491100000001")
	sends := []struct {
		path string
		body map[string]any
		want string // error, or "" for sent
	}{
		{"/message/text", map[string]any{"text": "hi"}, ""},
		{"/message/image", map[string]any{"imageUrl": media.URL + "/a.png", "caption": "{look|see}"}, ""},
		{"/message/document", map[string]any{"documentUrl": media.URL + "/a.pdf", "fileName": "invoice.pdf"}, ""},
		{"/message/audio", map[string]any{"audioUrl": media.URL + "/a.ogg"}, ""},
		{"/message/video", map[string]any{"videoUrl": media.URL + "/a.mp4", "caption": "clip"}, ""},
		{"/message/image", map[string]any{"imageUrl": media.URL + "/missing.png"}, "media URL answered 404"},
		{"/message/image", map[string]any{"imageUrl": media.URL + "/a.pdf"}, "media is not an image"},
		{"/message/text", map[string]any{"text": "x", "to": "99900000001"}, "number not on WhatsApp"},
	}
	for i, s := range sends {
		s.body["instanceName"], s.body["lane"] = "demo__c__main", "urgent"
		if _, ok := s.body["to"]; !ok {
			s.body["to"] = "5491112345678"
		}
		r := g.do("POST", s.path, s.body, as(key)...)
		require.Equal(t, http.StatusAccepted, r.Status, "%d: %s", i, r.Body)
		m := g.waitMessage(key, r.JSON(t)["id"].(string))
		if s.want == "" {
			require.Equal(t, "sent", m["status"], "%d: %v", i, m)
		} else {
			require.Equal(t, "failed", m["status"], "%d", i)
			require.Contains(t, m["error"], s.want)
		}
	}
	sent := g.sent(key, "demo__c__main")
	require.Len(t, sent, 5)
	types := []string{}
	for _, s := range sent {
		types = append(types, s.(map[string]any)["type"].(string))
	}
	require.Equal(t, []string{"text", "image", "document", "audio", "video"}, types)
	doc := sent[2].(map[string]any)
	require.Equal(t, "invoice.pdf", doc["fileName"])
	require.Equal(t, media.URL+"/a.pdf", doc["mediaUrl"])
	require.Contains(t, []any{"look", "see"}, sent[1].(map[string]any)["caption"])
}

func TestSpintaxVariety(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, "demo__c__main")
	g.link(key, "demo__c__main", "5491100000001")
	var last string
	for i := range 30 {
		r := g.do("POST", "/message/text", map[string]any{"instanceName": "demo__c__main", "to": "5491112345678",
			"text": "{Good {morning|afternoon}|Hello} #" + fmt.Sprint(i), "lane": "urgent"}, as(key)...)
		last = r.JSON(t)["id"].(string)
	}
	g.waitMessage(key, last)
	seen := map[string]bool{}
	for _, s := range g.sent(key, "demo__c__main") {
		text := s.(map[string]any)["text"].(string)
		seen[strings.SplitN(text, " #", 2)[0]] = true
	}
	require.Len(t, seen, 3, "all three variants appear in 30 draws: %v", seen)
}

func TestLogoutRelinkAndReconnect(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	name := "demo__c__main"
	g.newInstance(key, name)
	g.link(key, name, "5491100000001")

	r := g.do("POST", "/sandbox/"+name+"/disconnect", map[string]any{"reason": "connection_lost"}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	g.waitState(key, name, "open") // reconnects by itself

	r = g.do("POST", "/instance/"+name+"/restart", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	g.waitState(key, name, "open")

	r = g.do("POST", "/instance/"+name+"/logout", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	g.waitState(key, name, "close")
	st := g.do("GET", "/instance/"+name+"/status", nil, as(key)...).JSON(t)
	require.Nil(t, st["phoneNumber"])
	require.Equal(t, http.StatusConflict, g.do("GET", "/instance/"+name+"/device", nil, as(key)...).Status)

	r = g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678", "text": "after logout", "lane": "urgent"}, as(key)...)
	id := r.JSON(t)["id"].(string)
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, "pending", g.do("GET", "/message/"+id, nil, as(key)...).JSON(t)["status"], "waits while not linked")

	code := g.do("POST", "/instance/"+name+"/pairing-code", map[string]any{"phoneNumber": "5491100000002"}, as(key)...)
	require.Equal(t, http.StatusOK, code.Status, string(code.Body))
	require.Regexp(t, `^[A-Z0-9]{4}-[A-Z0-9]{4}$`, code.JSON(t)["pairingCode"])
	r = g.do("POST", "/sandbox/"+name+"/scan", map[string]any{"phoneNumber": "5491100000002"}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, "sent", g.waitMessage(key, id)["status"], "goes out once linked again")
}

// TestProcessRestartWithQueuedMessages: messages queued when the gateway
// stops go out after it starts again, none twice, and the linked instance
// comes back by itself.
func TestProcessRestartWithQueuedMessages(t *testing.T) {
	g := startGateway(t, func(c *config.Local) { c.LaneDelayScale = 0.05 })
	key := g.demoKey
	name := "demo__c__main"
	g.newInstance(key, name)
	g.link(key, name, "5491100000001")
	var ids []string
	for i := range 20 {
		r := g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678", "text": fmt.Sprint("m", i), "lane": "urgent"}, as(key)...)
		ids = append(ids, r.JSON(t)["id"].(string))
	}
	time.Sleep(150 * time.Millisecond) // some go out, most are still queued
	g.stop()

	g2 := startGateway(t, func(c *config.Local) { c.DataDir = g.dataDir })
	g2.waitState(key, name, "open")
	for _, id := range ids {
		require.Equal(t, "sent", g2.waitMessage(key, id)["status"])
	}
	// Each process had its own sandbox network; together they received
	// every message exactly once.
	seen := map[string]int{}
	for _, rec := range g.app.Sandbox.Sent(name) {
		seen[rec.MessageID]++
	}
	before := len(seen)
	for _, s := range g2.sent(key, name) {
		seen[s.(map[string]any)["messageId"].(string)]++
	}
	require.Less(t, before, len(ids), "some messages were still queued at the stop")
	require.Len(t, seen, len(ids))
	for id, n := range seen {
		require.Equal(t, 1, n, "message %s sent %d times", id, n)
	}
}

func TestSendToClientPicksSoonest(t *testing.T) {
	g := startGateway(t, func(c *config.Local) { c.LaneDelayScale = 0.2 })
	key := g.demoKey
	g.newInstance(key, "demo__sales__a")
	g.newInstance(key, "demo__sales__b")
	g.newInstance(key, "demo__sales__c") // never linked: never picked
	g.link(key, "demo__sales__a", "5491100000001")
	g.link(key, "demo__sales__b", "5491100000002")
	// Give a a backlog; the next client send must go to b.
	for range 3 {
		r := g.do("POST", "/message/text", map[string]any{"instanceName": "demo__sales__a", "to": "5491112345678", "text": "x", "lane": "bulk"}, as(key)...)
		require.Equal(t, http.StatusAccepted, r.Status)
	}
	require.Eventually(t, func() bool {
		return g.do("GET", "/instance/demo__sales__a/queue", nil, as(key)...).JSON(t)["total"].(float64) == 3
	}, 5*time.Second, 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // the host holds a's head message
	r := g.do("POST", "/message/send", map[string]any{"tenantId": "demo", "clientId": "sales", "type": "text",
		"to": "5491112345678", "text": "hello"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	acc := r.JSON(t)
	require.Equal(t, "demo__sales__b", acc["instanceName"])
	require.Equal(t, "sent", g.waitMessage(key, acc["id"].(string))["status"])
	again := g.do("POST", "/message/send", map[string]any{"tenantId": "demo", "clientId": "sales", "type": "text",
		"to": "5491112345678", "text": "hello"}, as(key, "Idempotency-Key", "k")...)
	require.Equal(t, http.StatusAccepted, again.Status)
}

// TestFlushedNeverSent: messages flushed while the instance is closed are
// never sent once it opens.
func TestFlushedNeverSent(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	name := "demo__c__main"
	g.newInstance(key, name)
	var ids []string
	for range 3 {
		r := g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678", "text": "x", "lane": "urgent"}, as(key)...)
		ids = append(ids, r.JSON(t)["id"].(string))
	}
	r := g.do("DELETE", "/instance/"+name+"/queue", nil, as(key)...)
	require.EqualValues(t, 3, r.JSON(t)["flushed"])
	g.link(key, name, "5491100000001")
	r = g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678", "text": "after", "lane": "urgent"}, as(key)...)
	last := r.JSON(t)["id"].(string)
	require.Equal(t, "sent", g.waitMessage(key, last)["status"])
	sent := g.sent(key, name)
	require.Len(t, sent, 1)
	require.Equal(t, last, sent[0].(map[string]any)["messageId"])
	for _, id := range ids {
		m := g.do("GET", "/message/"+id, nil, as(key)...).JSON(t)
		require.Equal(t, "failed", m["status"])
		require.Equal(t, "flushed", m["error"])
	}
}

func TestSandboxInboundAndErrors(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	name := "demo__c__main"
	g.newInstance(key, name)
	in := map[string]any{"from": "5491112345678", "pushName": "Juan Pérez", "messageType": "conversation", "text": "Hello, I need help"}
	require.Equal(t, http.StatusConflict, g.do("POST", "/sandbox/"+name+"/inbound", in, as(key)...).Status, "not open yet")
	require.Equal(t, http.StatusConflict, g.do("POST", "/sandbox/"+name+"/scan", map[string]any{"phoneNumber": "5491100000001"}, as(key)...).Status, "not linking")
	require.Equal(t, http.StatusConflict, g.do("POST", "/instance/"+name+"/restart", nil, as(key)...).Status, "not linked")
	require.Equal(t, http.StatusConflict, g.do("POST", "/sandbox/"+name+"/disconnect", map[string]any{"reason": "connection_lost"}, as(key)...).Status)
	require.Equal(t, http.StatusBadRequest, g.do("POST", "/instance/"+name+"/pairing-code", map[string]any{"phoneNumber": "+54911"}, as(key)...).Status)
	g.link(key, name, "5491100000001")

	r := g.do("POST", "/sandbox/"+name+"/inbound", in, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Regexp(t, `^[0-9A-F]{32}$`, r.JSON(t)["messageId"])
	bad := []map[string]any{
		{"from": "+5491112345678", "messageType": "conversation", "text": "x"},
		{"from": "5491112345678", "messageType": "stickerMessage"},
		{"from": "5491112345678", "messageType": "conversation"},
		{"from": "5491112345678", "messageType": "imageMessage", "extra": 1},
	}
	for _, b := range bad {
		require.Equal(t, http.StatusBadRequest, g.do("POST", "/sandbox/"+name+"/inbound", b, as(key)...).Status, "%v", b)
	}
	require.Equal(t, http.StatusBadRequest, g.do("POST", "/sandbox/"+name+"/disconnect", map[string]any{"reason": "tired"}, as(key)...).Status)

	// Another tenant cannot drive this tenant's sandbox phone.
	other := g.newTenant("beta")
	require.Equal(t, http.StatusForbidden, g.do("POST", "/sandbox/"+name+"/inbound", in, as(other)...).Status)
	require.Equal(t, http.StatusForbidden, g.do("GET", "/sandbox/"+name+"/sent", nil, as(other)...).Status)
	require.Equal(t, http.StatusForbidden, g.do("GET", "/instance/"+name+"/qr", nil, as(other)...).Status)
}
