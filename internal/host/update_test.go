package host_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/message"
)

// eventsNamed returns the data of inst's events called name, oldest
// first, decoded into T.
func eventsNamed[T any](t *testing.T, r *rig, inst string, name events.Name) []T {
	t.Helper()
	list, err := r.store.ListDeliveries(context.Background(), inst, "", 100)
	require.NoError(t, err)
	var out []T
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Name != string(name) {
			continue
		}
		var env struct{ Data T }
		require.NoError(t, json.Unmarshal(list[i].Body, &env))
		out = append(out, env.Data)
	}
	return out
}

// TestGroupsAndQuotes: group messages need receiveGroups; a quote names
// its sender only for a message the gateway knows (ours: the instance's
// number; one received and kept: its sender).
func TestGroupsAndQuotes(t *testing.T) {
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	linkInstances(t, r, mainInst)
	ctx := context.Background()
	at := time.Unix(1773596790, 0)
	group := driver.Inbound{MessageID: "3EB0GROUP0001", From: "5491112345678", MessageType: "conversation", Text: "hola",
		Chat: "120363025246125486@g.us", IsGroup: true, Timestamp: at}
	require.NoError(t, r.host.Received(mainInst, group))
	require.Empty(t, receivedEvents(t, r, mainInst), "receiveGroups is off")

	on := true
	_, err := r.svc.UpdateSettings(ctx, "acme", mainInst, instance.SettingsPatch{ReceiveGroups: &on})
	require.NoError(t, err)
	r.host.SettingsChanged(ctx, mainInst)
	require.NoError(t, r.host.Received(mainInst, group))
	got := receivedEvents(t, r, mainInst)["3EB0GROUP0001"]
	require.Equal(t, "120363025246125486@g.us", got.Chat)
	require.True(t, got.IsGroup)
	require.Equal(t, "5491112345678", *got.Participant)

	acc, _, err := r.svc.Send(ctx, "acme", text("5491112345678", "our message", "urgent"), "")
	require.NoError(t, err)
	waitFor(t, "sent", func() bool { m, _ := r.store.GetMessage(ctx, acc.ID); return m.Status == message.Sent })
	for _, tc := range []struct {
		quoted   string
		wantFrom *string
	}{
		{host.WAMessageID(acc.ID), ptr("549119999990")}, // ours: the instance's number
		{"3EB0GROUP0001", ptr("5491112345678")},         // received and kept
		{"3EB0NEVERSEEN", nil},                          // unknown
	} {
		in := driver.Inbound{MessageID: "3EB0Q" + tc.quoted[4:9], From: "5491187654321", MessageType: "conversation",
			Text: "re", Timestamp: at, Quoted: &driver.InboundQuote{MessageID: tc.quoted, From: "5491100000000"},
			Mentions: []string{"5491112345678"}}
		require.NoError(t, r.host.Received(mainInst, in))
		got := receivedEvents(t, r, mainInst)[in.MessageID]
		require.Equal(t, tc.quoted, got.Quoted.MessageID)
		require.Equal(t, tc.wantFrom, got.Quoted.From, tc.quoted)
		require.Equal(t, "5491187654321", got.Chat)
		require.Nil(t, got.Participant)
		require.Equal(t, []string{"5491112345678"}, got.Mentions)
	}
}

func ptr(s string) *string { return &s }

// TestUpdates: reactions, edits, deletions and votes become their events;
// id is ours for our messages; a vote's option hashes are named from the
// poll; group updates follow receiveGroups.
func TestUpdates(t *testing.T) {
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	linkInstances(t, r, mainInst)
	ctx := context.Background()
	poll, _, err := r.svc.Send(ctx, "acme", gateway.SendInput{InstanceName: mainInst, To: "5491112345678", Lane: "urgent",
		Type: message.Poll, Content: message.Content{Poll: &message.PollContent{Question: "When?",
			Options: []string{"Monday", "Tuesday", "Friday"}, SelectableCount: 2}}}, "")
	require.NoError(t, err)
	waitFor(t, "sent", func() bool { m, _ := r.store.GetMessage(ctx, poll.ID); return m.Status == message.Sent })
	pollWA := host.WAMessageID(poll.ID)
	at := time.Unix(1773596790, 0)
	hash := func(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }
	for _, u := range []driver.Update{
		{Kind: driver.Reacted, From: "5491112345678", MessageID: pollWA, Emoji: "👍", Timestamp: at},
		{Kind: driver.Reacted, From: "5491112345678", MessageID: "3EB0THEIRS", Emoji: "", Timestamp: at},
		{Kind: driver.Edited, From: "5491112345678", MessageID: "3EB0THEIRS", Text: "fixed typo", Timestamp: at},
		{Kind: driver.Revoked, From: "5491112345678", MessageID: "3EB0THEIRS", Timestamp: at},
		{Kind: driver.Voted, From: "5491112345678", MessageID: pollWA, OptionHashes: [][]byte{hash("Friday"), hash("Monday"), hash("nope")},
			Timestamp: at},
		{Kind: driver.Reacted, From: "5491112345678", Chat: "120363025246125486@g.us", IsGroup: true, MessageID: "3EB0G",
			Emoji: "🎉", Timestamp: at},
	} {
		require.NoError(t, r.host.Updated(mainInst, u))
	}
	reactions := eventsNamed[events.Reaction](t, r, mainInst, events.MessageReaction)
	require.Len(t, reactions, 2, "the group one needs receiveGroups")
	require.Equal(t, events.Reaction{From: "5491112345678", Chat: "5491112345678", MessageID: pollWA, ID: &poll.ID,
		Emoji: "👍", Timestamp: at.Unix()}, reactions[0])
	require.Nil(t, reactions[1].ID, "not ours")
	require.Equal(t, "", reactions[1].Emoji, "removed")
	require.Equal(t, []events.Edited{{From: "5491112345678", Chat: "5491112345678", MessageID: "3EB0THEIRS",
		Text: "fixed typo", Timestamp: at.Unix()}}, eventsNamed[events.Edited](t, r, mainInst, events.MessageEdited))
	require.Len(t, eventsNamed[events.Revoked](t, r, mainInst, events.MessageRevoked), 1)
	votes := eventsNamed[events.Vote](t, r, mainInst, events.PollVote)
	require.Len(t, votes, 1)
	require.Equal(t, &poll.ID, votes[0].ID)
	require.Equal(t, []string{"Friday", "Monday"}, votes[0].SelectedOptions, "named from our poll; an unknown hash dropped")
}
