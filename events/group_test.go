package events_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
)

// TestSentToGroups: message.sent and message.failed, and the receipts
// message.delivered and message.read, name the chat the message went to,
// which may be a group id (API.md, Part 2).
func TestSentToGroups(t *testing.T) {
	for _, file := range []string{"message.sent.json", "message.failed.json", "message.delivered.json", "message.read.json"} {
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

// TestChatsOfOthers: the events about what others did name the person by
// number (from) and the chat by number or group id.
func TestChatsOfOthers(t *testing.T) {
	for _, file := range []string{"message.reaction.json", "message.edited.json", "message.revoked.json", "poll.vote.json"} {
		for _, chat := range []string{"5491112345678", "120363025246125486@g.us", "5491112345678-1612345678@g.us"} {
			body := mutate(t, file, func(_, d map[string]any) { d["chat"] = chat })
			require.NoError(t, events.Validate(body), "%s in %s", file, chat)
		}
		for _, chat := range []string{"", "1234@g.us", "5491112345678@s.whatsapp.net", "status@broadcast"} {
			body := mutate(t, file, func(_, d map[string]any) { d["chat"] = chat })
			require.ErrorContains(t, events.Validate(body), "'/data/chat'", "%s in %q", file, chat)
		}
		body := mutate(t, file, func(_, d map[string]any) { d["from"] = "120363025246125486@g.us" })
		require.ErrorContains(t, events.Validate(body), "'/data/from'", "%s: from is a person", file)
	}
}
