package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// Contacts and calls over HTTP on the sandbox: number checks, profiles,
// blocking, calls rejected by the rejectCalls setting, and participant
// changes made by others, each with its event.

func TestContacts(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, grpInst)
	base := "/instance/" + grpInst + "/contacts"

	r := g.do("POST", base+"/check", map[string]any{"phoneNumbers": []string{grpJuan}}, as(key)...)
	require.Equal(t, http.StatusConflict, r.Status, "not open: %s", r.Body)
	g.link(key, grpInst, grpSelf)

	r = g.do("POST", base+"/check", map[string]any{"phoneNumbers": []string{grpNone, grpJuan, grpNone}}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, []any{
		map[string]any{"phoneNumber": grpNone, "onWhatsApp": false},
		map[string]any{"phoneNumber": grpJuan, "onWhatsApp": true},
		map[string]any{"phoneNumber": grpNone, "onWhatsApp": false},
	}, r.list(t), "in the order asked, repeats answered")

	r = g.do("GET", base+"/"+grpJuan, nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, grpJuan, r.JSON(t)["phoneNumber"])
	require.Equal(t, true, r.JSON(t)["onWhatsApp"])
	r = g.do("GET", base+"/"+grpNone, nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, map[string]any{"phoneNumber": grpNone, "onWhatsApp": false, "name": nil, "about": nil, "pictureUrl": nil},
		r.JSON(t))

	for _, path := range []string{"/block", "/unblock"} {
		r = g.do("POST", base+"/"+grpJuan+path, nil, as(key)...)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		require.Equal(t, map[string]any{}, r.JSON(t))
	}

	for _, tc := range []struct {
		method, path string
		body         any
		issue        map[string]any
	}{
		{"POST", base + "/check", map[string]any{"phoneNumbers": []string{}},
			map[string]any{"path": []any{"phoneNumbers"}, "message": "Must have 1 to 50 phone numbers"}},
		{"GET", base + "/12", nil, map[string]any{"path": []any{"phoneNumber"},
			"message": "Must be an international number: 8 to 15 digits, no '+'"}},
	} {
		r = g.do(tc.method, tc.path, tc.body, as(key)...)
		require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
		require.Equal(t, []any{tc.issue}, r.JSON(t)["issues"])
	}

	stranger := g.newTenant("acme")
	for _, rt := range []struct {
		method, path string
		body         any
	}{
		{"POST", base + "/check", map[string]any{"phoneNumbers": []string{grpJuan}}},
		{"GET", base + "/" + grpJuan, nil},
		{"POST", base + "/" + grpJuan + "/block", nil},
		{"POST", base + "/" + grpJuan + "/unblock", nil},
	} {
		r = g.do(rt.method, rt.path, rt.body, as(stranger)...)
		require.Equal(t, http.StatusForbidden, r.Status, "%s %s: %s", rt.method, rt.path, r.Body)
	}
}

func TestCallsAndGroupEvents(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, grpInst, h)
	g.link(key, grpInst, grpSelf)

	call := func(video bool) map[string]any {
		r := g.do("POST", "/sandbox/"+grpInst+"/call", map[string]any{"from": grpJuan, "video": video}, as(key)...)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		return r.JSON(t)
	}
	first := call(false)
	require.Equal(t, false, first["rejected"])
	r := g.do("PATCH", "/instance/"+grpInst+"/settings", map[string]any{"rejectCalls": true}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	second := call(true)
	require.Equal(t, true, second["rejected"])
	for _, c := range []map[string]any{first, second} {
		ev := h.waitEvent("call.received", func(e received) bool {
			return e.body["data"].(map[string]any)["callId"] == c["callId"]
		})
		require.Equal(t, map[string]any{"from": grpJuan, "callId": c["callId"], "video": c["rejected"],
			"rejected": c["rejected"]}, ev.body["data"])
	}

	r = g.do("POST", "/instance/"+grpInst+"/groups", map[string]any{"subject": "Ventas", "participants": []string{grpJuan}}, as(key)...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	id := r.JSON(t)["id"].(string)
	r = g.do("POST", "/sandbox/"+grpInst+"/group-event", map[string]any{"group": id, "action": "add",
		"participants": []string{grpCarla}, "by": grpJuan}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, map[string]any{}, r.JSON(t))
	ev := h.waitEvent("group.participants", func(e received) bool {
		d := e.body["data"].(map[string]any)
		return d["by"] == grpJuan
	})
	require.Equal(t, map[string]any{"group": id, "action": "add", "participants": []any{grpCarla}, "by": grpJuan},
		ev.body["data"])
	r = g.do("GET", "/instance/"+grpInst+"/groups/"+id, nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Contains(t, r.JSON(t)["participants"], map[string]any{"phoneNumber": grpCarla, "admin": nil})
}
