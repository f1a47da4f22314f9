package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
)

// TestInstanceSettings: defaults, a partial PATCH, settings at creation,
// strict bodies and tenant isolation.
func TestInstanceSettings(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, "demo__c__main")
	path := "/instance/demo__c__main/settings"

	r := g.do("GET", path, nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.JSONEq(t, `{"typingSimulation":true,"receiveGroups":false,"rejectCalls":false}`, string(r.Body))

	r = g.do("PATCH", path, map[string]any{}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.JSONEq(t, `{"typingSimulation":true,"receiveGroups":false,"rejectCalls":false}`, string(r.Body))
	r = g.do("PATCH", path, map[string]any{"rejectCalls": true, "typingSimulation": false}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.JSONEq(t, `{"typingSimulation":false,"receiveGroups":false,"rejectCalls":true}`, string(r.Body))
	r = g.do("PATCH", path, map[string]any{"receiveGroups": true}, as(key)...)
	require.JSONEq(t, `{"typingSimulation":false,"receiveGroups":true,"rejectCalls":true}`, string(r.Body))
	r = g.do("GET", path, nil, as(key)...)
	require.JSONEq(t, `{"typingSimulation":false,"receiveGroups":true,"rejectCalls":true}`, string(r.Body))

	for _, tc := range []struct {
		name, body, at string
	}{
		{"unknown field", `{"typing":true}`, "typing"},
		{"wrong type", `{"typingSimulation":"yes"}`, "typingSimulation"},
		{"not an object", `[]`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := g.do("PATCH", path, tc.body, as(key)...)
			require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
			require.Contains(t, string(r.Body), tc.at)
		})
	}
	r = g.do("GET", path, nil, as(key)...)
	require.JSONEq(t, `{"typingSimulation":false,"receiveGroups":true,"rejectCalls":true}`, string(r.Body), "a refused PATCH changes nothing")

	// Created with some settings: the others take their defaults.
	create := func(name string, settings any) resp {
		return g.do("POST", "/instance/create", map[string]any{"instanceName": name, "webhookUrl": "http://127.0.0.1:9/hook",
			"webhookSecret": "0123456789abcdef", "settings": settings}, as(key)...)
	}
	r = create("demo__c__set", map[string]any{"receiveGroups": true})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	r = g.do("GET", "/instance/demo__c__set/settings", nil, as(key)...)
	require.JSONEq(t, `{"typingSimulation":true,"receiveGroups":true,"rejectCalls":false}`, string(r.Body))
	require.Equal(t, http.StatusBadRequest, create("demo__c__bad", map[string]any{"rejectCall": true}).Status)
	require.Equal(t, http.StatusBadRequest, create("demo__c__bad", map[string]any{"rejectCalls": 1}).Status)
	require.Equal(t, http.StatusBadRequest, create("demo__c__bad", "on").Status)
	require.Equal(t, http.StatusNotFound, g.do("GET", "/instance/demo__c__bad/settings", nil, as(key)...).Status,
		"nothing was created")

	// Another tenant's instance is 403 whether or not it exists; an own
	// name that does not exist is 404.
	other := g.newTenant("other")
	require.Equal(t, http.StatusForbidden, g.do("GET", path, nil, as(other)...).Status)
	require.Equal(t, http.StatusForbidden, g.do("PATCH", path, map[string]any{"rejectCalls": false}, as(other)...).Status)
	require.Equal(t, http.StatusNotFound, g.do("GET", "/instance/other__c__none/settings", nil, as(other)...).Status)
	require.Equal(t, http.StatusNotFound, g.do("PATCH", "/instance/other__c__none/settings", map[string]any{}, as(other)...).Status)
	require.Equal(t, http.StatusUnauthorized, g.do("GET", path, nil).Status)
	r = g.do("GET", path, nil, as(key)...)
	require.JSONEq(t, `{"typingSimulation":false,"receiveGroups":true,"rejectCalls":true}`, string(r.Body))
}

// TestTypingSimulation: the sandbox records "typing…" before a text,
// "recording audio…" before an audio and paused once each was sent; none
// while typingSimulation is off.
func TestTypingSimulation(t *testing.T) {
	ogg := append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead\x01\x01"), make([]byte, 32)...)
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(ogg) }))
	defer media.Close()
	// Urgent waits 200–400 ms: time enough to show typing, which never
	// holds a send back.
	g := startGateway(t, func(c *config.Local) { c.LaneDelayScale = 0.2 })
	key := g.demoKey
	g.newInstance(key, "demo__c__main")
	g.link(key, "demo__c__main", "5491100000001")
	send := func(path, to string, body map[string]any) map[string]any {
		body["instanceName"], body["to"], body["lane"] = "demo__c__main", to, "urgent"
		r := g.do("POST", path, body, as(key)...)
		require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
		m := g.waitMessage(key, r.JSON(t)["id"].(string))
		require.Equal(t, "sent", m["status"], "%v", m)
		return m
	}
	presences := func(n int) []map[string]any {
		var list []any
		require.Eventually(t, func() bool {
			r := g.do("GET", "/sandbox/demo__c__main/presence", nil, as(key)...)
			require.Equal(t, http.StatusOK, r.Status, string(r.Body))
			require.NoError(t, jsonUnmarshal(r.Body, &list))
			return len(list) >= n
		}, 10*time.Second, 10*time.Millisecond, "%d presences", n)
		out := make([]map[string]any, 0, len(list))
		for _, p := range list {
			out = append(out, p.(map[string]any))
		}
		return out
	}
	states := func(ps []map[string]any) [][2]string {
		out := [][2]string{}
		for _, p := range ps {
			out = append(out, [2]string{p["to"].(string), p["state"].(string)})
		}
		return out
	}

	text := send("/message/text", "5491112345678", map[string]any{"text": "hi"})
	audio := send("/message/audio", "5491187654321", map[string]any{"audioUrl": media.URL + "/a.ogg"})
	got := presences(4)
	require.Equal(t, [][2]string{{"5491112345678", "composing"}, {"5491112345678", "paused"},
		{"5491187654321", "recording"}, {"5491187654321", "paused"}}, states(got))
	// Timestamps in one format compare as strings.
	for i, m := range []map[string]any{text, audio} {
		require.LessOrEqual(t, got[2*i]["at"], m["sentAt"], "typing before the send")
		require.GreaterOrEqual(t, got[2*i+1]["at"], m["sentAt"], "paused after it")
	}

	r := g.do("PATCH", "/instance/demo__c__main/settings", map[string]any{"typingSimulation": false}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	send("/message/text", "5491100000002", map[string]any{"text": "quiet"})
	r = g.do("PATCH", "/instance/demo__c__main/settings", map[string]any{"typingSimulation": true}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	send("/message/text", "5491100000003", map[string]any{"text": "typed again"})
	// A chat's presences never overlap the next message's (the host
	// shows them one message after the other), so once the last one's
	// paused is listed, anything shown for the quiet one would be too.
	got = presences(6)
	require.Equal(t, [][2]string{{"5491100000003", "composing"}, {"5491100000003", "paused"}}, states(got[4:]))

	other := g.newTenant("other")
	require.Equal(t, http.StatusForbidden, g.do("GET", "/sandbox/demo__c__main/presence", nil, as(other)...).Status)
}
