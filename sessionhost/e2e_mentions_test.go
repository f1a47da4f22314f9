package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Groups as recipients, mentions and view-once, over HTTP on the sandbox:
// accepted as the OpenAPI document says, sent, and seen in GET
// /sandbox/{name}/sent; and the requests that break their rules refused.

const mentionsInst = "demo__c__main"

func TestMentionsViewOnceAndGroups(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(png) }))
	defer media.Close()
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, mentionsInst)
	g.link(key, mentionsInst, "5491100000001")
	const group = "120363025246125486@g.us"
	send := func(to string, extra map[string]any) map[string]any {
		extra["instanceName"], extra["to"], extra["lane"] = mentionsInst, to, "urgent"
		return extra
	}

	text := g.accept(key, "/message/text", send("5491112345678", map[string]any{
		"text": "{Hola|Hi} @5491187654321 @5491100000009", "mentions": []any{"5491187654321", "5491100000009"}}))
	once := g.accept(key, "/message/image", send("5491112345678", map[string]any{
		"imageUrl": media.URL + "/a.png", "caption": "only once, @5491187654321", "viewOnce": true,
		"mentions": []any{"5491187654321"}}))
	plain := g.accept(key, "/message/image", send("5491112345678", map[string]any{"imageUrl": media.URL + "/a.png"}))
	toGroup := g.accept(key, "/message/text", send(group, map[string]any{"text": "hola grupo @5491187654321",
		"mentions": []any{"5491187654321"}}))
	oldGroup := g.accept(key, "/message/location", send("5491112345678-1612345678@g.us",
		map[string]any{"latitude": 1, "longitude": 2}))
	viaClient := g.accept(key, "/message/send", map[string]any{"tenantId": "demo", "clientId": "c", "type": "video",
		"to": group, "videoUrl": media.URL + "/a.png", "viewOnce": false, "mentions": []any{}})
	for _, id := range []string{text, once, plain, toGroup, oldGroup} {
		m := g.waitMessage(key, id)
		require.Equal(t, "sent", m["status"], "%v", m)
	}
	// A PNG is not a video: the send fails at fetch time, after it was accepted with its group and fields.
	require.Equal(t, "failed", g.waitMessage(key, viaClient)["status"])
	require.Equal(t, group, g.waitMessage(key, toGroup)["to"], "GET /message/{id} shows the group")

	byID := map[string]map[string]any{}
	for _, e := range g.sent(key, mentionsInst) {
		entry := e.(map[string]any)
		byID[entry["messageId"].(string)] = entry
	}
	require.Len(t, byID, 5)
	e := byID[text]
	require.Equal(t, []any{"5491187654321", "5491100000009"}, e["mentions"])
	require.Contains(t, []any{"Hola @5491187654321 @5491100000009", "Hi @5491187654321 @5491100000009"}, e["text"],
		"the gateway inserts nothing")
	require.Nil(t, e["viewOnce"], "a text cannot be view-once")
	require.Contains(t, e, "viewOnce")

	e = byID[once]
	require.Equal(t, true, e["viewOnce"])
	require.Equal(t, []any{"5491187654321"}, e["mentions"])
	e = byID[plain]
	require.Equal(t, false, e["viewOnce"], "false on an image that did not set it")
	require.Equal(t, []any{}, e["mentions"], "[] on a kind that can mention, when none were given")

	e = byID[toGroup]
	require.Equal(t, group, e["to"], "the group as given")
	require.Equal(t, []any{"5491187654321"}, e["mentions"])
	e = byID[oldGroup]
	require.Equal(t, "5491112345678-1612345678@g.us", e["to"])
	require.Nil(t, e["mentions"], "a location cannot mention")
	require.Nil(t, e["viewOnce"])
}

