package lease

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	t0  = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	ttl = 30 * time.Second
)

// held is a lease of "i" granted to holder with token at t0.
func held(holder string, token int64) Lease {
	return Lease{Instance: "i", Holder: holder, Token: token, Expires: t0.Add(ttl)}
}

func TestAcquire(t *testing.T) {
	free := Lease{Instance: "i", Token: 4} // released
	cases := []struct {
		name    string
		cur     Lease
		holder  string
		now     time.Time
		token   int64 // granted; 0: refused
		heldBy  string
		until   time.Time
		invalid bool
	}{
		{name: "never held", cur: Lease{}, holder: "a", now: t0, token: 1},
		{name: "released", cur: free, holder: "a", now: t0, token: 5},
		{name: "expired, other", cur: held("b", 4), holder: "a", now: t0.Add(ttl), token: 5},
		{name: "expired, ours: new token", cur: held("a", 4), holder: "a", now: t0.Add(ttl), token: 5},
		{name: "ours: extended, same token", cur: held("a", 4), holder: "a", now: t0.Add(ttl - time.Millisecond), token: 4},
		{name: "held by another", cur: held("b", 4), holder: "a", now: t0.Add(ttl - time.Millisecond), heldBy: "b", until: t0.Add(ttl)},
		{name: "no holder", cur: Lease{}, holder: "", now: t0, invalid: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Acquire(c.cur, "i", c.holder, ttl, c.now)
			switch {
			case c.invalid:
				require.Error(t, err)
				require.False(t, errors.Is(err, ErrHeld))
			case c.token == 0:
				require.ErrorIs(t, err, ErrHeld)
				var h *HeldError
				require.ErrorAs(t, err, &h)
				require.Equal(t, c.heldBy, h.Holder)
				require.Equal(t, c.until, h.Until)
			default:
				require.NoError(t, err)
				require.Equal(t, Lease{Instance: "i", Holder: c.holder, Token: c.token, Expires: c.now.Add(ttl)}, got)
			}
		})
	}
}

func TestRenew(t *testing.T) {
	mine := held("a", 4)
	cases := []struct {
		name string
		cur  Lease
		now  time.Time
		ok   bool
	}{
		{name: "before expiry", cur: mine, now: t0.Add(ttl - time.Millisecond), ok: true},
		{name: "at expiry, unclaimed", cur: mine, now: t0.Add(ttl)},
		{name: "after expiry, unclaimed", cur: mine, now: t0.Add(time.Hour)},
		{name: "taken over", cur: held("b", 5), now: t0},
		{name: "re-acquired by us since (stale token)", cur: held("a", 5), now: t0},
		{name: "released", cur: Lease{Instance: "i", Token: 4}, now: t0},
		{name: "same token, other holder", cur: held("b", 4), now: t0},
		{name: "store behind the token", cur: held("a", 3), now: t0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Renew(c.cur, mine, ttl, c.now)
			if !c.ok {
				require.ErrorIs(t, err, ErrLost)
				return
			}
			require.NoError(t, err)
			require.Equal(t, Lease{Instance: "i", Holder: "a", Token: 4, Expires: c.now.Add(ttl)}, got)
		})
	}
}

func TestRelease(t *testing.T) {
	mine := held("a", 4)
	freed := Lease{Instance: "i", Token: 4}
	cases := []struct {
		name string
		cur  Lease
		ok   bool
	}{
		{name: "held", cur: mine, ok: true},
		{name: "expired, unclaimed", cur: Lease{Instance: "i", Holder: "a", Token: 4, Expires: t0.Add(-time.Hour)}, ok: true},
		{name: "already released (a retry)", cur: freed, ok: true},
		{name: "taken over", cur: held("b", 5)},
		{name: "taken over and released", cur: Lease{Instance: "i", Token: 5}},
		{name: "same token, other holder", cur: held("b", 4)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Release(c.cur, mine)
			if !c.ok {
				require.ErrorIs(t, err, ErrLost)
				return
			}
			require.NoError(t, err)
			require.Equal(t, freed, got)
			require.False(t, got.HeldAt(t0))
		})
	}
	_, err := Release(Lease{}, Lease{Instance: "i", Holder: "a"})
	require.Error(t, err, "a lease never granted")
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name  string
		cur   Lease
		token int64
		now   time.Time
		ok    bool
	}{
		{name: "current", cur: held("a", 4), token: 4, now: t0, ok: true},
		{name: "last millisecond", cur: held("a", 4), token: 4, now: t0.Add(ttl - time.Millisecond), ok: true},
		{name: "expired, unclaimed", cur: held("a", 4), token: 4, now: t0.Add(ttl)},
		{name: "superseded", cur: held("b", 5), token: 4, now: t0},
		{name: "released", cur: Lease{Instance: "i", Token: 4}, token: 4, now: t0},
		{name: "never leased", cur: Lease{}, token: 0, now: t0},
		{name: "ahead of the store", cur: held("a", 4), token: 9, now: t0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.cur, c.token, c.now)
			if c.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrLost)
			}
		})
	}
}

// TestExpiryKeptToTheMillisecond: what the rules grant is what a store
// keeps, rounded down so a lease never outlasts its ttl.
func TestExpiryKeptToTheMillisecond(t *testing.T) {
	now := t0.Add(1500 * time.Microsecond)
	l, err := Acquire(Lease{}, "i", "a", ttl, now)
	require.NoError(t, err)
	require.Equal(t, t0.Add(ttl+time.Millisecond), l.Expires)
	_, err = Acquire(Lease{}, "i", "a", time.Microsecond, now)
	require.Error(t, err, "a ttl under a millisecond")
}

// TestTokensOnlyIncrease drives the rules with random operations of three
// holders on a random clock: the stored token never goes down, rises on
// every new grant, and two holders never hold the lease at once.
func TestTokensOnlyIncrease(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	holders := []string{"a", "b", "c"}
	var cur Lease
	mine := map[string]Lease{}
	now := t0
	for range 10000 {
		now = now.Add(time.Duration(rng.IntN(20)) * time.Second)
		h := holders[rng.IntN(len(holders))]
		l, has := mine[h]
		var next Lease
		var err error
		switch op := rng.IntN(3); {
		case op == 0:
			next, err = Acquire(cur, "i", h, ttl, now)
		case op == 1 && has:
			next, err = Renew(cur, l, ttl, now)
		case op == 2 && has:
			next, err = Release(cur, l)
		default:
			continue
		}
		if err != nil {
			require.True(t, errors.Is(err, ErrHeld) || errors.Is(err, ErrLost), err)
			continue
		}
		require.GreaterOrEqual(t, next.Token, cur.Token)
		if next.Holder != "" && !(cur.HeldAt(now) && cur.Holder == next.Holder) {
			require.Greater(t, next.Token, cur.Token, "a new grant takes a new token")
		}
		if next.Holder == h {
			mine[h] = next
		}
		for other, l := range mine {
			if other != next.Holder && Check(next, l.Token, now) == nil {
				t.Fatalf("%s and %s both hold the lease at %s", other, next.Holder, now)
			}
		}
		cur = next
	}
}
