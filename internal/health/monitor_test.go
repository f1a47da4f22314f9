package health_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/health"
)

var t0 = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

const never = time.Duration(-1)

func TestMonitor(t *testing.T) {
	cases := []struct {
		name string
		// last success of pollers a, b, c as an offset from t0 (never:
		// none), and when the check runs
		last  [3]time.Duration
		check time.Duration
		stale []health.Stale
	}{
		{"all fresh", [3]time.Duration{0, 30 * time.Second, time.Minute}, time.Minute, nil},
		{"exactly the max age is still fresh", [3]time.Duration{0, 0, 0}, 2 * time.Minute, nil},
		{"one stale", [3]time.Duration{0, time.Minute, 2 * time.Minute}, 2*time.Minute + 30*time.Second,
			[]health.Stale{{Poller: "a", LastSuccess: t0}}},
		{"never polled: starting", [3]time.Duration{0, never, 0}, 0,
			[]health.Stale{{Poller: "b"}}},
		{"stale and never, in registration order", [3]time.Duration{never, time.Minute, 0}, 5 * time.Minute,
			[]health.Stale{{Poller: "a"}, {Poller: "b", LastSuccess: t0.Add(time.Minute)}, {Poller: "c", LastSuccess: t0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(t0)
			m := health.NewMonitor(clk, 0) // 0: the default two minutes
			pollers := []*health.Poller{m.Poller("a"), m.Poller("b"), m.Poller("c")}
			checked := false
			// Successes in time order, as the clock only moves forward.
			for at := time.Duration(0); at <= 5*time.Minute; at += 30 * time.Second {
				for i, p := range pollers {
					if tc.last[i] == at {
						p.OK()
					}
				}
				if at == tc.check {
					checked = true
					got := m.Check()
					require.Equal(t, tc.stale == nil, got.Healthy)
					require.Equal(t, tc.stale, got.Stale)
				}
				clk.Advance(30 * time.Second)
			}
			require.True(t, checked, "check time off the 30 s grid")
		})
	}
}

// TestPollerSharedByGoroutines: the receivers of one lane share a
// poller; any one's success keeps it fresh.
func TestPollerSharedByGoroutines(t *testing.T) {
	clk := clock.NewFake(t0)
	m := health.NewMonitor(clk, time.Minute)
	lane := m.Poller("lane urgent")
	done := make(chan struct{})
	for range 4 {
		go func() { lane.OK(); done <- struct{}{} }()
	}
	for range 4 {
		<-done
	}
	require.True(t, m.Check().Healthy)
	clk.Advance(61 * time.Second)
	require.False(t, m.Check().Healthy)
	lane.OK()
	require.True(t, m.Check().Healthy)
}

func TestNoPollersIsHealthy(t *testing.T) {
	require.True(t, health.NewMonitor(clock.NewFake(t0), 0).Check().Healthy)
}