func TestMentionsViewOnceAndGroupsRefused(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, mentionsInst)
	numbers := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = fmt.Sprint(549111234500 + i)
		}
		return out
	}
	for _, tt := range []struct {
		name, path string
		body       map[string]any
		field      string
		msg        string
	}{
		{"bad group id", "/message/text", map[string]any{"to": "1234@g.us", "text": "x"}, "to", "group id"},
		{"group id on another server", "/message/text", map[string]any{"to": "120363025246125486@s.whatsapp.net", "text": "x"},
			"to", "international number"},
		{"51 mentions", "/message/text", map[string]any{"text": "x", "mentions": numbers(51)}, "mentions", "at most 50"},
		{"repeated mention", "/message/image", map[string]any{"imageUrl": "https://x.example/a.jpg",
			"mentions": []any{"5491112345678", "5491112345678"}}, "mentions", "repeat"},
		{"mention not a number", "/message/text", map[string]any{"text": "x", "mentions": []any{"+5491112345678"}}, "mentions", "international number"},
		{"mentions on audio", "/message/audio", map[string]any{"audioUrl": "https://x.example/a.ogg",
			"mentions": []any{"5491112345678"}}, "mentions", "nknown"},
		{"mentions on location", "/message/location", map[string]any{"latitude": 1, "longitude": 2,
			"mentions": []any{"5491112345678"}}, "mentions", "nknown"},
		{"viewOnce on text", "/message/text", map[string]any{"text": "x", "viewOnce": true}, "viewOnce", "nknown"},
		{"viewOnce on document", "/message/document", map[string]any{"documentUrl": "https://x.example/a.pdf",
			"fileName": "a.pdf", "viewOnce": false}, "viewOnce", "nknown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.body["instanceName"] = mentionsInst
			if _, ok := tt.body["to"]; !ok {
				tt.body["to"] = "5491112345678"
			}
			r := g.do("POST", tt.path, tt.body, as(key)...)
			require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
			issues := r.JSON(t)["issues"].([]any)
			require.NotEmpty(t, issues, string(r.Body))
			is := issues[0].(map[string]any)
			require.Equal(t, tt.field, is["path"].([]any)[0], string(r.Body))
			require.Contains(t, is["message"], tt.msg, string(r.Body))
		})
	}
	// Through POST /message/send too: a field of the kind's own is refused on another type.
	r := g.do("POST", "/message/send", map[string]any{"tenantId": "demo", "clientId": "c", "type": "audio",
		"to": "5491112345678", "audioUrl": "https://x.example/a.ogg", "mentions": []any{"5491112345678"}}, as(key)...)
	require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
	require.True(t, strings.Contains(string(r.Body), "mentions"), string(r.Body))
	r = g.do("POST", "/message/send", map[string]any{"tenantId": "demo", "clientId": "c", "type": "text",
		"to": "1234@g.us", "text": "x"}, as(key)...)
	requireIssue(t, r, "to", "group id")
}

// TestWhatsAppMentionsAndViewOnceOnTheWire: through whatsmeow to the fake
// WhatsApp server, decrypted with the recipient phone's keys: mentions as
// the ContextInfo's user JIDs of the text (an extended text) and of the
// caption, view-once on the image itself. Sends to groups are not here:
// the fake server has no group directory nor sender keys (see
// internal/driver/drivertest's "send to a group" for the JID mapping).
func TestWhatsAppMentionsAndViewOnceOnTheWire(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(png) }))
	t.Cleanup(media.Close)
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)
	jid := g.link(key, waInst, waPhone)

	text := g.send(key, "/message/text", map[string]any{"text": "hola @5491100000011 @5491100000012",
		"mentions": []any{"5491100000011", "5491100000012"}})
	img := g.send(key, "/message/image", map[string]any{"imageUrl": media.URL + "/a.png", "caption": "mirá @5491100000011",
		"viewOnce": true, "mentions": []any{"5491100000011"}})
	for _, id := range []string{text, img} {
		require.Equal(t, "sent", g.waitMessage(key, id)["status"])
	}
	sent := g.wa.Sent(jid)
	require.Len(t, sent, 2)
	for _, s := range sent {
		require.NoError(t, s.Err)
	}
	x := sent[0].Message.GetExtendedTextMessage()
	require.NotNil(t, x, "%v", sent[0].Message)
	require.Equal(t, "hola @5491100000011 @5491100000012", x.GetText())
	require.Equal(t, []string{"5491100000011@s.whatsapp.net", "5491100000012@s.whatsapp.net"}, x.GetContextInfo().GetMentionedJID())
	im := sent[1].Message.GetImageMessage()
	require.NotNil(t, im, "%v", sent[1].Message)
	require.True(t, im.GetViewOnce())
	require.Equal(t, "mirá @5491100000011", im.GetCaption())
	require.Equal(t, []string{"5491100000011@s.whatsapp.net"}, im.GetContextInfo().GetMentionedJID())
	require.Equal(t, png, sent[1].Media)
}
