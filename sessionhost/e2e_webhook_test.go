package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
)

// hook is a webhook receiver on loopback that verifies every signature
// exactly as API.md tells receivers to.
type hook struct {
	t      *testing.T
	srv    *httptest.Server
	secret string

	mu       sync.Mutex
	got      []received
	failures int // answer 500 to this many more requests
	down     bool
}

type received struct {
	at       time.Time
	event    string
	delivery string
	body     map[string]any
}

func newHook(t *testing.T, secret string) *hook {
	h := &hook{t: t, secret: secret}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(h.secret))
		mac.Write(raw)
		if hex.EncodeToString(mac.Sum(nil)) != r.Header.Get("x-gateway-signature") {
			t.Errorf("bad signature for %s", raw)
		}
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("body is not JSON: %s", raw)
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		h.got = append(h.got, received{at: time.Now(), event: r.Header.Get("x-gateway-event"),
			delivery: r.Header.Get("x-gateway-delivery"), body: body})
		if h.down || h.failures > 0 {
			h.failures--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) set(failures int, down bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures, h.down = failures, down
}

// events returns what arrived so far.
func (h *hook) events() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.got...)
}

// waitEvent waits for an event that satisfies match and returns it.
func (h *hook) waitEvent(event string, match func(received) bool) received {
	h.t.Helper()
	var found received
	require.Eventually(h.t, func() bool {
		for _, r := range h.events() {
			if r.event == event && (match == nil || match(r)) {
				found = r
				return true
			}
		}
		return false
	}, 20*time.Second, 10*time.Millisecond, "webhook %s", event)
	return found
}

func (g *gw) instanceWithHook(key, name string, h *hook) {
	g.t.Helper()
	r := g.do("POST", "/instance/create", map[string]any{"instanceName": name, "webhookUrl": h.srv.URL + "/hook",
		"webhookSecret": h.secret}, as(key)...)
	require.Equal(g.t, http.StatusCreated, r.Status, string(r.Body))
}

func TestWebhooksCarryEveryEvent(t *testing.T) {
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, name, h)
	g.link(key, name, "5491100000001")
	conn := h.waitEvent("instance.connected", nil)
	require.Equal(t, map[string]any{"state": "open", "reason": nil}, conn.body["data"])
	require.Equal(t, name, conn.body["instanceName"])
	require.Regexp(t, timestamp, conn.body["timestamp"])

	r := g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678", "text": "hi", "lane": "urgent"}, as(key)...)
	id := r.JSON(t)["id"].(string)
	sent := h.waitEvent("message.sent", nil)
	data := sent.body["data"].(map[string]any)
	require.Equal(t, id, data["id"])
	require.Equal(t, "urgent", data["lane"])
	require.Regexp(t, timestamp, data["sentAt"])

	r = g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "99900000001", "text": "x", "lane": "urgent"}, as(key)...)
	failedID := r.JSON(t)["id"].(string)
	failed := h.waitEvent("message.failed", nil)
	require.Equal(t, failedID, failed.body["data"].(map[string]any)["id"])
	require.Equal(t, "number not on WhatsApp", failed.body["data"].(map[string]any)["error"])

	in := map[string]any{"from": "5491112345678", "pushName": "Juan Pérez", "messageType": "conversation", "text": "Hello, I need help"}
	r = g.do("POST", "/sandbox/"+name+"/inbound", in, as(key)...)
	require.Equal(t, http.StatusOK, r.Status)
	rec := h.waitEvent("message.received", nil)
	d := rec.body["data"].(map[string]any)
	require.Equal(t, "5491112345678", d["from"])
	require.Equal(t, "Juan Pérez", d["pushName"])
	require.Equal(t, "conversation", d["messageType"])
	require.Equal(t, "Hello, I need help", d["text"])
	require.Equal(t, r.JSON(t)["messageId"], d["messageId"])
	require.NotContains(t, d, "caption")

	r = g.do("POST", "/sandbox/"+name+"/inbound", map[string]any{"from": "5491112345678", "pushName": "Ana", "messageType": "imageMessage", "caption": "look",
		"media": map[string]any{"base64": "/9j/4AAQSkZJRgABAQ==", "mimetype": "image/jpeg"}}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status)
	img := h.waitEvent("message.received", func(r received) bool { return r.body["data"].(map[string]any)["messageType"] == "imageMessage" })
	require.Nil(t, img.body["data"].(map[string]any)["text"])
	require.Equal(t, "look", img.body["data"].(map[string]any)["caption"])

	g.do("POST", "/sandbox/"+name+"/disconnect", map[string]any{"reason": "logged_out"}, as(key)...)
	disc := h.waitEvent("instance.disconnected", nil)
	require.Equal(t, map[string]any{"state": "close", "reason": "logged_out"}, disc.body["data"])

	list := g.do("GET", "/instance/"+name+"/deliveries", nil, as(key)...)
	require.Equal(t, http.StatusOK, list.Status)
	var ds []map[string]any
	require.NoError(t, json.Unmarshal(list.Body, &ds))
	require.GreaterOrEqual(t, len(ds), 6)
	require.Equal(t, "delivered", ds[len(ds)-1]["status"])
}

