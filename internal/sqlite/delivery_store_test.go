package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/tenant"
)

// deliveryStore is a store with one instance and n events, d0..d(n-1),
// created a second apart from t0.
func deliveryStore(t *testing.T, n int, t0 time.Time) *Store {
	t.Helper()
	ctx := context.Background()
	st := NewStore(openQueueDB(t), nil)
	require.NoError(t, st.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: t0}))
	name, err := instance.ParseName("acme__c__a")
	require.NoError(t, err)
	require.NoError(t, st.CreateInstance(ctx, instance.Instance{Name: name, State: instance.StateClose, CreatedAt: t0}))
	for i := range n {
		require.NoError(t, st.AddEvent(ctx, outbox.Event{ID: fmt.Sprint("d", i), TenantID: "acme", Instance: "acme__c__a",
			Name: "message.sent", Body: []byte(fmt.Sprintf(`{"n":%d}`, i)), CreatedAt: t0.Add(time.Duration(i) * time.Second)}))
	}
	return st
}

func claimIDs(ds []outbox.Delivery) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// TestSettleAndClaim: claims take the due deliveries oldest first, at most
// limit, and lease them; outcomes settled in the same write decide what is
// due next.
func TestSettleAndClaim(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	st := deliveryStore(t, 3, t0)
	now := t0.Add(time.Minute)
	lease := 15 * time.Second

	got, err := st.SettleAndClaim(ctx, nil, now, lease, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"d0", "d1"}, claimIDs(got))
	require.Equal(t, outbox.Delivery{Event: outbox.Event{ID: "d0", TenantID: "acme", Instance: "acme__c__a",
		Name: "message.sent", Body: []byte(`{"n":0}`), CreatedAt: t0}, Status: outbox.Retrying}, got[0])
	got, err = st.SettleAndClaim(ctx, nil, now, lease, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"d2"}, claimIDs(got), "leased ones are not handed out twice")

	got, err = st.SettleAndClaim(ctx, []outbox.Outcome{
		{ID: "d0", Attempts: 1, StatusCode: 200, Delivered: true, At: now},
		{ID: "d1", Attempts: 1, StatusCode: 500, LastError: "HTTP 500", Next: now.Add(5 * time.Second), At: now},
		{ID: "d2", Attempts: 4, LastError: "timed out", At: now},
	}, now, lease, 10)
	require.NoError(t, err)
	require.Empty(t, got, "nothing is due: a retry waits, the others are settled")
	got, err = st.SettleAndClaim(ctx, nil, now.Add(5*time.Second), lease, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"d1"}, claimIDs(got))
	require.Equal(t, 1, got[0].Attempts)

	for id, want := range map[string]outbox.Status{"d0": outbox.Delivered, "d1": outbox.Retrying, "d2": outbox.Dead} {
		d, err := st.GetDelivery(ctx, id)
		require.NoError(t, err)
		require.Equal(t, want, d.Status, id)
	}
	got, err = st.SettleAndClaim(ctx, nil, now.Add(5*time.Second+lease), lease, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"d1"}, claimIDs(got), "a lease that ran out hands the delivery out again")
}

// TestRecordAttemptsBatches: outcomes are recorded whatever their number
// (several statements of different sizes), and of two outcomes for one
// delivery the later wins.
func TestRecordAttemptsBatches(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	for _, n := range []int{1, 2, 7, recordChunk, recordChunk + 29} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			st := deliveryStore(t, n, t0)
			at := t0.Add(time.Hour)
			var outcomes []outbox.Outcome
			for i := range n {
				outcomes = append(outcomes, outbox.Outcome{ID: fmt.Sprint("d", i), Attempts: 1, StatusCode: 503,
					LastError: "HTTP 503", Next: at.Add(time.Second), At: at})
			}
			outcomes = append(outcomes, outbox.Outcome{ID: "d0", Attempts: 2, StatusCode: 204, Delivered: true, At: at})
			require.NoError(t, st.RecordAttempts(ctx, outcomes))
			for i := range n {
				d, err := st.GetDelivery(ctx, fmt.Sprint("d", i))
				require.NoError(t, err)
				if i == 0 {
					require.Equal(t, outbox.Delivered, d.Status)
					require.Equal(t, 204, d.LastStatusCode)
					require.Equal(t, at, d.DeliveredAt)
					require.Empty(t, d.LastError)
					continue
				}
				require.Equal(t, outbox.Retrying, d.Status)
				require.Equal(t, 503, d.LastStatusCode)
				require.Equal(t, "HTTP 503", d.LastError)
				require.Equal(t, at.Add(time.Second), d.NextAt)
			}
		})
	}
}
