package httpapi

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/message"
)

func TestListedIn(t *testing.T) {
	at := time.Date(2026, 3, 15, 17, 46, 0, 412_000_000, time.UTC)
	for name, tc := range map[string]struct {
		payload, want string
	}{
		"event data": {`{"from":"5491112345678","text":"hola \u00e9"}`,
			`{"from":"5491112345678","text":"hola \u00e9","direction":"in","at":"2026-03-15T17:46:00.412Z"}`},
		"spaces":       {" {\n\"a\": 1 }\n", `{"a": 1,"direction":"in","at":"2026-03-15T17:46:00.412Z"}`},
		"empty object": {`{ }`, `{"direction":"in","at":"2026-03-15T17:46:00.412Z"}`},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := listedIn(message.Received{WAMessageID: "3EB0", ReceivedAt: at, Payload: []byte(tc.payload)})
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got), "the payload's bytes are kept as they are")
			require.True(t, json.Valid(got))
		})
	}
	for _, bad := range []string{``, `[]`, `{"a":`, `"x"`, `{}{}`} {
		_, err := listedIn(message.Received{WAMessageID: "3EB0", ReceivedAt: at, Payload: []byte(bad)})
		require.Error(t, err, bad)
	}
}

// TestListingSchemasMirror: the listing's item schemas repeat, property by
// property, the schemas of GET /message/{id} and of message.received's
// data (they cannot extend them: both forbid additional properties), plus
// direction and at. This keeps them from drifting apart.
func TestListingSchemasMirror(t *testing.T) {
	type schema struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(OpenAPI(), &doc))
	get := func(raw json.RawMessage) schema {
		var s schema
		require.NoError(t, json.Unmarshal(raw, &s))
		return s
	}
	var received struct {
		Properties struct {
			Data json.RawMessage `json:"data"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(doc.Components.Schemas["Event_message_received"], &received))
	for _, tc := range []struct {
		listed, ref string
		base        schema
	}{
		{"ListedOutboundMessage", "#/components/schemas/Message", get(doc.Components.Schemas["Message"])},
		{"ListedInboundMessage", "#/components/schemas/Event_message_received/properties/data", get(received.Properties.Data)},
	} {
		listed := get(doc.Components.Schemas[tc.listed])
		require.Equal(t, append(slices.Clone(tc.base.Required), "direction", "at"), listed.Required, tc.listed)
		require.Len(t, listed.Properties, len(tc.base.Properties)+2, tc.listed)
		for name := range tc.base.Properties {
			require.JSONEq(t, `{"$ref":"`+tc.ref+`/properties/`+name+`"}`, string(listed.Properties[name]), "%s.%s", tc.listed, name)
		}
		require.Contains(t, listed.Properties, "direction")
		require.Contains(t, listed.Properties, "at")
	}
}
