package leasetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/lease"
)

// racers is how many hosts race for one instance.
const racers = 10

// concurrentAcquire: of ten hosts acquiring a free instance at once,
// exactly one wins; the others are told it is held by the winner.
func concurrentAcquire(t *testing.T, r *rig) {
	now := r.clk.Now()
	granted := make([]lease.Lease, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			granted[i], errs[i] = r.s.Acquire(r.ctx, inst, fmt.Sprint("host-", i), ttl, now)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, winner, "host-%d and host-%d both acquired", winner, i)
			winner = i
		}
	}
	require.NotEqual(t, -1, winner, "nobody acquired: %v", errs)
	for i, err := range errs {
		if i == winner {
			continue
		}
		var h *lease.HeldError
		require.ErrorAs(t, err, &h)
		require.Equal(t, granted[winner].Holder, h.Holder)
	}
	require.Equal(t, granted[winner], r.current(t, inst))
}

// concurrentRenewAndSteal: at the instant the lease expires, its holder's
// renewal races other hosts' acquisitions. Exactly one of them may end
// up holding it (the renewal is lost at expiry, so that is a thief), and
// what the store keeps is that one's lease.
func concurrentRenewAndSteal(t *testing.T, r *rig) {
	a := r.acquire(t, inst, "host-a")
	r.clk.Advance(ttl)
	now := r.clk.Now()
	granted := make([]lease.Lease, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			if i == 0 {
				granted[i], errs[i] = r.s.Renew(r.ctx, a, ttl, now)
				return
			}
			granted[i], errs[i] = r.s.Acquire(r.ctx, inst, fmt.Sprint("host-", i), ttl, now)
		})
	}
	wg.Wait()
	require.ErrorIs(t, errs[0], lease.ErrLost, "a renewal at expiry")
	var won []lease.Lease
	for i, err := range errs[1:] {
		if err == nil {
			won = append(won, granted[i+1])
		} else {
			require.True(t, errors.Is(err, lease.ErrHeld), "host-%d: %v", i+1, err)
		}
	}
	require.Len(t, won, 1)
	require.Greater(t, won[0].Token, a.Token)
	require.Equal(t, won[0], r.current(t, inst))
}

// instancesIndependent: one instance's lease never affects another's.
func instancesIndependent(t *testing.T, r *rig) {
	a := r.acquire(t, inst, "host-a")
	b := r.acquire(t, other, "host-b")
	r.refused(t, other, "host-a", "host-b", b.Expires)
	require.NoError(t, r.s.Release(r.ctx, a))
	require.Equal(t, b, r.current(t, other))
	r.clk.Advance(ttl - time.Second)
	renewed, err := r.s.Renew(r.ctx, b, ttl, r.clk.Now())
	require.NoError(t, err)
	r.clk.Advance(time.Second)
	require.True(t, r.current(t, other).HeldAt(r.clk.Now()))
	require.Equal(t, renewed, r.current(t, other))
	require.Equal(t, lease.Lease{Instance: inst, Token: a.Token}, r.current(t, inst))
}
