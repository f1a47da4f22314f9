// Package leasetest is the conformance suite of the lease store port
// (lease.Store): the SQLite and DynamoDB adapters run Run.
//
// # The contract
//
//   - A store applies the rules of package lease (Acquire, Renew,
//     Release) to the lease it keeps, atomically: of concurrent Acquires
//     of a free instance exactly one is granted, the others get ErrHeld.
//   - Expiry is judged with the now the caller passes, never the store's
//     own clock; the suite runs on a fake clock, hours apart from the
//     real one.
//   - Tokens strictly increase with every new grant and survive a new
//     store on the same state (a restarted process).
//   - Current reads what the last write stored (strongly consistent).
//   - Instances are independent.
package leasetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/lease"
)

// Opener makes the stores of one test. Fresh returns a new, empty store;
// Reopen then returns a new store on the same state, as a restarted
// process would open it (SQLite: the file closed and opened again), after
// which the suite no longer uses the stores opened before.
type Opener interface {
	Fresh(t *testing.T) lease.Store
	Reopen(t *testing.T) lease.Store
}

// Run runs every case; newOpener returns an Opener for each.
func Run(t *testing.T, newOpener func(t *testing.T) Opener) {
	cases := []struct {
		name string
		run  func(t *testing.T, r *rig)
	}{
		{"AcquireFree", acquireFree},
		{"NeverLeased", neverLeased},
		{"RefusedWhileHeld", refusedWhileHeld},
		{"AcquireAgainWhileOurs", acquireAgainWhileOurs},
		{"StealAfterExpiry", stealAfterExpiry},
		{"RenewExtends", renewExtends},
		{"RenewAfterExpiryLost", renewAfterExpiryLost},
		{"RenewStale", renewStale},
		{"ReleaseFreesAtOnce", releaseFreesAtOnce},
		{"ReleaseAfterTakeover", releaseAfterTakeover},
		{"TokensIncreaseAndSurviveReopen", tokensIncreaseAndSurviveReopen},
		{"ConcurrentAcquire", concurrentAcquire},
		{"ConcurrentRenewAndSteal", concurrentRenewAndSteal},
		{"InstancesIndependent", instancesIndependent},
		{"ListShowsEveryLease", listShowsEveryLease},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			o := newOpener(t)
			// Far from the real clock, so a store judging expiry by its own
			// clock fails; milliseconds, as stores keep them.
			clk := clock.NewFake(time.Date(2031, 7, 1, 8, 0, 0, 0, time.UTC))
			c.run(t, &rig{ctx: ctx, o: o, s: o.Fresh(t), clk: clk})
		})
	}
}

// ttl is the lease time of every case.
const ttl = 30 * time.Second

// Instance names as the gateway spells them.
const (
	inst  = "acme__c__main"
	other = "acme__c__sales"
)

type rig struct {
	ctx context.Context
	o   Opener
	s   lease.Store
	clk *clock.Fake
}

func (r *rig) acquire(t *testing.T, instance, holder string) lease.Lease {
	t.Helper()
	l, err := r.s.Acquire(r.ctx, instance, holder, ttl, r.clk.Now())
	require.NoError(t, err, "%s acquires %s", holder, instance)
	require.Equal(t, lease.Lease{Instance: instance, Holder: holder, Token: l.Token, Expires: r.clk.Now().Add(ttl)}, l)
	return l
}

// refused asserts that holder cannot acquire instance because holdBy
// holds it until until.
func (r *rig) refused(t *testing.T, instance, holder, heldBy string, until time.Time) {
	t.Helper()
	_, err := r.s.Acquire(r.ctx, instance, holder, ttl, r.clk.Now())
	require.ErrorIs(t, err, lease.ErrHeld)
	var h *lease.HeldError
	require.ErrorAs(t, err, &h)
	require.Equal(t, heldBy, h.Holder)
	require.True(t, until.Equal(h.Until), "held until %s, error says %s", until, h.Until)
}

func (r *rig) current(t *testing.T, instance string) lease.Lease {
	t.Helper()
	l, err := r.s.Current(r.ctx, instance)
	require.NoError(t, err)
	require.Equal(t, instance, l.Instance)
	return l
}

func (r *rig) renewLost(t *testing.T, l lease.Lease) {
	t.Helper()
	_, err := r.s.Renew(r.ctx, l, ttl, r.clk.Now())
	require.ErrorIs(t, err, lease.ErrLost)
}
