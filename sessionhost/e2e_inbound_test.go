package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The sandbox's far side end to end: what a phone does through the
// /sandbox routes reaches the tenant's webhook as API.md says, over real
// HTTP, through the session host and the dispatcher.

const (
	inbPhone = "5491100000001" // the instance's number
	inbPeer  = "5491112345678" // who writes to it
	inbGroup = "120363025246125486@g.us"
)

// inbSetup starts a gateway with an instance linked to inbPhone whose
// webhook is h.
func inbSetup(t *testing.T) (*gw, string, string, *hook) {
	t.Helper()
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, name, h)
	g.link(key, name, inbPhone)
	h.waitEvent("instance.connected", nil)
	return g, key, name, h
}

// phoneDoes sends body to a sandbox route of name and requires status.
func (g *gw) phoneDoes(key, name, route string, body any, status int) map[string]any {
	g.t.Helper()
	r := g.do("POST", "/sandbox/"+name+"/"+route, body, as(key)...)
	require.Equal(g.t, status, r.Status, "%s %v: %s", route, body, r.Body)
	return r.JSON(g.t)
}

// phoneWrites writes body to name and returns the message's WhatsApp id.
func (g *gw) phoneWrites(key, name string, body map[string]any) string {
	g.t.Helper()
	return g.phoneDoes(key, name, "inbound", body, http.StatusOK)["messageId"].(string)
}

// inbData waits for event whose data field field is value and returns
// the data.
func (h *hook) inbData(event, field string, value any) map[string]any {
	h.t.Helper()
	return h.waitEvent(event, func(r received) bool { return inbDataMap(r)[field] == value }).body["data"].(map[string]any)
}

func inbDataMap(r received) map[string]any {
	d, _ := r.body["data"].(map[string]any)
	return d
}

// receivedWant returns the expected message.received data of a direct
// message from inbPeer: every field API.md lists, with its value when it
// does not apply, overridden by set.
func receivedWant(messageType, messageID string, timestamp any, set map[string]any) map[string]any {
	want := map[string]any{"from": inbPeer, "pushName": "", "messageType": messageType, "text": nil,
		"messageId": messageID, "timestamp": timestamp, "chat": inbPeer, "isGroup": false, "participant": nil,
		"quoted": nil, "mentions": []any{}, "media": nil, "location": nil, "contacts": []any{}, "poll": nil}
	for k, v := range set {
		want[k] = v
	}
	return want
}

// inbSentWAID is the WhatsApp id the sandbox network got our message id with.
func (g *gw) inbSentWAID(key, name, id string) string {
	g.t.Helper()
	var sent []map[string]any
	require.NoError(g.t, json.Unmarshal(g.do("GET", "/sandbox/"+name+"/sent", nil, as(key)...).Body, &sent))
	for _, s := range sent {
		if s["messageId"] == id && s["type"] != "edit" && s["type"] != "revoke" {
			return s["waMessageId"].(string)
		}
	}
	g.t.Fatalf("message %s not in the sandbox's sent log", id)
	return ""
}

// inbSend sends body to /message/{kind} and waits for message.sent.
func (g *gw) inbSend(key, kind string, body map[string]any, h *hook) string {
	g.t.Helper()
	r := g.do("POST", "/message/"+kind, body, as(key)...)
	require.Equal(g.t, http.StatusAccepted, r.Status, string(r.Body))
	id := r.JSON(g.t)["id"].(string)
	h.inbData("message.sent", "id", id)
	return id
}

// inbDownload fetches media.url's path from the gateway. Not through
// g.do: GET /instance/{name}/media/{messageId} is not in the OpenAPI
// document yet, and g.do checks every answer against it.
func (g *gw) inbDownload(key, url string) []byte {
	g.t.Helper()
	_, path, ok := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(url, "http://"), "https://"), "/")
	require.True(g.t, ok, url)
	req, err := http.NewRequest("GET", g.base+"/"+path, nil)
	require.NoError(g.t, err)
	req.Header.Set("apikey", key)
	res, err := g.client.Do(req)
	require.NoError(g.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(g.t, err)
	require.Equal(g.t, http.StatusOK, res.StatusCode, string(body))
	return body
}

