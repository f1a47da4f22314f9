package dynamo

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/outbox"
)

var t0 = time.Date(2026, 3, 15, 10, 30, 0, 123_000_000, time.UTC)

func testEvent(offset time.Duration) outbox.Event {
	return outbox.Event{ID: uuid.NewString(), TenantID: "acme", Instance: "acme__c__a", Name: "message.received",
		Body: []byte(`{"event":"message.received"}`), CreatedAt: t0.Add(offset)}
}

func eventIDs(evs []outbox.Event) []string {
	out := make([]string, 0, len(evs))
	for _, ev := range evs {
		out = append(out, ev.ID)
	}
	return out
}

func TestPendingEventsAndMarkPublished(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	e1, e2, e3 := testEvent(time.Second), testEvent(2*time.Second), testEvent(3*time.Second)
	for _, ev := range []outbox.Event{e2, e3, e1} {
		require.NoError(t, s.AddEvent(ctx, ev))
	}
	pending, err := s.PendingEvents(ctx, 10)
	require.NoError(t, err)
	for i := range pending {
		require.NotEmpty(t, pending[i].Publication)
		pending[i].Publication = ""
	}
	require.Equal(t, []outbox.Event{e1, e2, e3}, pending, "oldest first, whole events")
	pending, err = s.PendingEvents(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, []string{e1.ID, e2.ID}, eventIDs(pending))

	ghost := outbox.Event{ID: uuid.NewString(), Publication: pending[0].Publication}
	require.NoError(t, s.MarkPublished(ctx, []outbox.Event{pending[0], ghost, pending[1]}))
	_, err = s.GetDelivery(ctx, ghost.ID)
	require.ErrorIs(t, err, fault.ErrNotFound, "marking an unknown id creates nothing")
	pending, err = s.PendingEvents(ctx, 10)
	require.NoError(t, err)
	require.Equal(t, []string{e3.ID}, eventIDs(pending))
	d, err := s.GetDelivery(ctx, e1.ID)
	require.NoError(t, err)
	require.Equal(t, outbox.Retrying, d.Status, "published is not delivered")

	// Redelivery on AWS is publishing again: the event rejoins the outbox,
	// behind what was already waiting.
	require.NoError(t, s.RecordAttempts(ctx, []outbox.Outcome{{ID: e1.ID, Attempts: 4, LastError: "timeout", At: t0}}))
	require.NoError(t, s.Redeliver(ctx, e1.ID, t0.Add(time.Hour)))
	pending, err = s.PendingEvents(ctx, 10)
	require.NoError(t, err)
	require.Equal(t, []string{e3.ID, e1.ID}, eventIDs(pending))
	d, err = s.GetDelivery(ctx, e1.ID)
	require.NoError(t, err)
	require.Empty(t, d.LastError, "a fresh schedule clears the last error")

	// A redelivery asked for while the relay publishes the event (after
	// its read, before its mark) is not swallowed by the mark.
	read, err := s.PendingEvents(ctx, 10)
	require.NoError(t, err)
	require.Equal(t, []string{e3.ID, e1.ID}, eventIDs(read))
	require.NoError(t, s.Redeliver(ctx, e1.ID, t0.Add(2*time.Hour)))
	require.NoError(t, s.MarkPublished(ctx, read))
	pending, err = s.PendingEvents(ctx, 10)
	require.NoError(t, err)
	require.Equal(t, []string{e1.ID}, eventIDs(pending), "published again")
	require.NoError(t, s.MarkPublished(ctx, pending))
	pending, err = s.PendingEvents(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, pending)

	none, err := s.PendingEvents(ctx, 0)
	require.NoError(t, err)
	require.Empty(t, none)
}

func TestCommandResult(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	id := uuid.NewString()
	_, ok, err := s.GetCommandResult(ctx, id)
	require.NoError(t, err)
	require.False(t, ok)
	require.NoError(t, s.PutCommandResult(ctx, id, []byte(`{"code":"ABCD-1234"}`), t0.Add(time.Minute)))
	got, ok, err := s.GetCommandResult(ctx, id)
	require.NoError(t, err)
	require.True(t, ok)
	require.JSONEq(t, `{"code":"ABCD-1234"}`, string(got))
	require.NoError(t, s.PutCommandResult(ctx, id, []byte(`{"code":"WXYZ-9876"}`), t0.Add(time.Minute)))
	got, _, err = s.GetCommandResult(ctx, id)
	require.NoError(t, err)
	require.JSONEq(t, `{"code":"WXYZ-9876"}`, string(got), "a later result replaces the first")
}

// TestOutboxByShard: each shard's store writes its events to its own
// outbox partition, which only that shard's relay reads; a redelivery
// goes to shard 0's, which the API's store uses.
func TestOutboxByShard(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	s1, s2 := s.ForShard(1), s.ForShard(2)
	e0, e1, e2 := testEvent(time.Second), testEvent(2*time.Second), testEvent(3*time.Second)
	require.NoError(t, s.AddEvent(ctx, e0))
	require.NoError(t, s1.AddEvent(ctx, e1))
	require.NoError(t, s2.AddEvent(ctx, e2))
	for _, c := range []struct {
		store *Store
		want  []string
	}{{s.ForShard(0), []string{e0.ID}}, {s1, []string{e1.ID}}, {s2, []string{e2.ID}}} {
		pending, err := c.store.PendingEvents(ctx, 10)
		require.NoError(t, err)
		require.Equal(t, c.want, eventIDs(pending))
		require.NoError(t, c.store.MarkPublished(ctx, pending))
	}
	require.NoError(t, s.Redeliver(ctx, e1.ID, t0.Add(time.Minute)))
	pending, err := s.PendingEvents(ctx, 10)
	require.NoError(t, err)
	require.Equal(t, []string{e1.ID}, eventIDs(pending), "shard 0's relay publishes it again")
	pending, err = s1.PendingEvents(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, pending)
}
