package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestWebhookEventFilter: over real HTTP with a real receiver, an
// instance's webhook gets only the events its filter names; the filtered
// ones are not listed among its deliveries; PUT replaces the filter for
// what is delivered afterwards (no events: every event again; []: none),
// and GET shows the filter, never the secret.
//
// "Not delivered" is shown without sleeping: the local dispatcher claims
// deliveries oldest first and reads the filter when it claims, so once an
// event stored later has arrived, every event stored before it has been
// decided; the filtered ones must not have arrived by then.
func TestWebhookEventFilter(t *testing.T) {
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	const secret = "a-secret-of-16-chars"
	h := newHook(t, secret)
	url := h.srv.URL + "/hook"
	r := g.do("POST", "/instance/create", map[string]any{"instanceName": name, "webhookUrl": url, "webhookSecret": secret,
		"events": []string{"message.received"}}, as(key)...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	g.requireFilter(key, name, url, []any{"message.received"})

	// instance.connected and message.sent happen, then a message arrives.
	g.link(key, name, "5491100000001")
	sent := g.sendText(key, name, "hi", "urgent")
	require.Equal(t, "sent", g.waitMessage(key, sent)["status"])
	r1 := g.inbound(key, name, "5491112345678", "first")
	h.waitEvent("message.received", byMessageID(r1))
	require.Equal(t, []string{"message.received"}, eventNames(h.events()),
		"instance.connected and message.sent, stored before it, were filtered out")
	g.requireDeliveries(key, name, []string{"message.received"})

	// PUT replaces the filter: from now on message.sent only.
	r = g.do("PUT", "/instance/"+name+"/webhook", map[string]any{"webhookUrl": url, "webhookSecret": secret,
		"events": []string{"message.sent"}}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, map[string]any{"instanceName": name, "webhookUrl": url, "events": []any{"message.sent"}}, r.JSON(t))
	g.requireFilter(key, name, url, []any{"message.sent"})
	r2 := g.inbound(key, name, "5491112345678", "second")
	sent2 := g.sendText(key, name, "again", "urgent")
	h.waitEvent("message.sent", bySentID(sent2))
	require.Empty(t, receivedOf(h.events(), r2), "message.received, filtered out now, never arrived")

	// A PUT without events removes the filter: every event again.
	r = g.do("PUT", "/instance/"+name+"/webhook", map[string]any{"webhookUrl": url, "webhookSecret": secret}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, map[string]any{"instanceName": name, "webhookUrl": url, "events": nil}, r.JSON(t))
	g.requireFilter(key, name, url, nil)
	r3 := g.inbound(key, name, "5491112345678", "third")
	h.waitEvent("message.received", byMessageID(r3))

	// [] delivers nothing; an instance without a filter on the same
	// receiver shows what arrives meanwhile.
	r = g.do("PUT", "/instance/"+name+"/webhook", map[string]any{"webhookUrl": url, "webhookSecret": secret,
		"events": []string{}}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	g.requireFilter(key, name, url, []any{})
	other := "demo__c__other"
	g.instanceWithHook(key, other, h)
	g.requireFilter(key, other, url, nil)
	g.link(key, other, "5491100000002")
	r4 := g.inbound(key, name, "5491112345678", "fourth")
	rOther := g.inbound(key, other, "5491112345678", "to the other")
	h.waitEvent("message.received", byMessageID(rOther))
	require.Empty(t, receivedOf(h.events(), r4), "[] takes no event")
	var got []any
	for _, e := range h.events() {
		if e.event == "message.received" && e.body["instanceName"] == name {
			got = append(got, e.body["data"].(map[string]any)["messageId"])
		}
	}
	require.ElementsMatch(t, []any{r1, r3}, got, "of %s's messages, only those received while its filter took them", name)
}

// TestWebhookEventFilterErrors: a bad filter is a 400 at its element
// naming the allowed events, and stores nothing; the webhook routes keep
// tenants apart like every instance route.
func TestWebhookEventFilterErrors(t *testing.T) {
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	const secret = "a-secret-of-16-chars"
	url := "http://127.0.0.1:9/hook"
	g.newInstance(key, name)
	body := func(events any) map[string]any {
		return map[string]any{"webhookUrl": url, "webhookSecret": secret, "events": events}
	}
	for _, c := range []struct {
		name   string
		events any
		index  float64
		msg    string
	}{
		{"unknown", []string{"message.sent", "message.recieved"}, 1, "Unknown event; allowed: instance.connected, "},
		{"twice", []string{"message.sent", "message.sent"}, 1, "Listed twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := g.do("PUT", "/instance/"+name+"/webhook", body(c.events), as(key)...)
			require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
			issues := r.JSON(t)["issues"].([]any)
			require.Len(t, issues, 1)
			issue := issues[0].(map[string]any)
			require.Equal(t, []any{"events", c.index}, issue["path"])
			require.Contains(t, issue["message"], c.msg)

			create := body(c.events)
			create["instanceName"] = "demo__c__bad"
			r = g.do("POST", "/instance/create", create, as(key)...)
			require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
			require.Equal(t, []any{"events", c.index}, r.JSON(t)["issues"].([]any)[0].(map[string]any)["path"])
		})
	}
	g.requireFilter(key, name, "http://127.0.0.1:9/hook", nil)
	require.Equal(t, http.StatusNotFound, g.do("GET", "/instance/demo__c__bad/webhook", nil, as(key)...).Status)

	beta := g.newTenant("beta")
	for _, c := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/instance/" + name + "/webhook", nil, http.StatusForbidden},
		{"PUT", "/instance/" + name + "/webhook", body([]string{}), http.StatusForbidden},
		{"GET", "/instance/demo__c__nope/webhook", nil, http.StatusForbidden},
		{"GET", "/instance/beta__c__nope/webhook", nil, http.StatusNotFound},
		{"PUT", "/instance/beta__c__nope/webhook", body(nil), http.StatusNotFound},
	} {
		r := g.do(c.method, c.path, c.body, as(beta)...)
		require.Equal(t, c.status, r.Status, "%s %s: %s", c.method, c.path, r.Body)
	}
	g.requireFilter(key, name, url, nil)
}