// inbEvents counts the events of name the gateway created (the
// deliveries list: every event, delivered or not) with that event name.
func (g *gw) inbEvents(key, name, event string) int {
	g.t.Helper()
	var list []map[string]any
	require.NoError(g.t, json.Unmarshal(g.do("GET", "/instance/"+name+"/deliveries", nil, as(key)...).Body, &list))
	n := 0
	for _, d := range list {
		if d["event"] == event {
			n++
		}
	}
	return n
}

func TestInboundEveryKind(t *testing.T) {
	g, key, name, h := inbSetup(t)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR a tiny image")
	pdf := []byte("%PDF-1.4\n1 0 obj a document\n")
	ogg := []byte("OggS\x00\x02 an audio note")
	mp4 := []byte("\x00\x00\x00\x18ftypmp42 a video")
	webp := []byte("RIFF\x24\x00\x00\x00WEBPVP8 a sticker")
	b64 := base64.StdEncoding.EncodeToString

	// Ours and one received, to quote.
	ourID := g.inbSend(key, "text", map[string]any{"instanceName": name, "to": inbPeer, "text": "our message", "lane": "urgent"}, h)
	ourWAID := g.inbSentWAID(key, name, ourID)
	firstID := g.phoneWrites(key, name, map[string]any{"from": inbPeer, "messageType": "conversation", "text": "first"})
	h.inbData("message.received", "messageId", firstID)

	media := func(url any, mimetype string, fileName any, file []byte) map[string]any {
		sum := sha256.Sum256(file)
		return map[string]any{"url": url, "mimetype": mimetype, "fileName": fileName, "size": float64(len(file)),
			"sha256": hex.EncodeToString(sum[:])}
	}
	for _, tt := range []struct {
		name string
		body map[string]any
		want map[string]any // the data fields besides the defaults of receivedWant
		file []byte         // the media's bytes, served at media.url
	}{
		{"text quoting ours, with mentions", map[string]any{"messageType": "conversation", "pushName": "Juan Pérez", "text": "hi @5491100000002",
			"mentions": []any{"5491100000002"}, "quoted": map[string]any{"messageId": ourWAID}},
			map[string]any{"pushName": "Juan Pérez", "text": "hi @5491100000002", "mentions": []any{"5491100000002"},
				"quoted": map[string]any{"messageId": ourWAID, "from": inbPhone}}, nil},
		{"text quoting a received one", map[string]any{"messageType": "conversation", "text": "as I said", "quoted": map[string]any{"messageId": firstID}},
			map[string]any{"text": "as I said", "quoted": map[string]any{"messageId": firstID, "from": inbPeer}}, nil},
		{"text quoting an unknown one", map[string]any{"messageType": "conversation", "text": "?", "quoted": map[string]any{"messageId": "3EB0UNKNOWN"}},
			map[string]any{"text": "?", "quoted": map[string]any{"messageId": "3EB0UNKNOWN", "from": nil}}, nil},
		{"image", map[string]any{"messageType": "imageMessage", "caption": "look", "media": map[string]any{"base64": b64(png), "mimetype": "image/png"}},
			map[string]any{"caption": "look", "media": media("url", "image/png", nil, png)}, png},
		{"document", map[string]any{"messageType": "documentMessage", "media": map[string]any{"base64": b64(pdf), "mimetype": "application/pdf", "fileName": "offer.pdf"}},
			map[string]any{"caption": nil, "media": media("url", "application/pdf", "offer.pdf", pdf)}, pdf},
		{"audio", map[string]any{"messageType": "audioMessage", "media": map[string]any{"base64": b64(ogg), "mimetype": "audio/ogg; codecs=opus"}},
			map[string]any{"caption": nil, "media": media("url", "audio/ogg; codecs=opus", nil, ogg)}, ogg},
		{"video", map[string]any{"messageType": "videoMessage", "caption": "clip", "media": map[string]any{"base64": b64(mp4), "mimetype": "video/mp4"}},
			map[string]any{"caption": "clip", "media": media("url", "video/mp4", nil, mp4)}, mp4},
		{"sticker, its type sniffed", map[string]any{"messageType": "stickerMessage", "media": map[string]any{"base64": b64(webp)}},
			map[string]any{"caption": nil, "media": media("url", "image/webp", nil, webp)}, webp},
		{"location", map[string]any{"messageType": "locationMessage", "location": map[string]any{"latitude": -34.6037, "longitude": -58.3816, "name": "Obelisco"}},
			map[string]any{"location": map[string]any{"latitude": -34.6037, "longitude": -58.3816, "name": "Obelisco", "address": nil}}, nil},
		{"contacts", map[string]any{"messageType": "contactMessage", "contacts": []any{
			map[string]any{"fullName": "Ana", "phoneNumbers": []any{"+54 9 11 1234-5678"}}, map[string]any{"fullName": "Bo"}}},
			map[string]any{"contacts": []any{map[string]any{"fullName": "Ana", "phoneNumbers": []any{"+54 9 11 1234-5678"}},
				map[string]any{"fullName": "Bo", "phoneNumbers": []any{}}}}, nil},
		{"poll", map[string]any{"messageType": "pollCreationMessage", "poll": map[string]any{"question": "Lunch?", "options": []any{"Pizza", "Sushi"}}},
			map[string]any{"poll": map[string]any{"question": "Lunch?", "options": []any{"Pizza", "Sushi"}, "selectableCount": 1.0}}, nil},
	} {
		{ // not t.Run: g's helpers fail the test they were started with
			tt.body["from"] = inbPeer
			before := time.Now().Unix()
			id := g.phoneWrites(key, name, tt.body)
			got := h.inbData("message.received", "messageId", id)
			ts, ok := got["timestamp"].(float64)
			require.True(t, ok, "%s: timestamp is a number", tt.name)
			require.InDelta(t, float64(before), ts, 5, "%s: unix seconds of now", tt.name)
			want := receivedWant(tt.body["messageType"].(string), id, ts, tt.want)
			if tt.file != nil {
				m := got["media"].(map[string]any)
				url, _ := m["url"].(string)
				require.True(t, strings.HasSuffix(url, "/instance/"+name+"/media/"+id), "%s: %s", tt.name, url)
				want["media"].(map[string]any)["url"] = url
				require.Equal(t, tt.file, g.inbDownload(key, url), "%s: the file served is the one sent", tt.name)
			}
			require.Equal(t, want, got, tt.name)
		}
	}

	// The messageId given is kept, and a second message with it replaces
	// the first (WhatsApp's id names one message).
	id := g.phoneWrites(key, name, map[string]any{"from": inbPeer, "messageType": "conversation", "text": "named", "messageId": "3EB0CAFE01"})
	require.Equal(t, "3EB0CAFE01", id)
	require.Equal(t, "named", h.inbData("message.received", "messageId", "3EB0CAFE01")["text"])
}

