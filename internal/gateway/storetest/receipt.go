package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// receipts: delivery and read times are found by WhatsApp id within the
// sending instance, only ever move earlier, and a read fills a missing
// delivery; status stays sent. Each change writes the events decided on
// the message as it was, in the same write: here one per receipt time
// set for the first time (message.FirstReceipts), so that a delivery and
// a read each announce once.
func receipts(t *testing.T, s SessionStore) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	sentAt := t0.Add(time.Minute)
	msg := map[string]message.Message{}
	for _, c := range []struct{ key, inst string }{
		{"first", "acme__c__a"}, {"second", "acme__c__a"}, {"third", "acme__c__a"}, {"pending", "acme__c__a"}, {"other", "acme__c__b"},
	} {
		m := newMessage("acme", c.inst, lane.Normal)
		require.NoError(t, s.CreateMessage(ctx, m, nil))
		msg[c.key] = m
		if c.key != "pending" {
			ok, err := s.MarkSent(ctx, m.ID, host.WAMessageID(m.ID), sentAt, nil)
			require.NoError(t, err)
			require.True(t, ok)
		}
	}
	wa := func(key string) string { return host.WAMessageID(msg[key].ID) }
	times := func(key string) (delivered, read time.Time) {
		t.Helper()
		m, err := s.GetMessage(ctx, msg[key].ID)
		require.NoError(t, err)
		if key != "pending" {
			require.Equal(t, message.Sent, m.Status, "receipts do not change the status")
		}
		return m.DeliveredAt, m.ReadAt
	}
	eventsOf := func(status driver.ReceiptStatus) func(message.Message) []outbox.Event {
		return func(before message.Message) []outbox.Event {
			delivered, read := before.FirstReceipts(status == driver.Read)
			var out []outbox.Event
			for _, e := range []struct {
				first bool
				name  string
			}{{delivered, "message.delivered"}, {read, "message.read"}} {
				if e.first {
					ev := newEvent(before.Instance, e.name, 0)
					ev.ID = before.ID + "/" + e.name
					out = append(out, ev)
				}
			}
			return out
		}
	}
	written := func(id string) []string {
		t.Helper()
		var names []string
		for _, name := range []string{"message.delivered", "message.read"} {
			if d, err := s.GetDelivery(ctx, id+"/"+name); err == nil {
				names = append(names, d.Name)
			}
		}
		return names
	}
	record := func(inst string, status driver.ReceiptStatus, at time.Time, keys ...string) int {
		t.Helper()
		ids := make([]string, len(keys))
		for i, k := range keys {
			ids[i] = wa(k)
		}
		n, err := s.RecordReceipt(ctx, inst, ids, status, at, eventsOf(status))
		require.NoError(t, err)
		return n
	}
	t1, t2, t3 := sentAt.Add(time.Second), sentAt.Add(time.Minute), sentAt.Add(time.Hour)

	d, r := times("first")
	require.True(t, d.IsZero() && r.IsZero(), "nothing known after the send")

	require.Equal(t, 1, record("acme__c__a", driver.Delivered, t2, "first"))
	require.Equal(t, []string{"message.delivered"}, written(msg["first"].ID))
	d, r = times("first")
	require.Equal(t, t2, d)
	require.True(t, r.IsZero())
	require.Equal(t, 0, record("acme__c__a", driver.Delivered, t3, "first"), "a later duplicate changes nothing")
	d, _ = times("first")
	require.Equal(t, t2, d)
	require.Equal(t, 1, record("acme__c__a", driver.Delivered, t1, "first"), "an earlier one wins")
	require.Equal(t, 0, record("acme__c__a", driver.Delivered, t1, "first"), "the same receipt again")
	d, _ = times("first")
	require.Equal(t, t1, d)
	require.Equal(t, 1, record("acme__c__a", driver.Read, t3, "first"))
	require.Equal(t, 0, record("acme__c__a", driver.Read, t3, "first"), "the same read again")
	d, r = times("first")
	require.Equal(t, t1, d, "a read keeps the delivery time")
	require.Equal(t, t3, r)
	require.Equal(t, []string{"message.delivered", "message.read"}, written(msg["first"].ID),
		"an earlier delivery time announced nothing more; the read once")

	require.Equal(t, 1, record("acme__c__a", driver.Read, t2, "second"), "read before delivered")
	d, r = times("second")
	require.Equal(t, t2, d, "a read message was delivered")
	require.Equal(t, t2, r)
	require.Equal(t, []string{"message.delivered", "message.read"}, written(msg["second"].ID), "a first read announces both")
	require.Equal(t, 1, record("acme__c__a", driver.Delivered, t1, "second"))
	require.Equal(t, 0, record("acme__c__a", driver.Delivered, t3, "second"))
	d, r = times("second")
	require.Equal(t, t1, d)
	require.Equal(t, t2, r)

	// One receipt naming several messages, unknown ones first: only this instance's sent ones
	// change; the other instance's, a pending one's and an unknown id do not.
	n, err := s.RecordReceipt(ctx, "acme__c__a", []string{"3EB0UNKNOWN", wa("other"), wa("pending"), wa("third")}, driver.Delivered, t2,
		eventsOf(driver.Delivered))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, []string{"message.delivered"}, written(msg["third"].ID))
	require.Empty(t, written(msg["other"].ID), "no event for another instance's message")
	require.Empty(t, written(msg["pending"].ID))
	d, _ = times("third")
	require.Equal(t, t2, d)
	for _, k := range []string{"other", "pending"} {
		d, r = times(k)
		require.True(t, d.IsZero() && r.IsZero(), k)
	}
	require.Equal(t, 0, record("acme__c__none", driver.Read, t2, "other"), "an unknown instance")
	n, err = s.RecordReceipt(ctx, "acme__c__a", nil, driver.Read, t2, nil)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Equal(t, 1, record("acme__c__b", driver.Read, t3, "other"))
	d, r = times("other")
	require.Equal(t, t3, d)
	require.Equal(t, t3, r)

	// The sent message behind a WhatsApp id, within the sending instance.
	got, err := s.SentByWAID(ctx, "acme__c__a", wa("first"))
	require.NoError(t, err)
	require.Equal(t, msg["first"].ID, got.ID)
	for _, c := range []struct{ inst, waID string }{
		{"acme__c__a", wa("other")}, {"acme__c__a", wa("pending")}, {"acme__c__a", "3EB0UNKNOWN"}, {"acme__c__b", wa("first")},
	} {
		_, err := s.SentByWAID(ctx, c.inst, c.waID)
		require.ErrorIs(t, err, fault.ErrNotFound, "%s %s", c.inst, c.waID)
	}
}