// requireFilter checks GET /instance/{name}/webhook: exactly the URL and
// the filter (nil: null), no secret.
func (g *gw) requireFilter(key, name, url string, events any) {
	g.t.Helper()
	r := g.do("GET", "/instance/"+name+"/webhook", nil, as(key)...)
	require.Equal(g.t, http.StatusOK, r.Status, string(r.Body))
	var got map[string]any
	require.NoError(g.t, json.Unmarshal(r.Body, &got))
	require.Equal(g.t, map[string]any{"webhookUrl": url, "events": events}, got)
	require.NotContains(g.t, string(r.Body), "secret")
}

// requireDeliveries waits until the instance's delivery list holds
// exactly events, all delivered (newest first).
func (g *gw) requireDeliveries(key, name string, events []string) {
	g.t.Helper()
	var last []map[string]any
	require.Eventually(g.t, func() bool {
		r := g.do("GET", "/instance/"+name+"/deliveries", nil, as(key)...)
		require.NoError(g.t, json.Unmarshal(r.Body, &last))
		var names []string
		for _, d := range last {
			if d["status"] != "delivered" {
				return false
			}
			names = append(names, d["event"].(string))
		}
		return slices.Equal(names, events)
	}, 10*time.Second, 20*time.Millisecond, "deliveries of %s: want %v", name, events)
	require.Len(g.t, last, len(events), "filtered events are not listed: %v", last)
}

func eventNames(got []received) []string {
	out := []string{}
	for _, r := range got {
		out = append(out, r.event)
	}
	return out
}

// receivedOf returns the message.received deliveries of WhatsApp id waID.
func receivedOf(got []received, waID string) []received {
	var out []received
	for _, r := range got {
		if r.event == "message.received" && byMessageID(waID)(r) {
			out = append(out, r)
		}
	}
	return out
}

func byMessageID(waID string) func(received) bool {
	return func(r received) bool {
		d, _ := r.body["data"].(map[string]any)
		return d["messageId"] == waID
	}
}

func bySentID(id string) func(received) bool {
	return func(r received) bool {
		d, _ := r.body["data"].(map[string]any)
		return d["id"] == id
	}
}