// TestInboundGroups: a group message is dropped while receiveGroups is
// off and delivered once it is on, with chat, isGroup and participant.
func TestInboundGroups(t *testing.T) {
	g, key, name, h := inbSetup(t)
	groupID := g.phoneWrites(key, name, map[string]any{"from": inbPeer, "messageType": "conversation", "text": "in the group", "chat": inbGroup})
	g.phoneDoes(key, name, "reaction", map[string]any{"from": inbPeer, "messageId": groupID, "emoji": "👍", "chat": inbGroup}, http.StatusOK)
	directID := g.phoneWrites(key, name, map[string]any{"from": inbPeer, "messageType": "conversation", "text": "direct"})
	h.inbData("message.received", "messageId", directID)
	for _, r := range h.events() {
		require.NotEqual(t, groupID, inbDataMap(r)["messageId"], "a group message never arrives with receiveGroups off")
		require.NotEqual(t, "message.reaction", r.event, "nor a reaction in a group")
	}
	require.Equal(t, 1, g.inbEvents(key, name, "message.received"), "the group message made no event at all")
	require.Zero(t, g.inbEvents(key, name, "message.reaction"))

	r := g.do("PATCH", "/instance/"+name+"/settings", map[string]any{"receiveGroups": true}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	id := g.phoneWrites(key, name, map[string]any{"from": inbPeer, "pushName": "Ana", "messageType": "conversation",
		"text": "now you hear me", "chat": inbGroup})
	got := h.inbData("message.received", "messageId", id)
	require.Equal(t, receivedWant("conversation", id, got["timestamp"], map[string]any{"pushName": "Ana", "text": "now you hear me",
		"chat": inbGroup, "isGroup": true, "participant": inbPeer}), got)

	g.phoneDoes(key, name, "reaction", map[string]any{"from": inbPeer, "messageId": id, "emoji": "🎉", "chat": inbGroup}, http.StatusOK)
	react := h.inbData("message.reaction", "messageId", id)
	require.Equal(t, inbGroup, react["chat"])
	require.Equal(t, inbPeer, react["from"])
}

// TestReceipts: a receipt of one of our messages becomes message.delivered
// and message.read, once each whatever the phone repeats.
func TestReceipts(t *testing.T) {
	g, key, name, h := inbSetup(t)
	id := g.inbSend(key, "text", map[string]any{"instanceName": name, "to": inbPeer, "text": "hi", "lane": "urgent"}, h)
	for _, status := range []string{"delivered", "delivered", "read", "read"} {
		require.Equal(t, map[string]any{}, g.phoneDoes(key, name, "receipt", map[string]any{"id": id, "status": status}, http.StatusOK))
	}
	delivered := h.inbData("message.delivered", "id", id)
	read := h.inbData("message.read", "id", id)
	require.Equal(t, inbPeer, delivered["to"])
	require.Regexp(t, timestamp, delivered["deliveredAt"])
	require.Equal(t, inbPeer, read["to"])
	require.Regexp(t, timestamp, read["readAt"])
	require.Len(t, delivered, 3)
	require.Len(t, read, 3)
	// Every route call above returned after the host stored its events,
	// so the deliveries list is complete.
	require.Equal(t, 1, g.inbEvents(key, name, "message.delivered"))
	require.Equal(t, 1, g.inbEvents(key, name, "message.read"))
	// Webhooks go out in parallel, so their arrival order proves nothing;
	// the events' own times do (ISO 8601 UTC compares as text).
	require.LessOrEqual(t, delivered["deliveredAt"].(string), read["readAt"].(string), "delivered, then read")
	m := g.do("GET", "/message/"+id, nil, as(key)...).JSON(t)
	require.Equal(t, delivered["deliveredAt"], m["deliveredAt"])
	require.Equal(t, read["readAt"], m["readAt"])

	// No phone can acknowledge what WhatsApp never carried.
	failed := g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "99900000001", "text": "x", "lane": "urgent"}, as(key)...).JSON(t)["id"].(string)
	h.inbData("message.failed", "id", failed)
	for _, unknown := range []string{failed, "3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10"} {
		r := g.phoneDoes(key, name, "receipt", map[string]any{"id": unknown, "status": "delivered"}, http.StatusNotFound)
		require.Contains(t, r["error"], "No message with this id")
	}
}

