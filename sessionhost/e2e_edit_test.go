package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sendText queues a text message and returns its id.
func (g *gw) sendText(key, name, text, lane string) string {
	g.t.Helper()
	r := g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678",
		"text": text, "lane": lane}, as(key)...)
	require.Equal(g.t, http.StatusAccepted, r.Status, string(r.Body))
	return r.JSON(g.t)["id"].(string)
}

// waitField polls a message until field is set, and returns it.
func (g *gw) waitField(key, id, field string) map[string]any {
	g.t.Helper()
	var m map[string]any
	require.Eventually(g.t, func() bool {
		m = g.do("GET", "/message/"+id, nil, as(key)...).JSON(g.t)
		return m[field] != nil
	}, 15*time.Second, 10*time.Millisecond, "message %s gets %s", id, field)
	return m
}

// sentEntries returns the sandbox's sent entries of type typ.
func (g *gw) sentEntries(key, name, typ string) []map[string]any {
	g.t.Helper()
	var out []map[string]any
	for _, e := range g.sent(key, name) {
		if e := e.(map[string]any); e["type"] == typ {
			out = append(out, e)
		}
	}
	return out
}

// TestEditAndCancelPending: while the instance is not open its messages
// wait; an edit replaces what will be sent (200), a DELETE cancels one
// for good (200, failed/cancelled) and a cancelled one cannot change again.
func TestEditAndCancelPending(t *testing.T) {
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	g.newInstance(key, name)
	edited := g.sendText(key, name, "first draft", "urgent")
	cancelled := g.sendText(key, name, "never mind", "urgent")

	r := g.do("PATCH", "/message/"+edited, map[string]any{"text": "{final|final} text"}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	m := r.JSON(t)
	require.Equal(t, "pending", m["status"])
	require.Nil(t, m["editedAt"], "editedAt is about edits sent to WhatsApp")

	r = g.do("DELETE", "/message/"+cancelled, nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	m = r.JSON(t)
	require.Equal(t, "failed", m["status"])
	require.Equal(t, "cancelled", m["error"])

	for _, c := range []struct{ method, path string }{{"DELETE", "/message/" + cancelled}, {"PATCH", "/message/" + cancelled}} {
		r = g.do(c.method, c.path, map[string]any{"text": "again"}, as(key)...)
		require.Equal(t, http.StatusConflict, r.Status, "%s of a failed message: %s", c.method, r.Body)
	}

	g.link(key, name, "5491100000001")
	require.Equal(t, "sent", g.waitMessage(key, edited)["status"])
	after := g.sendText(key, name, "after", "urgent")
	require.Equal(t, "sent", g.waitMessage(key, after)["status"])
	var ids, texts []any
	for _, e := range g.sent(key, name) {
		ids = append(ids, e.(map[string]any)["messageId"])
		texts = append(texts, e.(map[string]any)["text"])
	}
	require.Equal(t, []any{edited, after}, ids, "the cancelled message never reached the network")
	require.Equal(t, []any{"final text", "after"}, texts)
	require.Equal(t, "failed", g.do("GET", "/message/"+cancelled, nil, as(key)...).JSON(t)["status"])
}

// TestEditAndRevokeSent: changes of sent messages are 202, go out on the
// urgent lane, and are stamped on the message once they did.
func TestEditAndRevokeSent(t *testing.T) {
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	g.newInstance(key, name)
	g.link(key, name, "5491100000001")
	id := g.sendText(key, name, "helo", "normal")
	require.Equal(t, "sent", g.waitMessage(key, id)["status"])
	waID := g.sent(key, name)[0].(map[string]any)["waMessageId"]

	r := g.do("PATCH", "/message/"+id, map[string]any{"text": "hello"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	require.Equal(t, "sent", r.JSON(t)["status"])
	m := g.waitField(key, id, "editedAt")
	require.Nil(t, m["revokedAt"])
	edits := g.sentEntries(key, name, "edit")
	require.Len(t, edits, 1)
	require.Equal(t, id, edits[0]["messageId"])
	require.Equal(t, "5491112345678", edits[0]["to"])
	require.Equal(t, "urgent", edits[0]["lane"])
	require.Equal(t, map[string]any{"messageId": waID, "text": "hello"}, edits[0]["edit"])
	require.Nil(t, edits[0]["revoke"])

	r = g.do("DELETE", "/message/"+id, nil, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	m = g.waitField(key, id, "revokedAt")
	require.Equal(t, "sent", m["status"])
	revokes := g.sentEntries(key, name, "revoke")
	require.Len(t, revokes, 1)
	require.Equal(t, id, revokes[0]["messageId"])
	require.Equal(t, "urgent", revokes[0]["lane"])
	require.Equal(t, map[string]any{"messageId": waID}, revokes[0]["revoke"])

	r = g.do("PATCH", "/message/"+id, map[string]any{"text": "too late"}, as(key)...)
	require.Equal(t, http.StatusConflict, r.Status, "an edit after the deletion: %s", r.Body)
	r = g.do("DELETE", "/message/"+id, nil, as(key)...)
	require.Equal(t, http.StatusConflict, r.Status, "a second deletion: %s", r.Body)
}

// TestChangeValidation: the field must be the kind's own, bodies are
// strict, and another tenant's ids do not exist.
func TestChangeValidation(t *testing.T) {
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	g.newInstance(key, name)
	text := g.sendText(key, name, "hi", "normal")
	r := g.do("POST", "/message/image", map[string]any{"instanceName": name, "to": "5491112345678",
		"imageUrl": "https://x.example/a.jpg"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	image := r.JSON(t)["id"].(string)
	cases := []struct {
		name   string
		id     string
		body   any
		status int
		field  string
	}{
		{"caption on a text", text, map[string]any{"caption": "x"}, 400, "caption"},
		{"text on an image", image, map[string]any{"text": "x"}, 400, "text"},
		{"nothing to change", text, map[string]any{}, 400, "text"},
		{"empty text", text, map[string]any{"text": ""}, 400, "text"},
		{"unknown field", text, map[string]any{"text": "x", "lane": "urgent"}, 400, "lane"},
		{"caption of an image", image, map[string]any{"caption": "new caption"}, 200, ""},
		{"not a message id", "nope", map[string]any{"text": "x"}, 400, "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := g.do("PATCH", "/message/"+c.id, c.body, as(key)...)
			require.Equal(t, c.status, r.Status, string(r.Body))
			if c.field != "" {
				require.Equal(t, []any{c.field}, r.JSON(t)["issues"].([]any)[0].(map[string]any)["path"], string(r.Body))
			}
		})
	}

	other := g.newTenant("acme")
	for _, c := range []struct{ method, path string }{
		{"GET", "/message/" + text}, {"PATCH", "/message/" + text}, {"DELETE", "/message/" + text},
	} {
		r := g.do(c.method, c.path, map[string]any{"text": "mine now"}, as(other)...)
		require.Equal(t, http.StatusNotFound, r.Status, "%s as another tenant: %s", c.method, r.Body)
	}
	require.Equal(t, "pending", g.do("GET", "/message/"+text, nil, as(key)...).JSON(t)["status"])
}
