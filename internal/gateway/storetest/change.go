package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/message"
)

// changes holds adapters to PATCH and DELETE /message/{id}: a pending
// message's content is replaced, and it is cancelled (with its event and
// the failed counter), only while message.Withdrawable holds, like a
// flush; a sent message records its edit (new content, EditedAt) and its
// deletion (RevokedAt, the first one) and counts as sent once.
func changes(t *testing.T, s SessionStore) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	get := func(id string) message.Message {
		m, err := s.GetMessage(ctx, id)
		require.NoError(t, err)
		return m
	}
	create := func() message.Message {
		m := newMessage("acme", "acme__c__a", "normal")
		require.NoError(t, s.CreateMessage(ctx, m, nil))
		return m
	}
	edited := message.Content{MediaURL: "https://x.example/a.pdf", FileName: "a.pdf", Caption: "{new|fresh} caption"}

	pending := create()
	ok, err := s.ReplacePending(ctx, pending.ID, edited, t0)
	require.NoError(t, err)
	require.True(t, ok)
	got := get(pending.ID)
	require.Equal(t, edited, got.Content)
	require.Equal(t, message.Pending, got.Status)
	require.True(t, got.EditedAt.IsZero(), "editedAt is about edits sent to WhatsApp")

	claimed := create()
	ok, err = s.ClaimSend(ctx, claimed.ID, t0.Add(message.SendClaim))
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.ReplacePending(ctx, claimed.ID, edited, t0)
	require.NoError(t, err)
	require.False(t, ok, "a message being sent keeps the content its send read")
	require.Equal(t, claimed.Content, get(claimed.ID).Content)
	ev := newEvent("acme__c__a", "message.failed", 0)
	ok, err = s.CancelPending(ctx, claimed.ID, t0, &ev)
	require.NoError(t, err)
	require.False(t, ok, "a message being sent cannot be cancelled")
	requireNoDelivery(t, s, ev.ID)
	require.Equal(t, message.Pending, get(claimed.ID).Status)

	ok, err = s.CancelPending(ctx, pending.ID, t0, &ev)
	require.NoError(t, err)
	require.True(t, ok)
	got = get(pending.ID)
	require.Equal(t, message.Failed, got.Status)
	require.Equal(t, message.ErrorCancelled, got.Error)
	_, err = s.GetDelivery(ctx, ev.ID)
	require.NoError(t, err, "the cancel stores its event")
	for _, try := range []func() (bool, error){
		func() (bool, error) { return s.CancelPending(ctx, pending.ID, t0, nil) },
		func() (bool, error) { return s.ReplacePending(ctx, pending.ID, edited, t0) },
		func() (bool, error) { return s.ClaimSend(ctx, pending.ID, t0.Add(message.SendClaim)) },
		func() (bool, error) { return s.CancelPending(ctx, uuid.NewString(), t0, nil) },
	} {
		ok, err := try()
		require.NoError(t, err)
		require.False(t, ok, "a cancelled (or unknown) message changes no more")
	}
	stats, err := s.TenantStats(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, 1, stats[0].Failed)

	ok, err = s.MarkSent(ctx, claimed.ID, host.WAMessageID(claimed.ID), t0, nil)
	require.NoError(t, err)
	require.True(t, ok)
	at := t0.Add(time.Minute)
	require.NoError(t, s.MarkEdited(ctx, claimed.ID, edited, at))
	require.NoError(t, s.MarkRevoked(ctx, claimed.ID, at))
	require.NoError(t, s.MarkRevoked(ctx, claimed.ID, at.Add(time.Minute)))
	got = get(claimed.ID)
	require.Equal(t, edited, got.Content)
	require.Equal(t, at, got.EditedAt)
	require.Equal(t, at, got.RevokedAt, "the first deletion's time stays")
	require.Equal(t, message.Sent, got.Status)
	sends, err := s.SentSince(ctx, "acme__c__a", t0.Add(-time.Hour))
	require.NoError(t, err)
	require.Len(t, sends["normal"], 1, "changes are not sends: the caps do not count them")

	require.NoError(t, s.MarkEdited(ctx, pending.ID, message.Content{Caption: "x"}, at))
	require.NoError(t, s.MarkRevoked(ctx, pending.ID, at))
	got = get(pending.ID)
	require.True(t, got.EditedAt.IsZero() && got.RevokedAt.IsZero(), "only sent messages record changes")
	require.Equal(t, edited, got.Content)
}