// TestUpdates: reactions, edits, deletions and votes by others.
func TestUpdates(t *testing.T) {
	g, key, name, h := inbSetup(t)
	ourID := g.inbSend(key, "text", map[string]any{"instanceName": name, "to": inbPeer, "text": "ours", "lane": "urgent"}, h)
	ourWAID := g.inbSentWAID(key, name, ourID)
	theirs := g.phoneWrites(key, name, map[string]any{"from": inbPeer, "messageType": "conversation", "text": "theirs"})
	h.inbData("message.received", "messageId", theirs)

	// next waits for the next event named event after the ones seen.
	seen := map[string]int{}
	next := func(event string) map[string]any {
		t.Helper()
		var d map[string]any
		require.Eventually(t, func() bool {
			n := 0
			for _, r := range h.events() {
				if r.event == event {
					if n == seen[event] {
						d = inbDataMap(r)
						return true
					}
					n++
				}
			}
			return false
		}, 20*time.Second, 10*time.Millisecond, "webhook %s #%d", event, seen[event]+1)
		seen[event]++
		ts, ok := d["timestamp"].(float64)
		require.True(t, ok && ts > 0, "timestamp in unix seconds")
		delete(d, "timestamp")
		return d
	}

	g.phoneDoes(key, name, "reaction", map[string]any{"from": inbPeer, "messageId": ourWAID, "emoji": "❤️"}, http.StatusOK)
	require.Equal(t, map[string]any{"from": inbPeer, "chat": inbPeer, "messageId": ourWAID, "id": ourID, "emoji": "❤️"},
		next("message.reaction"), "a reaction to ours names it by our id too")
	g.phoneDoes(key, name, "reaction", map[string]any{"from": inbPeer, "messageId": theirs, "emoji": "👍🏽"}, http.StatusOK)
	require.Equal(t, map[string]any{"from": inbPeer, "chat": inbPeer, "messageId": theirs, "id": nil, "emoji": "👍🏽"},
		next("message.reaction"))
	g.phoneDoes(key, name, "reaction", map[string]any{"from": inbPeer, "messageId": theirs, "emoji": ""}, http.StatusOK)
	require.Equal(t, map[string]any{"from": inbPeer, "chat": inbPeer, "messageId": theirs, "id": nil, "emoji": ""},
		next("message.reaction"), "removed")

	g.phoneDoes(key, name, "edit", map[string]any{"from": inbPeer, "messageId": theirs, "text": "theirs, fixed"}, http.StatusOK)
	require.Equal(t, map[string]any{"from": inbPeer, "chat": inbPeer, "messageId": theirs, "text": "theirs, fixed"},
		next("message.edited"))
	g.phoneDoes(key, name, "revoke", map[string]any{"from": inbPeer, "messageId": theirs}, http.StatusOK)
	require.Equal(t, map[string]any{"from": inbPeer, "chat": inbPeer, "messageId": theirs}, next("message.revoked"))

	pollID := g.inbSend(key, "poll", map[string]any{"instanceName": name, "to": inbPeer, "question": "Lunch?",
		"options": []any{"Pizza", "Sushi", "Tacos"}, "selectableCount": 2, "lane": "urgent"}, h)
	pollWAID := g.inbSentWAID(key, name, pollID)
	for _, tt := range []struct {
		options, want []any
	}{
		{[]any{"Tacos", "Pizza"}, []any{"Tacos", "Pizza"}},
		{[]any{"Sushi", "Burgers"}, []any{"Sushi"}}, // an option the poll lacks matches nothing, as on WhatsApp
		{[]any{}, []any{}}, // withdrawn
	} {
		g.phoneDoes(key, name, "vote", map[string]any{"from": inbPeer, "messageId": pollWAID, "options": tt.options}, http.StatusOK)
		require.Equal(t, map[string]any{"from": inbPeer, "chat": inbPeer, "messageId": pollWAID, "id": pollID,
			"selectedOptions": tt.want}, next("poll.vote"), "%v", tt.options)
	}

	// A vote in a poll someone else sent is matched against the received one.
	theirPoll := g.phoneWrites(key, name, map[string]any{"from": inbPeer, "messageType": "pollCreationMessage",
		"poll": map[string]any{"question": "Where?", "options": []any{"Here", "There"}, "selectableCount": 0}})
	h.inbData("message.received", "messageId", theirPoll)
	g.phoneDoes(key, name, "vote", map[string]any{"from": "5491100000009", "messageId": theirPoll, "options": []any{"There"}}, http.StatusOK)
	require.Equal(t, map[string]any{"from": "5491100000009", "chat": "5491100000009", "messageId": theirPoll, "id": nil,
		"selectedOptions": []any{"There"}}, next("poll.vote"))
}

