package numbercheck

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

func at(d time.Duration, n int) Use { return Use{At: t0.Add(d), N: n} }

func TestReserve(t *testing.T) {
	for name, c := range map[string]struct {
		uses     []Use
		n        int
		now      time.Duration
		wantUses []Use         // when it fits
		wantWait time.Duration // when it does not
	}{
		"first use": {
			n: 50, now: 0, wantUses: []Use{at(0, 50)},
		},
		"500 in one request": {
			n: 500, now: 0, wantUses: []Use{at(0, 500)},
		},
		"exactly up to the limit": {
			uses: []Use{at(0, 200), at(time.Minute, 250)}, n: 50, now: 2 * time.Minute,
			wantUses: []Use{at(0, 200), at(time.Minute, 250), at(2*time.Minute, 50)},
		},
		"the 501st waits for the oldest use": {
			uses: []Use{at(0, 200), at(time.Minute, 300)}, n: 1, now: 10 * time.Minute,
			wantWait: 50 * time.Minute,
		},
		"refused whole: 20 when 490 are used": {
			uses: []Use{at(0, 5), at(time.Minute, 485)}, n: 20, now: 2 * time.Minute,
			wantWait: 59 * time.Minute, // the 5 are not enough: wait for the 485
		},
		"waits for as many old uses as it takes": {
			uses: []Use{at(0, 1), at(time.Second, 1), at(2*time.Second, 1), at(3*time.Second, 497)}, n: 3, now: time.Minute,
			wantWait: time.Hour + 2*time.Second - time.Minute,
		},
		"a use leaves the window exactly an hour later": {
			uses: []Use{at(0, 500)}, n: 500, now: time.Hour,
			wantUses: []Use{at(time.Hour, 500)},
		},
		"a millisecond before, it still counts": {
			uses: []Use{at(0, 500)}, n: 1, now: time.Hour - time.Millisecond,
			wantWait: time.Millisecond,
		},
		"old uses are dropped from what is stored": {
			uses: []Use{at(0, 100), at(30*time.Minute, 100)}, n: 10, now: 61 * time.Minute,
			wantUses: []Use{at(30*time.Minute, 100), at(61*time.Minute, 10)},
		},
		"uses in any order are stored oldest first": {
			uses: []Use{at(20*time.Minute, 1), at(10*time.Minute, 2)}, n: 3, now: 30 * time.Minute,
			wantUses: []Use{at(10*time.Minute, 2), at(20*time.Minute, 1), at(30*time.Minute, 3)},
		},
		"uses in any order: the oldest leaves first": {
			uses: []Use{at(20*time.Minute, 400), at(10*time.Minute, 100)}, n: 1, now: 30 * time.Minute,
			wantWait: 40 * time.Minute,
		},
		"a use ahead of now (another clock) counts and stays in order": {
			uses: []Use{at(time.Minute, 7)}, n: 3, now: 0,
			wantUses: []Use{at(0, 3), at(time.Minute, 7)},
		},
		"now is kept to the millisecond": {
			n: 1, now: 1500 * time.Microsecond, wantUses: []Use{at(time.Millisecond, 1)},
		},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := Reserve(c.uses, c.n, t0.Add(c.now))
			require.NoError(t, err)
			if c.wantUses != nil {
				require.True(t, d.OK)
				require.Equal(t, c.wantUses, d.Uses)
				require.Zero(t, d.Wait)
				return
			}
			require.False(t, d.OK)
			require.Nil(t, d.Uses, "a refused request records nothing")
			require.Equal(t, c.wantWait, d.Wait)
		})
	}
}

func TestReserveCountOutOfRange(t *testing.T) {
	for _, n := range []int{-1, 0, Limit + 1} {
		_, err := Reserve(nil, n, t0)
		require.ErrorIs(t, err, ErrCount, "n=%d", n)
	}
}

// TestReserveWaitIsExact plays random requests and holds every refusal to
// its Wait: the same request fits after exactly Wait and not a millisecond
// sooner, and no window ever holds more than Limit numbers.
func TestReserveWaitIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var uses []Use
	now := t0
	for range 5000 {
		now = now.Add(time.Duration(rng.IntN(60_000)) * time.Millisecond)
		n := 1 + rng.IntN(50)
		if rng.IntN(20) == 0 {
			n = 1 + rng.IntN(Limit)
		}
		d, err := Reserve(uses, n, now)
		require.NoError(t, err)
		if d.OK {
			uses = d.Uses
			total := 0
			for _, u := range uses {
				total += u.N
			}
			require.LessOrEqual(t, total, Limit)
			continue
		}
		require.Positive(t, d.Wait)
		early, err := Reserve(uses, n, now.Add(d.Wait-time.Millisecond))
		require.NoError(t, err)
		require.False(t, early.OK, "fits before its wait")
		later, err := Reserve(uses, n, now.Add(d.Wait))
		require.NoError(t, err)
		require.True(t, later.OK, "does not fit after its wait")
	}
}
