package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/tenant"
)

// TestOpenLocksDatabase: while one DB is open on a file, a second Open of
// it fails with ErrInUse (delivery leases live in the owner's memory);
// closing lets the next Open in.
func TestOpenLocksDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gateway.db")
	first, err := Open(ctx, path)
	require.NoError(t, err)
	_, err = Open(ctx, path)
	require.ErrorIs(t, err, ErrInUse)
	require.NoError(t, first.Close())
	again, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, again.Close())
}

// TestLeasesEndWithTheProcess: claims are held in memory, so a database
// opened again (a restarted gateway) hands out at once what the last one
// had claimed and not settled, instead of waiting for the lease to end.
func TestLeasesEndWithTheProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gateway.db")
	t0 := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	db, err := Open(ctx, path)
	require.NoError(t, err)
	st := NewStore(db, nil)
	require.NoError(t, st.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: t0}))
	name, err := instance.ParseName("acme__c__a")
	require.NoError(t, err)
	require.NoError(t, st.CreateInstance(ctx, instance.Instance{Name: name, State: instance.StateClose, CreatedAt: t0}))
	for i := range 3 {
		require.NoError(t, st.AddEvent(ctx, outbox.Event{ID: fmt.Sprint("d", i), TenantID: "acme", Instance: "acme__c__a",
			Name: "message.sent", Body: []byte(`{}`), CreatedAt: t0}))
	}
	now := t0.Add(time.Second)
	got, err := st.SettleAndClaim(ctx, nil, now, time.Minute, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"d0", "d1"}, claimIDs(got))
	require.NoError(t, db.Close())

	db, err = Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	got, err = NewStore(db, nil).SettleAndClaim(ctx, nil, now, time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"d0", "d1", "d2"}, claimIDs(got))
}

// TestLeasesSkipRowsInFlight: with many deliveries leased at the head of
// the due order, a claim still returns the next ones, up to its limit, and
// settling releases exactly the settled ones.
func TestLeasesSkipRowsInFlight(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	st := deliveryStore(t, 100, t0)
	now := t0.Add(time.Hour)
	first, err := st.SettleAndClaim(ctx, nil, now, time.Minute, 64)
	require.NoError(t, err)
	require.Len(t, first, 64)
	next, err := st.SettleAndClaim(ctx, nil, now, time.Minute, 16)
	require.NoError(t, err)
	require.Equal(t, "d64", next[0].ID)
	require.Len(t, next, 16)

	// d0 is delivered, d1 fails and is due again at once: only d1 comes
	// back, together with what was never claimed.
	got, err := st.SettleAndClaim(ctx, []outbox.Outcome{
		{ID: "d0", Attempts: 1, StatusCode: 200, Delivered: true, At: now},
		{ID: "d1", Attempts: 1, StatusCode: 500, LastError: "HTTP 500", Next: now, At: now},
	}, now, time.Minute, 100)
	require.NoError(t, err)
	require.Len(t, got, 20, "d80..d99")
	got, err = st.SettleAndClaim(ctx, nil, now, time.Minute, 100)
	require.NoError(t, err)
	require.Equal(t, []string{"d1"}, claimIDs(got), "released by its outcome, due again")
}

// TestConcurrentClaimsNeverShare: claimers racing on one database (two
// dispatchers, or one and a stray caller) never hold the same delivery
// at once, and between them settle every delivery exactly once.
func TestConcurrentClaimsNeverShare(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	const n = 300
	st := deliveryStore(t, n, t0)
	now := t0.Add(time.Hour)
	var mu sync.Mutex
	holder := map[string]int{}  // delivery → claimer holding it
	settled := map[string]int{} // delivery → times settled
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			var outcomes []outbox.Outcome
			for {
				got, err := st.SettleAndClaim(ctx, outcomes, now, time.Hour, 7)
				require.NoError(t, err)
				mu.Lock()
				for _, o := range outcomes {
					delete(holder, o.ID)
				}
				for _, d := range got {
					if h, ok := holder[d.ID]; ok {
						t.Errorf("%s handed to claimer %d while claimer %d holds it", d.ID, w, h)
					}
					holder[d.ID] = w
					settled[d.ID]++
				}
				mu.Unlock()
				if len(got) == 0 && len(outcomes) == 0 {
					return
				}
				outcomes = outcomes[:0]
				for _, d := range got {
					outcomes = append(outcomes, outbox.Outcome{ID: d.ID, Attempts: 1, StatusCode: 204, Delivered: true, At: now})
				}
			}
		})
	}
	wg.Wait()
	require.Len(t, settled, n)
	for id, times := range settled {
		require.Equal(t, 1, times, id)
	}
}
