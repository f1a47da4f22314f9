package main

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// GET /instance/{name}/messages over HTTP on the sandbox: both directions
// newest first, the filters, paging by nextCursor while messages arrive,
// and the 400s, 403 and 404 (every response is also checked against the
// OpenAPI document by g.do).

const (
	listInst  = "demo__c__list"
	listOther = "demo__c__list2"
	listPeer  = "5491112345678"
	listPeer2 = "5491100000009"
)

// sendTo sends a text from name to to and waits until it settled, so the
// listing shows its final state.
func (g *gw) sendTo(key, name, to, text string) string {
	g.t.Helper()
	id := g.accept(key, "/message/text", map[string]any{"instanceName": name, "to": to, "text": text, "lane": "urgent"})
	g.waitMessage(key, id)
	return id
}

// listPage gets one page of name's messages with query q.
func (g *gw) listPage(key, name string, q url.Values) (items []map[string]any, next any) {
	g.t.Helper()
	r := g.do("GET", "/instance/"+name+"/messages?"+q.Encode(), nil, as(key)...)
	require.Equal(g.t, http.StatusOK, r.Status, string(r.Body))
	body := r.JSON(g.t)
	for _, it := range body["items"].([]any) {
		items = append(items, it.(map[string]any))
	}
	return items, body["nextCursor"]
}

// listIDs is the "direction:id" of each item.
func listIDs(items []map[string]any) []string {
	out := []string{}
	for _, it := range items {
		id, _ := it["id"].(string)
		if it["direction"] == "in" {
			id = it["messageId"].(string)
		}
		out = append(out, it["direction"].(string)+":"+id)
	}
	return out
}

