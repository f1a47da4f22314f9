package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
)

// TestWebhookSchemasMatchEvents: the OpenAPI document's webhook payloads
// are copies of the schemas in events/ (with $defs moved to components);
// this keeps the two from drifting apart.
func TestWebhookSchemasMatchEvents(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
		Webhooks map[string]json.RawMessage `json:"webhooks"`
	}
	require.NoError(t, json.Unmarshal(OpenAPI(), &doc))
	require.Len(t, doc.Webhooks, len(events.Names()))
	for _, name := range events.Names() {
		require.Contains(t, doc.Webhooks, string(name))
		var schema map[string]any
		require.NoError(t, json.Unmarshal(events.Schema(name), &schema))
		key := "Event_" + strings.ReplaceAll(string(name), ".", "_")
		defs, _ := schema["$defs"].(map[string]any)
		delete(schema, "$defs")
		delete(schema, "$schema")
		delete(schema, "$id")
		want, err := json.Marshal(schema)
		require.NoError(t, err)
		wantText := strings.ReplaceAll(string(want), `"#/$defs/`, `"#/components/schemas/`+key+`_`)
		require.JSONEq(t, wantText, string(doc.Components.Schemas[key]), "%s", name)
		for def, body := range defs {
			b, err := json.Marshal(body)
			require.NoError(t, err)
			defText := strings.ReplaceAll(string(b), `"#/$defs/`, `"#/components/schemas/`+key+`_`)
			require.JSONEq(t, defText, string(doc.Components.Schemas[key+"_"+def]), "%s $defs/%s", name, def)
		}
	}
}

type openAPIOp struct {
	RequestBody json.RawMessage            `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

// loadOps returns the document's operations by path and method.
func loadOps(t *testing.T) map[string]map[string]openAPIOp {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(OpenAPI(), &doc))
	out := map[string]map[string]openAPIOp{}
	for path, item := range doc.Paths {
		out[path] = map[string]openAPIOp{}
		for method, raw := range item {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			var op openAPIOp
			require.NoError(t, json.Unmarshal(raw, &op), "%s %s", method, path)
			out[path][method] = op
		}
	}
	return out
}

// TestOpenAPIDocuments415: every operation that takes a body can answer
// 415; those without a body never do (they ignore Content-Type).
func TestOpenAPIDocuments415(t *testing.T) {
	for path, ops := range loadOps(t) {
		for method, op := range ops {
			_, has := op.Responses["415"]
			require.Equal(t, op.RequestBody != nil, has, "%s %s: 415 documented iff the operation takes a body", method, path)
		}
	}
}

// TestOpenAPIDocumentsLiteral405: a path a route spells out (e.g.
// /message/text) also matches wildcard templates of other methods in the
// document (GET /message/{id}); a checker routing by the document lands
// there, so those operations must document the 405 the router answers.
func TestOpenAPIDocumentsLiteral405(t *testing.T) {
	a := &api{mux: http.NewServeMux()}
	a.routes()
	a.sandboxRoutes()
	ops := loadOps(t)
	require.NotEmpty(t, a.routing.literal)
	for literal, methods := range a.routing.literal {
		for tmpl, item := range ops {
			if tmpl == literal || !templateMatches(tmpl, literal) {
				continue
			}
			for method, op := range item {
				if slices.Contains(methods, strings.ToUpper(method)) {
					continue
				}
				require.Contains(t, op.Responses, "405", "%s %s (%s %s is a 405)", method, tmpl, method, literal)
			}
		}
	}
}

func templateMatches(tmpl, path string) bool {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if ts[i] != ps[i] && !strings.HasPrefix(ts[i], "{") {
			return false
		}
	}
	return true
}
