package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
)

// TestReadRecord: a read receipt is kept as given but stamped with the
// network's clock (what GET /sandbox/{name}/read shows), and neither the
// caller's slice nor the returned one aliases the record; a receipt
// WhatsApp could not route is refused and not kept; a dropped connection
// is ErrNotConnected.
func TestReadRecord(t *testing.T) {
	n, _, clk := open(t, "acme__c__main")
	ctx := context.Background()
	ids := []string{"3EB0A1", "3EB0A2"}
	clk.Advance(time.Minute)
	require.NoError(t, n.MarkRead(ctx, "acme__c__main", driver.ReadReceipt{Chat: "5491112345678", Sender: "5491112345678",
		WAMessageIDs: ids, At: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}))
	ids[0] = "CHANGED"
	want := []driver.ReadReceipt{{Chat: "5491112345678", Sender: "5491112345678", WAMessageIDs: []string{"3EB0A1", "3EB0A2"},
		At: clk.Now()}}
	got := n.Reads("acme__c__main")
	require.Equal(t, want, got)
	got[0].WAMessageIDs[1] = "CHANGED"
	require.Equal(t, want, n.Reads("acme__c__main"))
	require.Equal(t, []driver.ReadReceipt{}, n.Reads("acme__c__unknown"), "an empty list, not null, for the route")

	for _, tc := range []struct {
		name string
		r    driver.ReadReceipt
	}{
		{"no ids", driver.ReadReceipt{Chat: "5491112345678", Sender: "5491112345678"}},
		{"an empty id", driver.ReadReceipt{Chat: "5491112345678", Sender: "5491112345678", WAMessageIDs: []string{""}}},
		{"no chat", driver.ReadReceipt{Sender: "5491112345678", WAMessageIDs: []string{"3EB0A3"}}},
		{"group without writer", driver.ReadReceipt{Chat: "120363025246125486@g.us", WAMessageIDs: []string{"3EB0A3"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := n.MarkRead(ctx, "acme__c__main", tc.r)
			require.Error(t, err)
			require.NotErrorIs(t, err, driver.ErrNotConnected)
			require.Len(t, n.Reads("acme__c__main"), 1)
		})
	}

	require.NoError(t, n.Drop("acme__c__main", driver.ConnectionLost))
	err := n.MarkRead(ctx, "acme__c__main", driver.ReadReceipt{Chat: "5491112345678", Sender: "5491112345678",
		WAMessageIDs: []string{"3EB0A4"}})
	require.ErrorIs(t, err, driver.ErrNotConnected)
	require.Len(t, n.Reads("acme__c__main"), 1, "kept across the drop, nothing added")
}
