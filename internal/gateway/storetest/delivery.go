package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/outbox"
)

func ids(list []outbox.Delivery) []string {
	out := make([]string, 0, len(list))
	for _, d := range list {
		out = append(out, d.ID)
	}
	return out
}

// deliveries: events written with every kind of change are deliveries at
// once, listed newest first per instance.
func deliveries(t *testing.T, s SessionStore) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	m := newMessage("acme", "acme__c__a", lane.Normal)
	require.NoError(t, s.CreateMessage(ctx, m, nil))

	received := newEvent("acme__c__a", "message.received", 0)
	require.NoError(t, s.AddEvent(ctx, received))
	connected := newEvent("acme__c__a", "instance.connected", time.Second)
	require.NoError(t, s.SetConnection(ctx, "acme__c__a", instance.StateOpen, "5491100000001", t0, &connected))
	sent := newEvent("acme__c__a", "message.sent", 2*time.Second)
	ok, err := s.MarkSent(ctx, m.ID, host.WAMessageID(m.ID), t0, &sent)
	require.NoError(t, err)
	require.True(t, ok)
	other := newEvent("acme__c__b", "message.received", 3*time.Second)
	require.NoError(t, s.AddEvent(ctx, other))

	list, err := s.ListDeliveries(ctx, "acme__c__a", "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{sent.ID, connected.ID, received.ID}, ids(list), "newest first, this instance only")
	for _, d := range list {
		require.Equal(t, outbox.Retrying, d.Status)
		require.Zero(t, d.Attempts)
		require.Zero(t, d.LastStatusCode)
		require.Empty(t, d.LastError)
		require.True(t, d.DeliveredAt.IsZero())
	}
	require.Equal(t, received, list[2].Event)

	list, err = s.ListDeliveries(ctx, "acme__c__a", "", 2)
	require.NoError(t, err)
	require.Equal(t, []string{sent.ID, connected.ID}, ids(list), "limit")
	list, err = s.ListDeliveries(ctx, "acme__c__a", outbox.Dead, 10)
	require.NoError(t, err)
	require.Empty(t, list)
	list, err = s.ListDeliveries(ctx, "acme__c__b", outbox.Retrying, 10)
	require.NoError(t, err)
	require.Equal(t, []string{other.ID}, ids(list))
	list, err = s.ListDeliveries(ctx, "acme__c__none", "", 10)
	require.NoError(t, err)
	require.NotNil(t, list)
	require.Empty(t, list)

	d, err := s.GetDelivery(ctx, sent.ID)
	require.NoError(t, err)
	require.Equal(t, sent, d.Event)
	_, err = s.GetDelivery(ctx, uuid.NewString())
	require.ErrorIs(t, err, fault.ErrNotFound)
}

// attemptsAndRedeliver: outcomes move deliveries between statuses, an
// unknown id blocks nothing, and a redelivery starts over.
func attemptsAndRedeliver(t *testing.T, s SessionStore) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	var evs []outbox.Event
	for i := range 3 {
		ev := newEvent("acme__c__a", "message.received", time.Duration(i)*time.Second)
		require.NoError(t, s.AddEvent(ctx, ev))
		evs = append(evs, ev)
	}
	done, due, dead := evs[0], evs[1], evs[2]
	at := t0.Add(time.Minute)
	ghost := uuid.NewString()
	require.NoError(t, s.RecordAttempts(ctx, []outbox.Outcome{
		{ID: ghost, Attempts: 1, StatusCode: 200, Delivered: true, At: at},
		{ID: done.ID, Attempts: 1, StatusCode: 204, Delivered: true, At: at},
		{ID: due.ID, Attempts: 2, StatusCode: 500, LastError: "HTTP 500", Next: at.Add(5 * time.Second), At: at},
		{ID: dead.ID, Attempts: 4, LastError: "timeout", At: at},
	}))
	requireNoDelivery(t, s, ghost)

	d, err := s.GetDelivery(ctx, done.ID)
	require.NoError(t, err)
	require.Equal(t, outbox.Delivered, d.Status)
	require.Equal(t, 1, d.Attempts)
	require.Equal(t, 204, d.LastStatusCode)
	require.Equal(t, at, d.DeliveredAt)
	d, err = s.GetDelivery(ctx, due.ID)
	require.NoError(t, err)
	require.Equal(t, outbox.Retrying, d.Status)
	require.Equal(t, 2, d.Attempts)
	require.Equal(t, 500, d.LastStatusCode)
	require.Equal(t, "HTTP 500", d.LastError)
	require.Equal(t, at.Add(5*time.Second), d.NextAt)
	require.True(t, d.DeliveredAt.IsZero())
	d, err = s.GetDelivery(ctx, dead.ID)
	require.NoError(t, err)
	require.Equal(t, outbox.Dead, d.Status)
	require.Equal(t, 4, d.Attempts)
	require.Zero(t, d.LastStatusCode)
	require.Equal(t, "timeout", d.LastError)

	for st, want := range map[outbox.Status][]string{outbox.Delivered: {done.ID}, outbox.Retrying: {due.ID}, outbox.Dead: {dead.ID}} {
		list, err := s.ListDeliveries(ctx, "acme__c__a", st, 10)
		require.NoError(t, err)
		require.Equal(t, want, ids(list), st)
	}

	now := t0.Add(time.Hour)
	for _, ev := range []outbox.Event{done, dead} {
		require.NoError(t, s.Redeliver(ctx, ev.ID, now))
		d, err = s.GetDelivery(ctx, ev.ID)
		require.NoError(t, err)
		require.Equal(t, outbox.Retrying, d.Status)
		require.Zero(t, d.Attempts)
		require.True(t, d.DeliveredAt.IsZero())
		require.Equal(t, now, d.NextAt, "due now")
		require.Equal(t, ev, d.Event, "the same event, the same id")
	}
	list, err := s.ListDeliveries(ctx, "acme__c__a", outbox.Retrying, 10)
	require.NoError(t, err)
	require.Equal(t, []string{dead.ID, due.ID, done.ID}, ids(list))
	require.ErrorIs(t, s.Redeliver(ctx, ghost, now), fault.ErrNotFound)
}
