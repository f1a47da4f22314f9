package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/numbercheck"
)

// numberChecks: the store keeps what numbercheck.Reserve decides. 500
// numbers pass in one request or several, the 501st is refused with the
// exact wait until the oldest use leaves the window, a refused request
// records nothing, the window rolls, instances count apart, and
// concurrent reservations never pass the limit together.
func numberChecks(t *testing.T, s gateway.Store) {
	cases := map[string]func(t *testing.T, s gateway.Store){
		"500 in one request":             checksInOne,
		"500 in several, then the 501st": checksInSeveral,
		"refused whole":                  checksRefusedWhole,
		"the window rolls":               checksWindowRolls,
		"instances count apart":          checksPerInstance,
		"concurrent reservations":        checksConcurrent,
		"count out of range":             checksOutOfRange,
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { c(t, s) })
	}
}

// Each case uses its own instance names, so they share the store.

func mustReserve(t *testing.T, s gateway.Store, inst string, n int, at time.Time) {
	t.Helper()
	wait, ok, err := s.ReserveNumberChecks(context.Background(), inst, n, at)
	require.NoError(t, err)
	require.True(t, ok, "%d numbers at %v refused (wait %v)", n, at, wait)
	require.Zero(t, wait)
}

func mustRefuse(t *testing.T, s gateway.Store, inst string, n int, at time.Time, wantWait time.Duration) {
	t.Helper()
	wait, ok, err := s.ReserveNumberChecks(context.Background(), inst, n, at)
	require.NoError(t, err)
	require.False(t, ok, "%d numbers at %v passed", n, at)
	require.Equal(t, wantWait, wait)
}

func checksInOne(t *testing.T, s gateway.Store) {
	mustReserve(t, s, "acme__nc__one", 500, t0)
	mustRefuse(t, s, "acme__nc__one", 1, t0, time.Hour)
	mustRefuse(t, s, "acme__nc__one", 1, t0.Add(59*time.Minute), time.Minute)
}

func checksInSeveral(t *testing.T, s gateway.Store) {
	const inst = "acme__nc__several"
	for i := range 10 { // 10 requests of 50, a minute apart
		mustReserve(t, s, inst, 50, t0.Add(time.Duration(i)*time.Minute))
	}
	// The 501st waits for the oldest use (t0) to leave.
	mustRefuse(t, s, inst, 1, t0.Add(30*time.Minute), 30*time.Minute)
	// 51 need the two oldest gone.
	mustRefuse(t, s, inst, 51, t0.Add(30*time.Minute), 31*time.Minute)
	mustRefuse(t, s, inst, 1, t0.Add(time.Hour-time.Millisecond), time.Millisecond)
	// At t0+1h the first 50 have left, and only they.
	mustReserve(t, s, inst, 50, t0.Add(time.Hour))
	mustRefuse(t, s, inst, 1, t0.Add(time.Hour), time.Minute)
}

func checksRefusedWhole(t *testing.T, s gateway.Store) {
	const inst = "acme__nc__whole"
	mustReserve(t, s, inst, 490, t0)
	mustRefuse(t, s, inst, 20, t0.Add(time.Minute), 59*time.Minute)
	// Had the refused 20 (or any part) counted, 10 would not fit.
	mustReserve(t, s, inst, 10, t0.Add(2*time.Minute))
	mustRefuse(t, s, inst, 1, t0.Add(2*time.Minute), 58*time.Minute)
}

func checksWindowRolls(t *testing.T, s gateway.Store) {
	const inst = "acme__nc__rolls"
	mustReserve(t, s, inst, 500, t0)
	mustRefuse(t, s, inst, 500, t0.Add(time.Hour-time.Millisecond), time.Millisecond)
	mustReserve(t, s, inst, 500, t0.Add(time.Hour))
	mustRefuse(t, s, inst, 1, t0.Add(time.Hour), time.Hour)
	// Long after (a record past its expiry), a full hour again.
	mustReserve(t, s, inst, 500, t0.Add(30*time.Hour))
}

func checksPerInstance(t *testing.T, s gateway.Store) {
	mustReserve(t, s, "acme__nc__a", 500, t0)
	mustReserve(t, s, "acme__nc__b", 500, t0)
	mustReserve(t, s, "beta__nc__a", 500, t0)
	mustRefuse(t, s, "acme__nc__a", 1, t0, time.Hour)
	mustRefuse(t, s, "acme__nc__b", 1, t0, time.Hour)
}

// checksConcurrent: 20 requests of 50 at once, from the same state; only
// 10 fit, and no interleaving lets an 11th through.
func checksConcurrent(t *testing.T, s gateway.Store) {
	const inst, requests, each = "acme__nc__race", 20, 50
	var wg sync.WaitGroup
	oks := make([]bool, requests)
	errs := make([]error, requests)
	for i := range requests {
		wg.Go(func() {
			_, oks[i], errs[i] = s.ReserveNumberChecks(context.Background(), inst, each, t0)
		})
	}
	wg.Wait()
	passed := 0
	for i := range requests {
		require.NoError(t, errs[i])
		if oks[i] {
			passed++
		}
	}
	require.Equal(t, numbercheck.Limit/each, passed)
	mustRefuse(t, s, inst, 1, t0, time.Hour)
}

func checksOutOfRange(t *testing.T, s gateway.Store) {
	for _, n := range []int{0, -1, numbercheck.Limit + 1} {
		_, ok, err := s.ReserveNumberChecks(context.Background(), "acme__nc__range", n, t0)
		require.ErrorIs(t, err, numbercheck.ErrCount)
		require.False(t, ok)
	}
	mustReserve(t, s, "acme__nc__range", numbercheck.Limit, t0)
}
