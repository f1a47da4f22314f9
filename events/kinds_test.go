package events_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/message"
)

// TestSchemasListEveryKind: message.sent and message.failed take the type
// of every kind of message.Kinds(), and no other, so a kind added to the
// gateway is one its tenants' webhook validators accept.
func TestSchemasListEveryKind(t *testing.T) {
	var kinds []any
	for _, k := range message.Kinds() {
		kinds = append(kinds, string(k.Type))
	}
	for _, name := range []events.Name{events.MessageSent, events.MessageFailed} {
		var schema struct {
			Properties struct {
				Data struct {
					Properties struct {
						Type struct {
							Enum []any `json:"enum"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"data"`
			} `json:"properties"`
		}
		require.NoError(t, json.Unmarshal(events.Schema(name), &schema))
		require.Equal(t, kinds, schema.Properties.Data.Properties.Type.Enum, "%s: data.type", name)
	}
}
