package httpapi

import (
	"encoding/json"
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
