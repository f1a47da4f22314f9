package dynamo

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

// MarkSent puts the WhatsApp id lookup before its transaction; a lookup
// whose message was never recorded as sent (the transaction refused, or a
// crash in between) must not make receipts or replies find it.
func TestWAIDLookupCountsOnlyOnceSent(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustInstance(t, s, "acme__c__a")

	tests := []struct {
		name   string
		settle func(t *testing.T, m message.Message)
		found  bool
	}{
		{"crash between the lookup and the transaction", func(t *testing.T, m message.Message) {
			lookup := waKey(m.Instance, message.WAMessageID(m.ID))
			lookup[attrMessageID] = str(m.ID)
			require.NoError(t, s.write(ctx, s.put(lookup, "", nil)))
		}, false},
		{"failed before it could be marked sent", func(t *testing.T, m message.Message) {
			ok, err := s.MarkFailed(ctx, m.ID, "rejected", t0, nil)
			require.NoError(t, err)
			require.True(t, ok)
			ok, err = s.MarkSent(ctx, m.ID, message.WAMessageID(m.ID), t0, nil)
			require.NoError(t, err)
			require.False(t, ok, "no longer pending")
		}, false},
		{"sent", func(t *testing.T, m message.Message) {
			ok, err := s.MarkSent(ctx, m.ID, message.WAMessageID(m.ID), t0, nil)
			require.NoError(t, err)
			require.True(t, ok)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := pendingMessage("acme__c__a")
			require.NoError(t, s.CreateMessage(ctx, m, nil))
			tt.settle(t, m)
			waID := message.WAMessageID(m.ID)
			got, err := s.SentByWAID(ctx, m.Instance, waID)
			changed, rerr := s.RecordReceipt(ctx, m.Instance, []string{waID}, driver.Delivered, t0, nil)
			require.NoError(t, rerr)
			if !tt.found {
				require.ErrorIs(t, err, fault.ErrNotFound)
				require.Zero(t, changed)
				return
			}
			require.NoError(t, err)
			require.Equal(t, m.ID, got.ID)
			require.Equal(t, 1, changed)
		})
	}
}
