package leasetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/lease"
)

func acquireFree(t *testing.T, r *rig) {
	l := r.acquire(t, inst, "host-a")
	require.Positive(t, l.Token)
	require.Equal(t, l, r.current(t, inst))
}

func neverLeased(t *testing.T, r *rig) {
	require.Equal(t, lease.Lease{Instance: inst}, r.current(t, inst))
}

// refusedWhileHeld: up to the last millisecond of the lease, another
// holder is refused and told until when; the lease is untouched.
func refusedWhileHeld(t *testing.T, r *rig) {
	a := r.acquire(t, inst, "host-a")
	r.refused(t, inst, "host-b", "host-a", a.Expires)
	r.clk.Advance(ttl - time.Millisecond)
	r.refused(t, inst, "host-b", "host-a", a.Expires)
	require.Equal(t, a, r.current(t, inst))
}

// acquireAgainWhileOurs: a retried Acquire extends the holder's lease and
// keeps its token.
func acquireAgainWhileOurs(t *testing.T, r *rig) {
	a := r.acquire(t, inst, "host-a")
	r.clk.Advance(10 * time.Second)
	again := r.acquire(t, inst, "host-a")
	require.Equal(t, a.Token, again.Token)
	require.Equal(t, again, r.current(t, inst))
}

// stealAfterExpiry: at its expiry the lease is free for anyone, with a
// higher token; the old holder can neither renew nor release it.
func stealAfterExpiry(t *testing.T, r *rig) {
	a := r.acquire(t, inst, "host-a")
	r.clk.Advance(ttl)
	b := r.acquire(t, inst, "host-b")
	require.Greater(t, b.Token, a.Token)
	r.renewLost(t, a)
	require.ErrorIs(t, r.s.Release(r.ctx, a), lease.ErrLost)
	require.Equal(t, b, r.current(t, inst), "the old holder's release left the new lease alone")
	r.refused(t, inst, "host-a", "host-b", b.Expires)
}

// renewExtends: a renewal moves the expiry to ttl from the renewal, keeps
// the token, and the lease holds past its first expiry.
func renewExtends(t *testing.T, r *rig) {
	a := r.acquire(t, inst, "host-a")
	r.clk.Advance(20 * time.Second)
	renewed, err := r.s.Renew(r.ctx, a, ttl, r.clk.Now())
	require.NoError(t, err)
	require.Equal(t, lease.Lease{Instance: inst, Holder: "host-a", Token: a.Token, Expires: r.clk.Now().Add(ttl)}, renewed)
	require.Equal(t, renewed, r.current(t, inst))
	r.clk.Advance(20 * time.Second) // past a.Expires, before renewed.Expires
	r.refused(t, inst, "host-b", "host-a", renewed.Expires)
	again, err := r.s.Renew(r.ctx, renewed, ttl, r.clk.Now())
	require.NoError(t, err)
	require.Equal(t, a.Token, again.Token)
}

// renewAfterExpiryLost: once expired the lease is lost even though nobody
// took it, and acquiring it again gives a new token.
func renewAfterExpiryLost(t *testing.T, r *rig) {
	a := r.acquire(t, inst, "host-a")
	r.clk.Advance(ttl)
	r.renewLost(t, a)
	require.Equal(t, a, r.current(t, inst), "a refused renewal writes nothing")
	again := r.acquire(t, inst, "host-a")
	require.Greater(t, again.Token, a.Token)
}

// renewStale: a renewal must name the current holder and token.
func renewStale(t *testing.T, r *rig) {
	old := r.acquire(t, inst, "host-a")
	require.NoError(t, r.s.Release(r.ctx, old))
	cur := r.acquire(t, inst, "host-a")
	cases := []struct {
		name string
		l    lease.Lease
	}{
		{"superseded token, same holder", old},
		{"current token, other holder", lease.Lease{Instance: inst, Holder: "host-b", Token: cur.Token, Expires: cur.Expires}},
		{"token never granted", lease.Lease{Instance: inst, Holder: "host-a", Token: cur.Token + 1, Expires: cur.Expires}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r.renewLost(t, c.l)
			require.Equal(t, cur, r.current(t, inst))
		})
	}
}

// releaseFreesAtOnce: after a release anyone acquires at the same instant,
// with a higher token; releasing again is no error.
func releaseFreesAtOnce(t *testing.T, r *rig) {
	a := r.acquire(t, inst, "host-a")
	require.NoError(t, r.s.Release(r.ctx, a))
	free := r.current(t, inst)
	require.Equal(t, lease.Lease{Instance: inst, Token: a.Token}, free)
	require.False(t, free.HeldAt(r.clk.Now()))
	require.NoError(t, r.s.Release(r.ctx, a), "a retried release")
	r.renewLost(t, a)
	b := r.acquire(t, inst, "host-b")
	require.Greater(t, b.Token, a.Token)
}

// releaseAfterTakeover: a lease released by its new holder cannot be
// released again by the old one (different token).
func releaseAfterTakeover(t *testing.T, r *rig) {
	a := r.acquire(t, inst, "host-a")
	r.clk.Advance(ttl)
	b := r.acquire(t, inst, "host-b")
	require.NoError(t, r.s.Release(r.ctx, b))
	require.ErrorIs(t, r.s.Release(r.ctx, a), lease.ErrLost)
	require.Equal(t, lease.Lease{Instance: inst, Token: b.Token}, r.current(t, inst))
}

// tokensIncreaseAndSurviveReopen: hand-overs of every kind (expiry,
// release, re-acquire after expiry), with the store reopened between
// some of them, always give a higher token.
func tokensIncreaseAndSurviveReopen(t *testing.T, r *rig) {
	holders := []string{"host-a", "host-b", "host-c"}
	var last int64
	for i := range 30 {
		l := r.acquire(t, inst, holders[i%len(holders)])
		require.Greater(t, l.Token, last, "hand-over %d", i)
		last = l.Token
		switch i % 3 {
		case 0:
			require.NoError(t, r.s.Release(r.ctx, l))
		case 1:
			r.clk.Advance(ttl)
		case 2:
			r.clk.Advance(ttl + time.Hour)
			r.s = r.o.Reopen(t)
			require.Equal(t, l, r.current(t, inst), "the lease survives reopening")
		}
	}
	r.s = r.o.Reopen(t)
	l := r.acquire(t, inst, holders[0])
	require.Greater(t, l.Token, last)
}

// listShowsEveryLease: List returns every lease as Current would, free
// ones included, and nothing for instances never leased.
func listShowsEveryLease(t *testing.T, r *rig) {
	ls, err := r.s.List(r.ctx)
	require.NoError(t, err)
	require.Empty(t, ls)
	a := r.acquire(t, inst, "host-a")
	b := r.acquire(t, other, "host-b")
	require.NoError(t, r.s.Release(r.ctx, b))
	ls, err = r.s.List(r.ctx)
	require.NoError(t, err)
	require.ElementsMatch(t, []lease.Lease{a, r.current(t, other)}, ls)
	require.False(t, r.current(t, other).HeldAt(r.clk.Now()))
}