// TestWebhookRetries: a receiver failing the first two attempts gets the
// third about 1 s + 5 s after the first, with the same delivery id.
func TestWebhookRetries(t *testing.T) {
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	h := newHook(t, "a-secret-of-16-chars")
	h.set(2, false)
	g.instanceWithHook(key, name, h)
	g.link(key, name, "5491100000001")
	require.Eventually(t, func() bool { return len(h.events()) >= 3 }, 15*time.Second, 20*time.Millisecond)
	got := h.events()[:3]
	for _, r := range got {
		require.Equal(t, "instance.connected", r.event)
		require.Equal(t, got[0].delivery, r.delivery, "same delivery id across retries")
	}
	require.InDelta(t, 1.0, got[1].at.Sub(got[0].at).Seconds(), 0.4)
	require.InDelta(t, 5.0, got[2].at.Sub(got[1].at).Seconds(), 0.8)
	time.Sleep(200 * time.Millisecond)
	ds := g.do("GET", "/instance/"+name+"/deliveries", nil, as(key)...)
	var list []map[string]any
	require.NoError(t, json.Unmarshal(ds.Body, &list))
	require.Equal(t, "delivered", list[0]["status"])
	require.EqualValues(t, 3, list[0]["attempts"])
	require.EqualValues(t, 200, list[0]["lastStatusCode"])
}

// TestDeadLetterAndRedeliver: a receiver that is down for good ends in a
// dead letter; redelivery delivers it once the receiver is back.
func TestDeadLetterAndRedeliver(t *testing.T) {
	g := startGateway(t, func(c *config.Local) { c.WebhookRetryScale = 0.01 })
	key, name := g.demoKey, "demo__c__main"
	h := newHook(t, "a-secret-of-16-chars")
	h.set(0, true)
	g.instanceWithHook(key, name, h)
	g.link(key, name, "5491100000001")
	var dead []map[string]any
	require.Eventually(t, func() bool {
		r := g.do("GET", "/instance/"+name+"/deliveries?status=dead", nil, as(key)...)
		require.NoError(t, json.Unmarshal(r.Body, &dead))
		return len(dead) == 1
	}, 10*time.Second, 20*time.Millisecond)
	require.EqualValues(t, 4, dead[0]["attempts"])
	require.EqualValues(t, 500, dead[0]["lastStatusCode"])
	require.Equal(t, "HTTP 500", dead[0]["lastError"])
	require.Len(t, h.events(), 4, "first attempt and three retries")

	other := g.newTenant("beta")
	require.Equal(t, http.StatusNotFound, g.do("POST", "/deliveries/"+dead[0]["id"].(string)+"/redeliver", nil, as(other)...).Status)
	require.Equal(t, http.StatusForbidden, g.do("GET", "/instance/"+name+"/deliveries", nil, as(other)...).Status)
	require.Equal(t, http.StatusBadRequest, g.do("GET", "/instance/"+name+"/deliveries?status=lost", nil, as(key)...).Status)

	h.set(0, false)
	r := g.do("POST", "/deliveries/"+dead[0]["id"].(string)+"/redeliver", nil, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	require.Eventually(t, func() bool { return len(h.events()) == 5 }, 10*time.Second, 20*time.Millisecond)
	last := h.events()[4]
	require.Equal(t, dead[0]["id"], last.delivery, "same delivery id")
	require.Eventually(t, func() bool {
		r := g.do("GET", "/instance/"+name+"/deliveries?status=delivered", nil, as(key)...)
		var ok []map[string]any
		require.NoError(t, json.Unmarshal(r.Body, &ok))
		return len(ok) == 1
	}, 5*time.Second, 20*time.Millisecond)
}

// TestWebhookSecretRotation: the secret current at delivery time signs.
func TestWebhookSecretRotation(t *testing.T) {
	g := startGateway(t, func(c *config.Local) { c.WebhookRetryScale = 0.01 })
	key, name := g.demoKey, "demo__c__main"
	h := newHook(t, "a-secret-of-16-chars")
	h.set(0, true)
	g.instanceWithHook(key, name, h)
	g.link(key, name, "5491100000001")
	require.Eventually(t, func() bool { return len(h.events()) >= 4 }, 10*time.Second, 20*time.Millisecond)
	h.mu.Lock()
	h.secret, h.down = "the-new-secret-0123", false
	h.mu.Unlock()
	r := g.do("PUT", "/instance/"+name+"/webhook", map[string]any{"webhookUrl": h.srv.URL + "/hook", "webhookSecret": "the-new-secret-0123"}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status)
	// The fourth attempt reached the hook; its outcome is recorded a
	// moment later.
	var dead []map[string]any
	require.Eventually(t, func() bool {
		require.NoError(t, json.Unmarshal(g.do("GET", "/instance/"+name+"/deliveries?status=dead", nil, as(key)...).Body, &dead))
		return len(dead) == 1
	}, 10*time.Second, 20*time.Millisecond)
	g.do("POST", "/deliveries/"+dead[0]["id"].(string)+"/redeliver", nil, as(key)...)
	require.Eventually(t, func() bool { return len(h.events()) == 5 }, 10*time.Second, 20*time.Millisecond)
}

// TestFlushAnnouncesFailures: flushed messages reach the tenant as
// message.failed with error "flushed".
func TestFlushAnnouncesFailures(t *testing.T) {
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, name, h)
	r := g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678", "text": "x", "lane": "bulk"}, as(key)...)
	id := r.JSON(t)["id"].(string)
	g.do("DELETE", "/instance/"+name+"/queue", nil, as(key)...)
	ev := h.waitEvent("message.failed", nil)
	require.Equal(t, map[string]any{"id": id, "to": "5491112345678", "lane": "bulk", "type": "text", "error": "flushed"}, ev.body["data"])
}
