package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// SessionStore is a whole adapter as the session host and the webhook
// dispatcher see it too: the gateway's port, the host's, and the
// recording of delivery attempts.
type SessionStore interface {
	gateway.Store
	host.Store
	RecordAttempts(ctx context.Context, outcomes []outbox.Outcome) error
}

// RunSession runs the cases of the host's side and of deliveries;
// newStore returns a fresh, empty store each time. It holds adapters to:
//
//   - SetConnection changes an existing instance only, with its event;
//     ListLinked lists the instances with a phone, by name;
//   - MarkSent and MarkFailed change a message only while it is pending
//     (once), storing their event only then; SentSince reads the sends of
//     one instance per lane, from a time on;
//   - RecordReceipt finds sent messages by the WhatsApp id MarkSent
//     recorded, within the receipt's instance only; delivery and read
//     times only ever move earlier, a read fills a missing delivery time,
//     and unknown ids are ignored;
//   - every stored event is at once a retrying delivery with no attempt,
//     listed newest first by instance and status; RecordAttempts makes it
//     delivered, due again or dead and ignores unknown ids; Redeliver
//     starts it over;
//   - AddReceived keeps an inbound message with its event; GetReceived
//     finds it by instance and WhatsApp id until it expires;
//     DeleteInstance deletes it;
//   - ListMessages lists both directions newest first (ms, then out
//     before in, then id), filtered and paged by keyset cursors.
func RunSession(t *testing.T, newStore func(t *testing.T) SessionStore) {
	cases := map[string]func(t *testing.T, s SessionStore){
		"connection and linked":  connection,
		"sent and failed":        sentAndFailed,
		"deliveries":             deliveries,
		"attempts and redeliver": attemptsAndRedeliver,
		"receipts":               receipts,
		"send claims":            sendClaims,
		"message changes":        changes,
		"received messages":      received,
		"message listing":        listing,
		"delete received":        deleteReceived,
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { c(t, newStore(t)) })
	}
}

// newEvent is an event of inst at t0+offset.
func newEvent(inst, name string, offset time.Duration) outbox.Event {
	n, _ := instance.ParseName(inst)
	return outbox.Event{ID: uuid.NewString(), TenantID: n.Tenant, Instance: inst, Name: name,
		Body: []byte(`{"event":"` + name + `"}`), CreatedAt: t0.Add(offset)}
}

func requireNoDelivery(t *testing.T, s SessionStore, id string) {
	t.Helper()
	_, err := s.GetDelivery(context.Background(), id)
	require.ErrorIs(t, err, fault.ErrNotFound)
}

func connection(t *testing.T, s SessionStore) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	mustInstance(t, s, "acme__c__c")
	linked, err := s.ListLinked(ctx)
	require.NoError(t, err)
	require.Empty(t, linked)

	at := t0.Add(time.Second)
	ev := newEvent("acme__c__a", "instance.connected", time.Second)
	require.NoError(t, s.SetConnection(ctx, "acme__c__a", instance.StateOpen, "5491100000001", at, &ev))
	require.NoError(t, s.SetConnection(ctx, "acme__c__b", instance.StateConnecting, "5491100000002", time.Time{}, nil))
	got, err := s.GetInstance(ctx, "acme__c__a")
	require.NoError(t, err)
	require.Equal(t, instance.StateOpen, got.State)
	require.Equal(t, "5491100000001", got.PhoneNumber)
	require.Equal(t, at, got.ConnectedAt)
	require.Equal(t, "https://hooks.example.com/x", got.WebhookURL, "other fields untouched")
	d, err := s.GetDelivery(ctx, ev.ID)
	require.NoError(t, err)
	require.Equal(t, ev, d.Event, "stored with the change")

	linked, err = s.ListLinked(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"acme__c__a", "acme__c__b"}, names(linked))

	require.NoError(t, s.SetConnection(ctx, "acme__c__a", instance.StateClose, "", time.Time{}, nil))
	got, err = s.GetInstance(ctx, "acme__c__a")
	require.NoError(t, err)
	require.Equal(t, instance.StateClose, got.State)
	require.Empty(t, got.PhoneNumber)
	require.True(t, got.ConnectedAt.IsZero())
	linked, err = s.ListLinked(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"acme__c__b"}, names(linked))

	lost := newEvent("acme__c__gone", "instance.connected", 0)
	require.ErrorIs(t, s.SetConnection(ctx, "acme__c__gone", instance.StateOpen, "1", at, &lost), fault.ErrNotFound)
	requireNoDelivery(t, s, lost.ID)
	_, err = s.GetInstance(ctx, "acme__c__gone")
	require.ErrorIs(t, err, fault.ErrNotFound, "not created by SetConnection")
}

