package events_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
)

// TestSentToGroups: message.sent and message.failed name the chat the
// message went to, which may be a group id (API.md, Part 2).
func TestSentToGroups(t *testing.T) {
	for _, file := range []string{"message.sent.json", "message.failed.json"} {
		for _, to := range []string{"120363025246125486@g.us", "5491112345678-1612345678@g.us"} {
			body := mutate(t, file, func(_, d map[string]any) { d["to"] = to })
			require.NoError(t, events.Validate(body), "%s to %s", file, to)
		}
		for _, to := range []string{"1234@g.us", "120363025246125486@s.whatsapp.net", "12345-1@g.us"} {
			body := mutate(t, file, func(_, d map[string]any) { d["to"] = to })
			require.ErrorContains(t, events.Validate(body), "'/data/to'", "%s to %s", file, to)
		}
	}
}
