package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The kinds whose content is more than text or a file (location, contact,
// poll), over HTTP on the sandbox: accepted as the OpenAPI document says,
// sent, and seen in GET /sandbox/{name}/sent in their send shapes.

const kindsInst = "demo__c__main"

// accept posts a send the OpenAPI document must accept as a request, and
// returns the id of the 202.
func (g *gw) accept(key, path string, body map[string]any) string {
	g.t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(g.t, err)
	req, err := http.NewRequest("POST", g.base+path, bytes.NewReader(raw))
	require.NoError(g.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("apikey", key)
	require.NoError(g.t, g.checker.CheckRequest(req, raw), "the document accepts what the gateway accepts")
	r := g.do("POST", path, body, as(key)...)
	require.Equal(g.t, http.StatusAccepted, r.Status, string(r.Body))
	return r.JSON(g.t)["id"].(string)
}

func TestSendLocationContactPoll(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, kindsInst)
	g.link(key, kindsInst, "5491100000001")
	const to = "5491112345678"
	typed := func(extra map[string]any) map[string]any {
		extra["instanceName"], extra["to"] = kindsInst, to
		return extra
	}

	location := g.accept(key, "/message/location", typed(map[string]any{"latitude": -34.603722, "longitude": -58.381592,
		"name": "Obelisco", "address": "Av. 9 de Julio s/n, {CABA|Buenos Aires}"}))
	pin := g.accept(key, "/message/location", typed(map[string]any{"latitude": 0, "longitude": 0}))
	cards := g.accept(key, "/message/contact", typed(map[string]any{"contacts": []any{
		map[string]any{"fullName": "Juan Pérez", "phoneNumber": "5491112345678"},
		map[string]any{"fullName": "Ana; Gómez", "phoneNumber": "5491187654321", "organization": "Acme, S.A.", "email": "ana@acme.example"},
	}}))
	poll := g.accept(key, "/message/poll", typed(map[string]any{"question": "¿{Dónde|Cuándo}?",
		"options": []any{"Pizza 🍕", "Sushi", "Empanadas"}, "selectableCount": 2}))
	defaultPoll := g.accept(key, "/message/poll", typed(map[string]any{"question": "Yes or no?", "options": []any{"Yes", "No"}}))
	// One kind through POST /message/send: the instance is the client's only open one.
	viaClient := g.accept(key, "/message/send", map[string]any{"tenantId": "demo", "clientId": "c", "type": "contact", "to": to,
		"contacts": []any{map[string]any{"fullName": "Soporte", "phoneNumber": "5491100000009", "organization": nil}}})

	types := map[string]string{location: "location", pin: "location", cards: "contact", poll: "poll", defaultPoll: "poll", viaClient: "contact"}
	for id, typ := range types {
		m := g.waitMessage(key, id)
		require.Equal(t, "sent", m["status"], "%v", m)
		require.Equal(t, typ, m["type"])
	}

	byID := map[string]map[string]any{}
	for _, e := range g.sent(key, kindsInst) {
		entry := e.(map[string]any)
		byID[entry["messageId"].(string)] = entry
	}
	require.Len(t, byID, len(types))
	for id, typ := range types {
		e := byID[id]
		require.Equal(t, typ, e["type"])
		require.Equal(t, to, e["to"])
		for _, field := range []string{"text", "caption", "mediaUrl", "fileName"} {
			require.Nil(t, e[field], "%s: %s", typ, field)
		}
		for _, field := range []string{"location", "contacts", "poll"} {
			require.Contains(t, e, field)
			if field != map[string]string{"location": "location", "contact": "contacts", "poll": "poll"}[typ] {
				require.Nil(t, e[field], "%s entry: %s is null", typ, field)
			}
		}
	}
	require.Equal(t, map[string]any{"latitude": -34.603722, "longitude": -58.381592, "name": "Obelisco",
		"address": "Av. 9 de Julio s/n, {CABA|Buenos Aires}"}, byID[location]["location"], "no spintax outside text and captions")
	require.Equal(t, map[string]any{"latitude": 0.0, "longitude": 0.0, "name": nil, "address": nil}, byID[pin]["location"])
	require.Equal(t, []any{
		map[string]any{"fullName": "Juan Pérez", "phoneNumber": "5491112345678", "organization": nil, "email": nil},
		map[string]any{"fullName": "Ana; Gómez", "phoneNumber": "5491187654321", "organization": "Acme, S.A.", "email": "ana@acme.example"},
	}, byID[cards]["contacts"])
	require.Equal(t, []any{map[string]any{"fullName": "Soporte", "phoneNumber": "5491100000009", "organization": nil, "email": nil}},
		byID[viaClient]["contacts"])
	require.Equal(t, map[string]any{"question": "¿{Dónde|Cuándo}?", "options": []any{"Pizza 🍕", "Sushi", "Empanadas"},
		"selectableCount": 2.0}, byID[poll]["poll"])
	require.Equal(t, map[string]any{"question": "Yes or no?", "options": []any{"Yes", "No"}, "selectableCount": 1.0},
		byID[defaultPoll]["poll"], "one answer unless the request says otherwise")
}

// TestKindValidation: each rule of the new kinds is a 400 at the field it
// is about, on the typed routes and on POST /message/send alike, and
// nothing is queued.
func TestKindValidation(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, kindsInst)
	card := func(name, number string) map[string]any {
		return map[string]any{"fullName": name, "phoneNumber": number}
	}
	cards := func(n int) []any {
		list := make([]any, n)
		for i := range list {
			list[i] = card(fmt.Sprint("Person ", i), fmt.Sprint(5491100000010+i))
		}
		return list
	}
	options := func(n int) []any {
		list := make([]any, n)
		for i := range list {
			list[i] = fmt.Sprint("Option ", i)
		}
		return list
	}
	typed := func(body map[string]any) map[string]any {
		body["instanceName"], body["to"] = kindsInst, "5491112345678"
		return body
	}
	client := func(typ string, body map[string]any) map[string]any {
		body["tenantId"], body["clientId"], body["type"], body["to"] = "demo", "c", typ, "5491112345678"
		return body
	}
	cases := []struct {
		name  string
		path  string
		body  map[string]any
		paths []any // of the issues, in order
	}{
		{"latitude above 90", "/message/location", typed(map[string]any{"latitude": 90.5, "longitude": 0}), []any{[]any{"latitude"}}},
		{"longitude below -180", "/message/location", typed(map[string]any{"latitude": 0, "longitude": -180.5}), []any{[]any{"longitude"}}},
		{"latitude as text", "/message/location", typed(map[string]any{"latitude": "-34.6", "longitude": 0}), []any{[]any{"latitude"}}},
		{"no coordinates", "/message/location", typed(map[string]any{"name": "somewhere"}), []any{[]any{"latitude"}, []any{"longitude"}}},
		{"name too long", "/message/location", typed(map[string]any{"latitude": 1, "longitude": 1, "name": strings.Repeat("x", 1001)}),
			[]any{[]any{"name"}}},
		{"one poll option", "/message/poll", typed(map[string]any{"question": "q", "options": options(1)}), []any{[]any{"options"}}},
		{"13 poll options", "/message/poll", typed(map[string]any{"question": "q", "options": options(13)}), []any{[]any{"options"}}},
		{"duplicate options", "/message/poll", typed(map[string]any{"question": "q", "options": []any{"Yes", "No", "Yes"}}),
			[]any{[]any{"options", 2.0}}},
		{"empty option", "/message/poll", typed(map[string]any{"question": "q", "options": []any{"Yes", ""}}), []any{[]any{"options", 1.0}}},
		{"no question", "/message/poll", typed(map[string]any{"options": []any{"Yes", "No"}}), []any{[]any{"question"}}},
		{"selectableCount 0", "/message/poll", typed(map[string]any{"question": "q", "options": []any{"a", "b"}, "selectableCount": 0}),
			[]any{[]any{"selectableCount"}}},
		{"selectableCount above the options", "/message/poll",
			typed(map[string]any{"question": "q", "options": []any{"a", "b"}, "selectableCount": 3}), []any{[]any{"selectableCount"}}},
		{"0 contacts", "/message/contact", typed(map[string]any{"contacts": cards(0)}), []any{[]any{"contacts"}}},
		{"11 contacts", "/message/contact", typed(map[string]any{"contacts": cards(11)}), []any{[]any{"contacts"}}},
		{"bad contact number", "/message/contact", typed(map[string]any{"contacts": []any{card("A", "5491112345678"), card("B", "+5491112345678")}}),
			[]any{[]any{"contacts", 1.0, "phoneNumber"}}},
		{"contact without a name", "/message/contact", typed(map[string]any{"contacts": []any{card("", "5491112345678")}}),
			[]any{[]any{"contacts", 0.0, "fullName"}}},
		{"spintax field on a poll", "/message/poll", typed(map[string]any{"question": "q", "options": []any{"a", "b"}, "text": "hi"}),
			[]any{[]any{"text"}}},
		{"one option, to a client", "/message/send", client("poll", map[string]any{"question": "q", "options": options(1)}),
			[]any{[]any{"options"}}},
		{"bad coordinates, to a client", "/message/send", client("location", map[string]any{"latitude": -91, "longitude": 181}),
			[]any{[]any{"latitude"}, []any{"longitude"}}},
		{"field of another kind, to a client", "/message/send",
			client("location", map[string]any{"latitude": 1, "longitude": 1, "question": "q"}), []any{[]any{"question"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := g.do("POST", c.path, c.body, as(key)...)
			require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
			var paths []any
			for _, is := range r.JSON(t)["issues"].([]any) {
				paths = append(paths, is.(map[string]any)["path"])
			}
			require.Equal(t, c.paths, paths, string(r.Body))
		})
	}
	r := g.do("GET", "/instance/"+kindsInst+"/queue", nil, as(key)...)
	require.JSONEq(t, `{"urgent":0,"normal":0,"bulk":0,"total":0}`, string(r.Body), "nothing refused was queued")
}
