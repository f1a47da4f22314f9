package httpapi

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/gateway"
)

// TestWebhookFilterRoutes: create and PUT take events (absent and null:
// every event, [] none), PUT replaces the whole configuration, GET shows
// it without the secret, and every bad filter is a 400 at its element.
// The steps run in order against one instance: each one's GET sees what
// the step before it stored.
func TestWebhookFilterRoutes(t *testing.T) {
	a := newTestAPI(t, nil)
	const (
		inst = "/instance/acme__c__main/webhook"
		hook = `"webhookUrl":"https://hooks.example.com/x","webhookSecret":"0123456789abcdef"`
	)
	issue := func(msg string, path ...any) any {
		for i, p := range path {
			if n, ok := p.(int); ok {
				path[i] = float64(n) // as JSON decodes it
			}
		}
		return []any{map[string]any{"path": path, "message": msg}}
	}
	unknown := "Unknown event; allowed: " + allowed()
	steps := []struct {
		name         string
		method, path string
		body         string
		status       int
		want         map[string]any // the whole answer on 2xx; issues on 400
		then         any            // the events GET answers afterwards
	}{
		{name: "created without a filter", method: "GET", path: inst, status: 200,
			want: map[string]any{"webhookUrl": "https://hooks.example.com/x", "events": nil}, then: nil},
		{name: "a list", method: "PUT", path: inst, body: `{` + hook + `,"events":["message.received","instance.connected"]}`, status: 200,
			want: map[string]any{"instanceName": "acme__c__main", "webhookUrl": "https://hooks.example.com/x",
				"events": []any{"message.received", "instance.connected"}},
			then: []any{"message.received", "instance.connected"}},
		{name: "an empty list is no event, not every event", method: "PUT", path: inst, body: `{` + hook + `,"events":[]}`, status: 200,
			want: map[string]any{"instanceName": "acme__c__main", "webhookUrl": "https://hooks.example.com/x", "events": []any{}},
			then: []any{}},
		{name: "PUT without events removes the filter", method: "PUT", path: inst, body: `{` + hook + `}`, status: 200,
			want: map[string]any{"instanceName": "acme__c__main", "webhookUrl": "https://hooks.example.com/x", "events": nil},
			then: nil},
		{name: "set again", method: "PUT", path: inst, body: `{` + hook + `,"events":["message.sent"]}`, status: 200,
			want: map[string]any{"instanceName": "acme__c__main", "webhookUrl": "https://hooks.example.com/x", "events": []any{"message.sent"}},
			then: []any{"message.sent"}},
		{name: "null removes it too", method: "PUT", path: inst, body: `{` + hook + `,"events":null}`, status: 200,
			want: map[string]any{"instanceName": "acme__c__main", "webhookUrl": "https://hooks.example.com/x", "events": nil},
			then: nil},
		{name: "an unknown name", method: "PUT", path: inst, body: `{` + hook + `,"events":["message.sent","message.recieved"]}`,
			status: 400, want: map[string]any{"issues": issue(unknown, "events", 1)}, then: nil},
		{name: "a name listed twice", method: "PUT", path: inst, body: `{` + hook + `,"events":["message.sent","message.sent"]}`,
			status: 400, want: map[string]any{"issues": issue("Listed twice: name each event once", "events", 1)}, then: nil},
		{name: "case matters", method: "PUT", path: inst, body: `{` + hook + `,"events":["Message.Sent"]}`,
			status: 400, want: map[string]any{"issues": issue(unknown, "events", 0)}, then: nil},
		{name: "a null name", method: "PUT", path: inst, body: `{` + hook + `,"events":[null]}`,
			status: 400, want: map[string]any{"issues": issue(unknown, "events", 0)}, then: nil},
		{name: "not an array", method: "PUT", path: inst, body: `{` + hook + `,"events":"message.sent"}`,
			status: 400, want: map[string]any{"issues": issue("Must be of type array", "events")}, then: nil},
		{name: "not strings", method: "PUT", path: inst, body: `{` + hook + `,"events":[1]}`,
			status: 400, want: map[string]any{"issues": issue("Must be of type string", "events", 0)}, then: nil},
		{name: "create with a filter", method: "POST", path: "/instance/create",
			body: `{"instanceName":"acme__c__other",` + hook + `,"events":["message.failed"]}`, status: 201,
			want: map[string]any{"instanceName": "acme__c__other", "status": "close"}, then: nil},
		{name: "create with an unknown name creates nothing", method: "POST", path: "/instance/create",
			body: `{"instanceName":"acme__c__bad",` + hook + `,"events":["message.sent","nope"]}`, status: 400,
			want: map[string]any{"issues": issue(unknown, "events", 1)}, then: nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			got := a.do(t, s.method, s.path, s.body)
			require.Equal(t, s.status, got.status, "%v", got.body)
			if s.status == 400 {
				require.Equal(t, s.want["issues"], got.body["issues"])
			} else {
				require.Equal(t, s.want, got.body)
			}
			after := a.do(t, "GET", inst, "")
			require.Equal(t, 200, after.status)
			require.Equal(t, map[string]any{"webhookUrl": "https://hooks.example.com/x", "events": s.then}, after.body,
				"GET shows the stored filter and never the secret")
		})
	}
	other := a.do(t, "GET", "/instance/acme__c__other/webhook", "")
	require.Equal(t, []any{"message.failed"}, other.body["events"], "created with its filter")
	require.Equal(t, 404, a.do(t, "GET", "/instance/acme__c__bad/webhook", "").status, "a refused create stores nothing")
}