func TestMessageListing(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, listInst)
	g.link(key, listInst, "5491100000001")
	g.newInstance(key, listOther)
	g.link(key, listOther, "5491100000002")

	// Alternating, a few ms apart, so that "newest first" is one order.
	var want []string // oldest first
	pause := func() { time.Sleep(3 * time.Millisecond) }
	want = append(want, "out:"+g.sendTo(key, listInst, listPeer, "hola"))
	pause()
	want = append(want, "in:"+g.inbound(key, listInst, listPeer, "¿Tienen stock?"))
	pause()
	want = append(want, "out:"+g.sendTo(key, listInst, listPeer2, "para otro"))
	pause()
	want = append(want, "in:"+g.inbound(key, listInst, listPeer2, "respuesta del otro"))
	pause()
	want = append(want, "out:"+g.sendTo(key, listInst, listPeer, "Sí, tenemos"))
	g.inbound(key, listOther, listPeer, "to the other instance")
	g.sendTo(key, listOther, listPeer, "from the other instance")
	newestFirst := make([]string, len(want))
	for i, id := range want {
		newestFirst[len(want)-1-i] = id
	}

	var items []map[string]any
	require.Eventually(t, func() bool {
		items, _ = g.listPage(key, listInst, nil)
		return len(items) == len(want)
	}, 10*time.Second, 20*time.Millisecond, "every message is listed")
	require.Equal(t, newestFirst, listIDs(items))
	for _, it := range items {
		if it["direction"] == "out" {
			// GET /message/{id}'s view, plus direction and at = createdAt.
			m := g.do("GET", "/message/"+it["id"].(string), nil, as(key)...).JSON(t)
			require.Equal(t, m["createdAt"], it["at"])
			delete(it, "direction")
			delete(it, "at")
			require.Equal(t, m, it)
			continue
		}
		// message.received's data, plus direction and at.
		require.Equal(t, it["from"], it["chat"])
		require.Equal(t, "conversation", it["messageType"])
		require.NotEmpty(t, it["at"])
	}

	for name, tc := range map[string]struct {
		q    url.Values
		want []string
	}{
		"inbound":         {url.Values{"direction": {"in"}}, []string{newestFirst[1], newestFirst[3]}},
		"outbound":        {url.Values{"direction": {"out"}}, []string{newestFirst[0], newestFirst[2], newestFirst[4]}},
		"one chat":        {url.Values{"chat": {listPeer2}}, []string{newestFirst[1], newestFirst[2]}},
		"chat, inbound":   {url.Values{"chat": {listPeer2}, "direction": {"in"}}, []string{newestFirst[1]}},
		"a group, none":   {url.Values{"chat": {"120363025246125486@g.us"}}, []string{}},
		"the whole limit": {url.Values{"limit": {"100"}}, newestFirst},
	} {
		t.Run(name, func(t *testing.T) {
			items, next := g.listPage(key, listInst, tc.q)
			require.Equal(t, tc.want, listIDs(items))
			require.Nil(t, next)
		})
	}

	t.Run("pages while messages arrive", func(t *testing.T) {
		page, next := g.listPage(key, listInst, url.Values{"limit": {"2"}})
		got := listIDs(page)
		newer := g.sendTo(key, listInst, listPeer, "llegó mientras tanto")
		g.inbound(key, listInst, listPeer, "y otro")
		for next != nil {
			page, next = g.listPage(key, listInst, url.Values{"limit": {"2"}, "cursor": {next.(string)}})
			got = append(got, listIDs(page)...)
		}
		require.Equal(t, newestFirst, got, "no duplicates, no gaps")
		first, _ := g.listPage(key, listInst, url.Values{"limit": {"2"}, "direction": {"out"}})
		require.Equal(t, "out:"+newer, listIDs(first)[0], "a fresh first page shows them")
	})

	t.Run("bad queries", func(t *testing.T) {
		for name, tc := range map[string]struct {
			query, field, msg string
		}{
			"unknown direction":  {"direction=sideways", "direction", "Must be in or out"},
			"empty direction":    {"direction=", "direction", "Must be in or out"},
			"limit 0":            {"limit=0", "limit", "Must be a whole number from 1 to 100"},
			"limit 101":          {"limit=101", "limit", "Must be a whole number from 1 to 100"},
			"limit not a number": {"limit=ten", "limit", "Must be a whole number from 1 to 100"},
			"limit twice":        {"limit=1&limit=2", "limit", "Must be given once"},
			"chat with plus":     {"chat=%2B5491112345678", "chat", "Must be an international number"},
			"chat a name":        {"chat=juan", "chat", "or a group id"},
			"malformed cursor":   {"cursor=not-a-cursor", "cursor", "Must be a nextCursor"},
			"empty cursor":       {"cursor=", "cursor", "Must be a nextCursor"},
			"unknown parameter":  {"status=sent", "status", "Unknown query parameter"},
		} {
			t.Run(name, func(t *testing.T) {
				r := g.do("GET", "/instance/"+listInst+"/messages?"+tc.query, nil, as(key)...)
				requireIssue(t, r, tc.field, tc.msg)
			})
		}
		r := g.do("GET", "/instance/"+listInst+"/messages?cursor=%zz", nil, as(key)...)
		require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
	})

	t.Run("other tenants and unknown instances", func(t *testing.T) {
		other := g.newTenant("rival")
		r := g.do("GET", "/instance/"+listInst+"/messages", nil, as(other)...)
		require.Equal(t, http.StatusForbidden, r.Status, string(r.Body))
		r = g.do("GET", "/instance/demo__c__nope/messages", nil, as(key)...)
		require.Equal(t, http.StatusNotFound, r.Status, string(r.Body))
		r = g.do("GET", "/instance/"+listInst+"/messages", nil)
		require.Equal(t, http.StatusUnauthorized, r.Status, string(r.Body))
	})

	t.Run("deleting the instance deletes what it received", func(t *testing.T) {
		r := g.do("DELETE", "/instance/"+listOther, nil, as(key)...)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r = g.do("GET", "/instance/"+listOther+"/messages", nil, as(key)...)
		require.Equal(t, http.StatusNotFound, r.Status, string(r.Body))
		g.newInstance(key, listOther)
		items, _ := g.listPage(key, listOther, url.Values{"direction": {"in"}})
		require.Empty(t, items, "a new instance of the same name starts without them")
	})
}