// TestSandboxReportErrors: every route's refusals, and tenant isolation.
func TestSandboxReportErrors(t *testing.T) {
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	g.newInstance(key, name)
	const ourID = "3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10"
	valid := map[string]map[string]any{
		"inbound":  {"from": inbPeer, "messageType": "conversation", "text": "hi"},
		"receipt":  {"id": ourID, "status": "read"},
		"reaction": {"from": inbPeer, "messageId": "3EB0AA", "emoji": "👍"},
		"edit":     {"from": inbPeer, "messageId": "3EB0AA", "text": "x"},
		"revoke":   {"from": inbPeer, "messageId": "3EB0AA"},
		"vote":     {"from": inbPeer, "messageId": "3EB0AA", "options": []any{"Pizza"}},
	}
	for route, body := range valid {
		r := g.phoneDoes(key, name, route, body, http.StatusConflict)
		require.Equal(t, "Instance is not open", r["error"], route)
	}
	other := g.newTenant("beta")
	for route, body := range valid {
		g.phoneDoes(other, name, route, body, http.StatusForbidden)
		g.phoneDoes(key, "demo__c__nobody", route, body, http.StatusNotFound)
	}
	g.link(key, name, inbPhone)

	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n"))
	for _, tt := range []struct {
		route string
		body  map[string]any
		path  []any // of the one issue
	}{
		{"inbound", map[string]any{"from": inbPeer, "messageType": "faxMessage"}, []any{"messageType"}},
		{"inbound", map[string]any{"from": inbPeer, "messageType": "imageMessage"}, []any{"media"}},
		{"inbound", map[string]any{"from": inbPeer, "messageType": "imageMessage", "media": map[string]any{"base64": "%%%"}}, []any{"media", "base64"}},
		{"inbound", map[string]any{"from": inbPeer, "messageType": "stickerMessage", "caption": "x", "media": map[string]any{"base64": png}}, []any{"caption"}},
		{"inbound", map[string]any{"from": inbPeer, "messageType": "conversation", "text": "x", "chat": inbPeer}, []any{"chat"}},
		{"inbound", map[string]any{"from": inbPeer, "messageType": "conversation", "text": "x", "mentions": []any{"+54"}}, []any{"mentions", 0.0}},
		{"inbound", map[string]any{"from": inbPeer, "messageType": "conversation", "text": "x", "quoted": map[string]any{}}, []any{"quoted", "messageId"}},
		{"inbound", map[string]any{"from": inbPeer, "messageType": "locationMessage", "location": map[string]any{"latitude": 1, "longitude": 200}}, []any{"location", "longitude"}},
		{"inbound", map[string]any{"from": inbPeer, "messageType": "contactMessage"}, []any{"contacts"}},
		{"inbound", map[string]any{"from": inbPeer, "messageType": "pollCreationMessage", "poll": map[string]any{"question": "q", "options": []any{"a"}}}, []any{"poll", "options"}},
		{"receipt", map[string]any{"id": ourID, "status": "seen"}, []any{"status"}},
		{"receipt", map[string]any{"id": "3EB0AA", "status": "read"}, []any{"id"}},
		{"reaction", map[string]any{"from": inbPeer, "messageId": "3EB0AA"}, []any{"emoji"}},
		{"reaction", map[string]any{"from": inbPeer, "messageId": "3EB0AA", "emoji": "x"}, []any{"emoji"}},
		{"edit", map[string]any{"from": inbPeer, "messageId": "3EB0AA", "text": ""}, []any{"text"}},
		{"revoke", map[string]any{"from": "+54", "messageId": "3EB0AA"}, []any{"from"}},
		{"revoke", map[string]any{"from": inbPeer, "messageId": "3EB0AA", "chat": "group"}, []any{"chat"}},
		{"vote", map[string]any{"from": inbPeer, "messageId": "3EB0AA", "options": "Pizza"}, []any{"options"}},
		{"vote", map[string]any{"from": inbPeer, "messageId": "3EB0AA"}, []any{"options"}},
		{"vote", map[string]any{"from": inbPeer, "messageId": "3EB0AA", "options": []any{"Pizza"}, "text": "x"}, []any{"text"}},
	} {
		r := g.phoneDoes(key, name, tt.route, tt.body, http.StatusBadRequest)
		issues := r["issues"].([]any)
		require.Len(t, issues, 1, "%s %v: %v", tt.route, tt.body, issues)
		require.Equal(t, tt.path, issues[0].(map[string]any)["path"], "%s %v", tt.route, tt.body)
	}
	for route, body := range valid {
		if route != "receipt" { // no such message: 404, as TestReceipts shows
			g.phoneDoes(key, name, route, body, http.StatusOK)
		}
	}
}
