package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/phone"
)

// Groups over HTTP on the sandbox: every route of API.md's "Groups", the
// events they cause, WhatsApp's refusals as the documented codes, and
// tenant isolation.

const (
	grpInst  = "demo__c__main"
	grpSelf  = "5491100000001"
	grpJuan  = "5491112345678"
	grpCarla = "5491187654321"
	grpNone  = "99912345678" // not on WhatsApp in the sandbox
)

// list decodes a JSON array response.
func (r resp) list(t *testing.T) []any {
	t.Helper()
	var v []any
	require.NoError(t, json.Unmarshal(r.Body, &v), string(r.Body))
	return v
}

func TestGroups(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, grpInst, h)
	base := "/instance/" + grpInst + "/groups"

	r := g.do("GET", base, nil, as(key)...)
	require.Equal(t, http.StatusConflict, r.Status, "not open: %s", r.Body)
	require.Contains(t, r.JSON(t)["error"], "Instance is not open")
	g.link(key, grpInst, grpSelf)

	r = g.do("POST", base, map[string]any{"subject": "Ventas", "participants": []string{grpJuan, grpNone}}, as(key)...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	grp := r.JSON(t)
	id := grp["id"].(string)
	require.Regexp(t, `^[0-9]{5,20}(-[0-9]{5,15})?@g\.us$`, id)
	require.Equal(t, "Ventas", grp["subject"])
	require.Equal(t, grpSelf, grp["owner"])
	require.ElementsMatch(t, []any{
		map[string]any{"phoneNumber": grpSelf, "admin": "superadmin"},
		map[string]any{"phoneNumber": grpJuan, "admin": nil},
	}, grp["participants"], "the number not on WhatsApp is left out")

	r = g.do("GET", base, nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Contains(t, r.list(t), map[string]any{"id": id, "subject": "Ventas", "participants": float64(2), "isAdmin": true})

	r = g.do("PATCH", base+"/"+id, map[string]any{"subject": "Ventas AR", "description": "Equipo", "announce": true}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, "Ventas AR", r.JSON(t)["subject"])
	require.Equal(t, "Equipo", r.JSON(t)["description"])
	require.Equal(t, true, r.JSON(t)["announce"])
	h.waitEvent("group.updated", func(e received) bool {
		d := e.body["data"].(map[string]any)
		return d["group"] == id && d["subject"] == "Ventas AR" && d["announce"] == true
	})

	r = g.do("POST", base+"/"+id+"/participants", map[string]any{"action": "add",
		"participants": []string{grpCarla, grpNone, grpJuan}}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	res := r.list(t)
	require.Len(t, res, 3)
	require.Equal(t, map[string]any{"phoneNumber": grpCarla, "status": "ok", "error": nil}, res[0])
	require.Equal(t, map[string]any{"phoneNumber": grpNone, "status": "not_on_whatsapp", "error": nil}, res[1])
	require.Equal(t, grpJuan, res[2].(map[string]any)["phoneNumber"], "answers in the order asked")
	h.waitEvent("group.participants", func(e received) bool {
		d := e.body["data"].(map[string]any)
		return d["group"] == id && d["action"] == "add" && slices.Contains(d["participants"].([]any), any(grpCarla))
	})
	r = g.do("POST", base+"/"+id+"/participants", map[string]any{"action": "promote", "participants": []string{grpCarla}}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = g.do("GET", base+"/"+id, nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Contains(t, r.JSON(t)["participants"], map[string]any{"phoneNumber": grpCarla, "admin": "admin"})

	r = g.do("GET", base+"/"+id+"/invite", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	link := r.JSON(t)["inviteLink"].(string)
	require.True(t, strings.HasPrefix(link, "https://chat.whatsapp.com/"), link)
	r = g.do("GET", base+"/"+id+"/invite", nil, as(key)...)
	require.Equal(t, link, r.JSON(t)["inviteLink"], "stable until revoked")
	r = g.do("DELETE", base+"/"+id+"/invite", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	fresh := r.JSON(t)["inviteLink"].(string)
	require.NotEqual(t, link, fresh)

	// A second instance of the tenant joins by the new link; the revoked
	// one is 404.
	other := "demo__c__other"
	g.newInstance(key, other)
	g.link(key, other, "5491100000002")
	r = g.do("POST", "/instance/"+other+"/groups/join", map[string]any{"inviteLink": link}, as(key)...)
	require.Equal(t, http.StatusNotFound, r.Status, string(r.Body))
	r = g.do("POST", "/instance/"+other+"/groups/join", map[string]any{"inviteLink": fresh}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, map[string]any{"id": id}, r.JSON(t))
	r = g.do("POST", "/instance/"+other+"/groups/"+id+"/leave", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, map[string]any{}, r.JSON(t))
	r = g.do("GET", "/instance/"+other+"/groups", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	for _, e := range r.list(t) {
		require.NotEqual(t, id, e.(map[string]any)["id"], "left")
	}

	// A group of another instance of the same tenant: 404 (the other
	// instance left it); another tenant's instance: 403.
	r = g.do("GET", "/instance/"+other+"/groups/"+id, nil, as(key)...)
	require.Equal(t, http.StatusNotFound, r.Status, string(r.Body))
	stranger := g.newTenant("acme")
	for _, rt := range []struct{ method, path string }{
		{"GET", base}, {"POST", base}, {"GET", base + "/" + id}, {"PATCH", base + "/" + id},
		{"POST", base + "/" + id + "/participants"}, {"GET", base + "/" + id + "/invite"},
		{"DELETE", base + "/" + id + "/invite"}, {"POST", base + "/join"}, {"POST", base + "/" + id + "/leave"},
	} {
		var body any
		switch {
		case rt.method == "POST" && rt.path == base:
			body = map[string]any{"subject": "x", "participants": []string{grpJuan}}
		case rt.method == "PATCH":
			body = map[string]any{"subject": "x"}
		case strings.HasSuffix(rt.path, "/participants"):
			body = map[string]any{"action": "add", "participants": []string{grpJuan}}
		case strings.HasSuffix(rt.path, "/join"):
			body = map[string]any{"inviteLink": fresh}
		}
		r = g.do(rt.method, rt.path, body, as(stranger)...)
		require.Equal(t, http.StatusForbidden, r.Status, "%s %s: %s", rt.method, rt.path, r.Body)
	}

	r = g.do("POST", base+"/"+id+"/leave", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = g.do("GET", base+"/"+id, nil, as(key)...)
	require.Equal(t, http.StatusNotFound, r.Status, "left: %s", r.Body)
}

func TestGroupErrors(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, grpInst)
	g.link(key, grpInst, grpSelf)
	base := "/instance/" + grpInst + "/groups"
	r := g.do("POST", base, map[string]any{"subject": "Ventas", "participants": []string{grpJuan}}, as(key)...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	id := r.JSON(t)["id"].(string)

	issue := func(msg string, path ...any) map[string]any {
		p := []any{}
		for _, el := range path {
			if i, ok := el.(int); ok {
				el = float64(i) // as JSON decodes it
			}
			p = append(p, el)
		}
		return map[string]any{"path": p, "message": msg}
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = grpJuan
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		issues             []any
	}{
		{"no subject", "POST", base, map[string]any{"participants": []string{grpJuan}},
			[]any{issue("Required", "subject")}},
		{"long subject", "POST", base, map[string]any{"subject": strings.Repeat("a", 101), "participants": []string{grpJuan}},
			[]any{issue("Must be 1 to 100 characters", "subject")}},
		{"bad number", "POST", base, map[string]any{"subject": "x", "participants": []string{grpJuan, "+54 9"}},
			[]any{issue(phone.FormatMessage, "participants", 1)}},
		{"too many", "POST", base + "/" + id + "/participants", map[string]any{"action": "add", "participants": many},
			[]any{issue("Must have 1 to 50 phone numbers", "participants")}},
		{"bad action", "POST", base + "/" + id + "/participants", map[string]any{"action": "kick", "participants": []string{grpJuan}},
			[]any{issue("Must be one of add, remove, promote, demote", "action")}},
		{"empty patch", "PATCH", base + "/" + id, map[string]any{},
			[]any{issue("Give at least one of subject, description, announce, locked")}},
		{"bad group id", "GET", base + "/12345", nil,
			[]any{issue("Must be a group id: digits, optionally - and digits, then @g.us", "groupId")}},
		{"bad link", "POST", base + "/join", map[string]any{"inviteLink": "https://example.com/x"},
			[]any{issue("Must be a WhatsApp invite link: https://chat.whatsapp.com/<code>", "inviteLink")}},
		{"unknown field", "POST", base + "/join", map[string]any{"inviteLink": "https://chat.whatsapp.com/AbCdEfGhIjKl", "x": 1}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := g.do(tc.method, tc.path, tc.body, as(key)...)
			require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
			if tc.issues != nil {
				require.Equal(t, tc.issues, r.JSON(t)["issues"])
			}
		})
	}

	// WhatsApp's refusals: removing someone who is not a member is a
	// per-number refusal; a group the instance was never in, 404; a join
	// link the sandbox never issued, 404.
	r = g.do("POST", base+"/"+id+"/participants", map[string]any{"action": "remove", "participants": []string{grpCarla}}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, "refused", r.list(t)[0].(map[string]any)["status"])
	require.NotNil(t, r.list(t)[0].(map[string]any)["error"])
	r = g.do("POST", base+"/join", map[string]any{"inviteLink": "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv"}, as(key)...)
	require.Equal(t, http.StatusNotFound, r.Status, string(r.Body))

	r = g.do("POST", "/sandbox/"+grpInst+"/disconnect", map[string]any{"reason": "logged_out"}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = g.do("GET", base+"/"+id, nil, as(key)...)
	require.Equal(t, http.StatusConflict, r.Status, string(r.Body))
}