// TestWebhookRouteIsolation: GET /instance/{name}/webhook is a 403 for
// another tenant's name (whether or not it exists), 404 for an unknown
// one of the caller's, 400 for a malformed name, as every instance route.
func TestWebhookRouteIsolation(t *testing.T) {
	a := newTestAPI(t, nil)
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/instance/beta__c__main/webhook", 403},
		{"/instance/acme__c__nope/webhook", 404},
		{"/instance/not-a-name/webhook", 400},
		{"/instance/acme__c__main/webhook", 200},
	} {
		got := a.do(t, "GET", c.path, "")
		require.Equal(t, c.status, got.status, "%s: %v", c.path, got.body)
	}
	a.key = "wrong"
	require.Equal(t, 401, a.do(t, "GET", "/instance/acme__c__main/webhook", "").status)
}

// TestWebhookFilterDocumented: the OpenAPI document's EventName lists
// exactly events.Names(), in their order, and the create and PUT bodies
// document every field their handlers take. A new event that is not
// added to EventName fails here (the gateway would accept it in a filter
// while the document refused it).
func TestWebhookFilterDocumented(t *testing.T) {
	doc := openAPIDoc(t)
	var names []any
	for _, n := range events.Names() {
		names = append(names, string(n))
	}
	require.Equal(t, names, doc.schema(t, "EventName")["enum"],
		"components.schemas.EventName in openapi.json must list events.Names(), in order")
	require.ElementsMatch(t, memberNames(gateway.CreateInstanceInput{}), doc.properties(t, doc.schema(t, "CreateInstanceRequest")))
	require.ElementsMatch(t, memberNames(gateway.WebhookInput{}), doc.properties(t, doc.schema(t, "WebhookRequest")))
	require.ElementsMatch(t, memberNames(webhookView{}), doc.properties(t, doc.schema(t, "WebhookUpdated")))
	require.ElementsMatch(t, memberNames(webhookConfigView{}), doc.properties(t, doc.schema(t, "WebhookConfig")))
	require.NotContains(t, doc.properties(t, doc.schema(t, "WebhookConfig")), "webhookSecret")
}

// allowed is the list the 400 names, built independently of the gateway.
func allowed() string {
	var out string
	for i, n := range events.Names() {
		if i > 0 {
			out += ", "
		}
		out += string(n)
	}
	return out
}