func sentAndFailed(t *testing.T, s SessionStore) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	msgs := map[string]message.Message{}
	for _, c := range []struct {
		key, inst string
		l         lane.Lane
	}{{"normal", "acme__c__a", lane.Normal}, {"bulk", "acme__c__a", lane.Bulk}, {"urgent", "acme__c__a", lane.Urgent},
		{"other", "acme__c__b", lane.Normal}, {"flushed", "acme__c__a", lane.Normal}} {
		m := newMessage("acme", c.inst, c.l)
		require.NoError(t, s.CreateMessage(ctx, m, nil))
		msgs[c.key] = m
	}
	t1, early := t0.Add(time.Minute), t0.Add(-2*time.Hour)

	ev := newEvent("acme__c__a", "message.sent", time.Minute)
	ok, err := s.MarkSent(ctx, msgs["normal"].ID, host.WAMessageID(msgs["normal"].ID), t1, &ev)
	require.NoError(t, err)
	require.True(t, ok)
	again := newEvent("acme__c__a", "message.sent", 2*time.Minute)
	ok, err = s.MarkSent(ctx, msgs["normal"].ID, host.WAMessageID(msgs["normal"].ID), t1.Add(time.Minute), &again)
	require.NoError(t, err)
	require.False(t, ok, "only once")
	requireNoDelivery(t, s, again.ID)
	ok, err = s.MarkFailed(ctx, msgs["normal"].ID, "late", t1, nil)
	require.NoError(t, err)
	require.False(t, ok, "a sent message cannot fail")
	got, err := s.GetMessage(ctx, msgs["normal"].ID)
	require.NoError(t, err)
	require.Equal(t, message.Sent, got.Status)
	require.Equal(t, t1, got.SentAt)
	require.Empty(t, got.Error)
	_, err = s.GetDelivery(ctx, ev.ID)
	require.NoError(t, err)

	fev := newEvent("acme__c__a", "message.failed", time.Minute)
	ok, err = s.MarkFailed(ctx, msgs["bulk"].ID, "not on whatsapp", t1, &fev)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.MarkSent(ctx, msgs["bulk"].ID, host.WAMessageID(msgs["bulk"].ID), t1, nil)
	require.NoError(t, err)
	require.False(t, ok, "a failed message cannot be sent")
	got, err = s.GetMessage(ctx, msgs["bulk"].ID)
	require.NoError(t, err)
	require.Equal(t, message.Failed, got.Status)
	require.Equal(t, "not on whatsapp", got.Error)
	require.True(t, got.SentAt.IsZero())
	_, err = s.GetDelivery(ctx, fev.ID)
	require.NoError(t, err)

	ok, err = s.MarkSent(ctx, uuid.NewString(), "3EB0UNKNOWN", t1, nil)
	require.NoError(t, err)
	require.False(t, ok, "an unknown message is not pending")

	for _, c := range []struct {
		key string
		at  time.Time
	}{{"urgent", early}, {"other", t1}} {
		ok, err = s.MarkSent(ctx, msgs[c.key].ID, host.WAMessageID(msgs[c.key].ID), c.at, nil)
		require.NoError(t, err)
		require.True(t, ok)
	}
	_, err = s.FlushPending(ctx, "acme__c__a", t1, nil)
	require.NoError(t, err)
	ok, err = s.MarkSent(ctx, msgs["flushed"].ID, host.WAMessageID(msgs["flushed"].ID), t1, nil)
	require.NoError(t, err)
	require.False(t, ok, "flushed while in flight")

	sent, err := s.SentSince(ctx, "acme__c__a", t0.Add(-time.Hour))
	require.NoError(t, err)
	require.Equal(t, map[lane.Lane][]time.Time{lane.Normal: {t1}}, sent)
	sent, err = s.SentSince(ctx, "acme__c__a", early)
	require.NoError(t, err)
	require.Equal(t, map[lane.Lane][]time.Time{lane.Normal: {t1}, lane.Urgent: {early}}, sent, "since is inclusive")
	sent, err = s.SentSince(ctx, "acme__c__none", early)
	require.NoError(t, err)
	require.Empty(t, sent)

	st, err := s.TenantStats(ctx, "acme")
	require.NoError(t, err)
	require.Len(t, st, 2)
	require.Equal(t, gateway.InstanceStats{InstanceName: "acme__c__a", Pending: map[lane.Lane]int{}, Sent: 2, Failed: 2}, st[0])
	require.Equal(t, gateway.InstanceStats{InstanceName: "acme__c__b", Pending: map[lane.Lane]int{}, Sent: 1}, st[1])
}
