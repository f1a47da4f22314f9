package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Read receipts over HTTP on the sandbox: messages someone wrote to the
// instance (POST /sandbox/{name}/inbound), in a direct chat and in a
// group, are marked read with POST /instance/{name}/read, and the
// sandbox's phone network lists what it got (GET /sandbox/{name}/read).

const (
	readInst  = "demo__c__main"
	readPeer  = "5491112345678"
	readGroup = "120363025246125486@g.us"
)

// reads lists what GET /sandbox/{name}/read says the instance marked read.
func (g *gw) reads(key, name string) []map[string]any {
	g.t.Helper()
	r := g.do("GET", "/sandbox/"+name+"/read", nil, as(key)...)
	require.Equal(g.t, http.StatusOK, r.Status, string(r.Body))
	var v []map[string]any
	require.NoError(g.t, jsonUnmarshal(r.Body, &v))
	return v
}

func TestMarkRead(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, readInst)
	g.link(key, readInst, "5491100000001")
	r := g.do("PATCH", "/instance/"+readInst+"/settings", map[string]any{"receiveGroups": true}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Empty(t, g.reads(key, readInst), "nothing marked read yet")

	first := g.inbound(key, readInst, readPeer, "hola")
	second := g.inbound(key, readInst, readPeer, "¿siguen abiertos?")
	r = g.do("POST", "/sandbox/"+readInst+"/inbound", map[string]any{"from": "5491155550000", "chat": readGroup,
		"messageType": "conversation", "text": "en el grupo"}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	inGroup := r.JSON(t)["messageId"].(string)

	before := time.Now().UTC().Add(-time.Second)
	r = g.do("POST", "/instance/"+readInst+"/read", map[string]any{"messageIds": []string{first, inGroup, second, first}}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Empty(t, r.JSON(t), "200 {}")

	got := g.reads(key, readInst)
	ids := make([]string, 0, len(got))
	for _, e := range got {
		ids = append(ids, e["messageId"].(string))
		at, err := time.Parse(time.RFC3339Nano, e["at"].(string))
		require.NoError(t, err)
		require.WithinRange(t, at, before, time.Now().Add(time.Second))
	}
	// One receipt per chat and writer, in the order each first appears:
	// the direct chat's two messages together, the repeat once.
	require.Equal(t, []string{first, second, inGroup}, ids)
}

func TestMarkReadErrors(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, readInst)
	g.link(key, readInst, "5491100000001")
	waID := g.inbound(key, readInst, readPeer, "hola")
	other := g.newTenant("acme")
	g.newInstance(other, "acme__c__main")

	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("3EB0%016d", i)
	}
	issue := func(msg string, path ...any) []any {
		return []any{map[string]any{"path": path, "message": msg}}
	}
	for _, tc := range []struct {
		name, path string
		key        string
		ids        any
		status     int
		issues     []any
	}{
		{"empty list", "/instance/" + readInst + "/read", key, []string{}, http.StatusBadRequest,
			issue("Must have 1 to 100 message ids", "messageIds")},
		{"101 ids", "/instance/" + readInst + "/read", key, many, http.StatusBadRequest,
			issue("Must have 1 to 100 message ids", "messageIds")},
		{"an id never received", "/instance/" + readInst + "/read", key, []string{waID, "3EB0NEVERRECEIVED"}, http.StatusBadRequest,
			issue("Not a message this instance received, or past its retention", "messageIds", float64(1))},
		{"another tenant's instance", "/instance/acme__c__main/read", key, []string{waID}, http.StatusForbidden, nil},
		{"the other tenant names ours", "/instance/" + readInst + "/read", other, []string{waID}, http.StatusForbidden, nil},
		{"unknown own instance", "/instance/demo__c__nope/read", key, []string{waID}, http.StatusNotFound, nil},
		{"another instance's message", "/instance/acme__c__main/read", other, []string{waID}, http.StatusBadRequest,
			issue("Not a message this instance received, or past its retention", "messageIds", float64(0))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := g.do("POST", tc.path, map[string]any{"messageIds": tc.ids}, as(tc.key)...)
			require.Equal(t, tc.status, r.Status, string(r.Body))
			if tc.issues != nil {
				require.Equal(t, tc.issues, r.JSON(t)["issues"])
			}
		})
	}
	require.Empty(t, g.reads(key, readInst), "no failed request sent anything")

	// An instance that is not open sends nothing: 409.
	r := g.do("POST", "/sandbox/"+readInst+"/disconnect", map[string]any{"reason": "logged_out"}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	g.waitState(key, readInst, "close")
	r = g.do("POST", "/instance/"+readInst+"/read", map[string]any{"messageIds": []string{waID}}, as(key)...)
	require.Equal(t, http.StatusConflict, r.Status, string(r.Body))
	require.Contains(t, r.JSON(t)["error"], "Instance is not open")
	require.Empty(t, g.reads(key, readInst))
}
