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

// TestGroupEventsNameTheGroup: group.participants and group.updated name
// the group by its id, in both of WhatsApp's forms, and never by a number
// or a JID of another kind; the people in them are phone numbers.
func TestGroupEventsNameTheGroup(t *testing.T) {
	for _, file := range []string{"group.participants.json", "group.participants.by-unknown.json", "group.updated.json"} {
		for _, group := range []string{"120363025246125486@g.us", "5491112345678-1612345678@g.us", "12345@g.us"} {
			body := mutate(t, file, func(_, d map[string]any) { d["group"] = group })
			require.NoError(t, events.Validate(body), "%s in %s", file, group)
		}
		for _, group := range []string{"", "1234@g.us", "5491112345678", "120363025246125486@s.whatsapp.net", "120363025246125486@G.US", "12345-1@g.us", "status@broadcast"} {
			body := mutate(t, file, func(_, d map[string]any) { d["group"] = group })
			require.ErrorContains(t, events.Validate(body), "'/data/group'", "%s in %q", file, group)
		}
	}
	for _, by := range []any{"5491112345678", nil} {
		body := mutate(t, "group.participants.json", func(_, d map[string]any) { d["by"] = by })
		require.NoError(t, events.Validate(body), "by %v", by)
	}
	for _, action := range []string{"add", "remove", "promote", "demote"} {
		body := mutate(t, "group.participants.json", func(_, d map[string]any) { d["action"] = action })
		require.NoError(t, events.Validate(body), action)
	}
}
