package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
)

// receipts: delivery and read times are found by WhatsApp id within the
// sending instance, only ever move earlier, and a read fills a missing
// delivery; status stays sent.
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
	record := func(inst string, status driver.ReceiptStatus, at time.Time, keys ...string) int {
		t.Helper()
		ids := make([]string, len(keys))
		for i, k := range keys {
			ids[i] = wa(k)
		}
		n, err := s.RecordReceipt(ctx, inst, ids, status, at)
		require.NoError(t, err)
		return n
	}
	t1, t2, t3 := sentAt.Add(time.Second), sentAt.Add(time.Minute), sentAt.Add(time.Hour)

	d, r := times("first")
	require.True(t, d.IsZero() && r.IsZero(), "nothing known after the send")

	require.Equal(t, 1, record("acme__c__a", driver.Delivered, t2, "first"))
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

	require.Equal(t, 1, record("acme__c__a", driver.Read, t2, "second"), "read before delivered")
	d, r = times("second")
	require.Equal(t, t2, d, "a read message was delivered")
	require.Equal(t, t2, r)
	require.Equal(t, 1, record("acme__c__a", driver.Delivered, t1, "second"))
	require.Equal(t, 0, record("acme__c__a", driver.Delivered, t3, "second"))
	d, r = times("second")
	require.Equal(t, t1, d)
	require.Equal(t, t2, r)

	// One receipt naming several messages: only this instance's sent ones
	// change; the other instance's, a pending one's and an unknown id do not.
	n, err := s.RecordReceipt(ctx, "acme__c__a", []string{wa("third"), wa("other"), wa("pending"), "3EB0UNKNOWN"}, driver.Delivered, t2)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	d, _ = times("third")
	require.Equal(t, t2, d)
	for _, k := range []string{"other", "pending"} {
		d, r = times(k)
		require.True(t, d.IsZero() && r.IsZero(), k)
	}
	require.Equal(t, 0, record("acme__c__none", driver.Read, t2, "other"), "an unknown instance")
	n, err = s.RecordReceipt(ctx, "acme__c__a", nil, driver.Read, t2)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Equal(t, 1, record("acme__c__b", driver.Read, t3, "other"))
	d, r = times("other")
	require.Equal(t, t3, d)
	require.Equal(t, t3, r)
}
