package pacer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/lane"
)

func TestDelays(t *testing.T) {
	for _, l := range append(lane.All(), "bogus") {
		for _, scale := range []float64{1, 0.01, 2.5, 0, -1, math.NaN(), math.Inf(1)} {
			t.Run(fmt.Sprintf("%s/scale=%g", l, scale), func(t *testing.T) {
				eff := scale
				if !(scale > 0) || math.IsInf(scale, 0) {
					eff = 1 // invalid scales mean "unscaled", never "no delay"
				}
				pol := l.Policy()
				lo, hi := scaleDuration(pol.MinDelay, eff), scaleDuration(pol.MaxDelay, eff)
				p := New(nil, scale, rand.New(rand.NewPCG(7, uint64(len(l)))))
				seenLo, seenHi := hi, lo
				for i := range 2000 {
					p.Add(item("m", l))
					it, d, ok, _ := p.Next(t0.Add(time.Duration(i) * time.Hour))
					require.True(t, ok)
					require.Equal(t, l, it.Lane)
					require.GreaterOrEqual(t, d, lo)
					require.LessOrEqual(t, d, hi)
					seenLo, seenHi = min(seenLo, d), max(seenHi, d)
				}
				// Uniform over the whole range, not a constant or a corner.
				span := hi - lo
				require.Less(t, seenLo, lo+span/20)
				require.Greater(t, seenHi, hi-span/20)
			})
		}
	}
}

// sendAll picks and records sends of lane l, one per second from start, until
// the lane is capped; it returns the number sent and Next's wakeAt.
func sendAll(t *testing.T, p *Pacer, l lane.Lane, start time.Time, max int) (int, time.Time, time.Time) {
	t.Helper()
	now := start
	for n := 0; n < max; n++ {
		p.Add(item("x", l))
		it, _, ok, wakeAt := p.Next(now)
		if !ok {
			require.True(t, p.Remove("x"))
			return n, now, wakeAt
		}
		require.Equal(t, "x", it.ID)
		p.Sent(l, now)
		now = now.Add(time.Second)
	}
	return max, now, time.Time{}
}

func TestHourlyCap(t *testing.T) {
	tests := []struct {
		lane lane.Lane
		want int
	}{{lane.Normal, 80}, {lane.Bulk, 30}, {"bogus", 30}, {lane.Urgent, 5000}}
	for _, tt := range tests {
		t.Run(string(tt.lane), func(t *testing.T) {
			p := newTest(nil)
			n, now, wakeAt := sendAll(t, p, tt.lane, t0, 5000)
			require.Equal(t, tt.want, n)
			if tt.lane == lane.Urgent {
				require.Equal(t, now, p.EarliestSend(lane.Urgent, now))
				return
			}
			free := t0.Add(time.Hour) // the first send leaves the window
			require.True(t, free.Equal(wakeAt), "wakeAt %v", wakeAt)
			require.True(t, free.Equal(p.EarliestSend(tt.lane, now)))
			p.Add(item("y", tt.lane))
			_, _, ok, _ := p.Next(free.Add(-time.Nanosecond))
			require.False(t, ok)
			it, _, ok, _ := p.Next(free)
			require.True(t, ok)
			require.Equal(t, "y", it.ID)
		})
	}
}

func TestDailyCap(t *testing.T) {
	tests := []struct {
		lane    lane.Lane
		perDay  int
		history int // sends in the past 23 h, evenly spread (below the hourly cap)
	}{{lane.Normal, 500, 500}, {lane.Bulk, 200, 200}, {lane.Normal, 500, 600}, {lane.Bulk, 200, 199}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d sends", tt.lane, tt.history), func(t *testing.T) {
			step := 23 * time.Hour / time.Duration(tt.history)
			var hist []time.Time
			for i := range tt.history {
				hist = append(hist, t0.Add(-23*time.Hour+time.Duration(i)*step))
			}
			rand.New(rand.NewPCG(3, 4)).Shuffle(len(hist), func(i, j int) { hist[i], hist[j] = hist[j], hist[i] })
			p := newTest(map[lane.Lane][]time.Time{tt.lane: hist})
			p.Add(item("a", tt.lane))
			_, _, ok, wakeAt := p.Next(t0)
			if tt.history < tt.perDay {
				require.True(t, ok)
				return
			}
			require.False(t, ok)
			// Free once the perDay-th newest send is 24 h old.
			free := t0.Add(-23*time.Hour + time.Duration(tt.history-tt.perDay)*step + 24*time.Hour)
			require.True(t, free.Equal(wakeAt), "wakeAt %v want %v", wakeAt, free)
			_, _, ok, _ = p.Next(free.Add(-time.Nanosecond))
			require.False(t, ok)
			_, _, ok, _ = p.Next(free)
			require.True(t, ok)
		})
	}
}

func TestCappedLaneSkipped(t *testing.T) {
	var hist []time.Time
	for i := range 80 {
		hist = append(hist, t0.Add(-59*time.Minute+time.Duration(i)*time.Second))
	}
	p := newTest(map[lane.Lane][]time.Time{lane.Normal: hist})
	p.Add(item("n1", lane.Normal))
	p.Add(item("b1", lane.Bulk))
	it, _, ok, _ := p.Next(t0)
	require.True(t, ok)
	require.Equal(t, "b1", it.ID, "normal is capped, bulk goes")
	_, _, ok, wakeAt := p.Next(t0)
	require.False(t, ok)
	require.True(t, t0.Add(time.Minute).Equal(wakeAt))
	p.Add(item("u1", lane.Urgent))
	it, _, ok, _ = p.Next(t0)
	require.True(t, ok)
	require.Equal(t, "u1", it.ID, "urgent has no caps")
	it, _, ok, _ = p.Next(t0.Add(time.Minute))
	require.True(t, ok)
	require.Equal(t, "n1", it.ID)
}

func TestWakeAt(t *testing.T) {
	normalFree, bulkFree := t0.Add(40*time.Minute), t0.Add(10*time.Minute)
	hist := map[lane.Lane][]time.Time{}
	for range 80 {
		hist[lane.Normal] = append(hist[lane.Normal], normalFree.Add(-time.Hour))
	}
	for range 30 {
		hist[lane.Bulk] = append(hist[lane.Bulk], bulkFree.Add(-time.Hour))
	}
	tests := []struct {
		name    string
		pending []lane.Lane
		want    time.Time
	}{
		{"nothing pending", nil, time.Time{}},
		{"normal only", []lane.Lane{lane.Normal}, normalFree},
		{"bulk only", []lane.Lane{lane.Bulk}, bulkFree},
		{"both: earliest", []lane.Lane{lane.Normal, lane.Bulk}, bulkFree},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTest(hist)
			for _, l := range tt.pending {
				p.Add(item(string(l), l))
			}
			_, _, ok, wakeAt := p.Next(t0)
			require.False(t, ok)
			require.True(t, tt.want.Equal(wakeAt), "got %v", wakeAt)
			require.True(t, normalFree.Equal(p.EarliestSend(lane.Normal, t0)))
			require.True(t, bulkFree.Equal(p.EarliestSend(lane.Bulk, t0)))
			require.Equal(t, t0, p.EarliestSend(lane.Urgent, t0))
		})
	}
	t.Run("in now's location", func(t *testing.T) {
		p := newTest(hist)
		p.Add(item("n", lane.Normal))
		loc := time.FixedZone("ART", -3*3600)
		_, _, _, wakeAt := p.Next(t0.In(loc))
		require.Equal(t, normalFree.In(loc), wakeAt)
		require.Equal(t, normalFree.In(loc), p.EarliestSend(lane.Normal, t0.In(loc)))
	})
}

func TestHistoryFromNew(t *testing.T) {
	// 80 normal sends in the last hour, the oldest 59 minutes ago.
	var hist []time.Time
	for i := range 80 {
		hist = append(hist, t0.Add(-59*time.Minute+time.Duration(i)*44*time.Second))
	}
	tests := []struct {
		name   string
		hist   map[lane.Lane][]time.Time
		at     time.Duration // after t0
		wantOK bool
	}{
		{"capped now", map[lane.Lane][]time.Time{lane.Normal: hist}, 0, false},
		{"capped 1ns before the oldest is 60 min old", map[lane.Lane][]time.Time{lane.Normal: hist}, time.Minute - time.Nanosecond, false},
		{"free when the oldest is 60 min old", map[lane.Lane][]time.Time{lane.Normal: hist}, time.Minute, true},
		{"other lane's history does not count", map[lane.Lane][]time.Time{lane.Bulk: hist}, 0, true},
		{"older than 24 h ignored", map[lane.Lane][]time.Time{lane.Normal: shift(hist, -25*time.Hour)}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTest(tt.hist)
			p.Add(item("n", lane.Normal))
			_, _, ok, _ := p.Next(t0.Add(tt.at))
			require.Equal(t, tt.wantOK, ok)
		})
	}
	t.Run("old history does not fill the day", func(t *testing.T) {
		var old []time.Time
		for i := range 10000 {
			old = append(old, t0.Add(-24*time.Hour-time.Duration(i)*time.Second))
		}
		p := newTest(map[lane.Lane][]time.Time{lane.Normal: old})
		require.Equal(t, 80, must(sendAll(t, p, lane.Normal, t0, 1000)))
	})
}

func shift(ts []time.Time, d time.Duration) []time.Time {
	out := make([]time.Time, len(ts))
	for i, x := range ts {
		out[i] = x.Add(d)
	}
	return out
}

func must(n int, _, _ time.Time) int { return n }

func TestSentOutOfOrderCountsAsLatest(t *testing.T) {
	p := newTest(nil)
	for i := range 79 {
		p.Sent(lane.Normal, t0.Add(time.Duration(i)*time.Second))
	}
	p.Sent(lane.Normal, t0.Add(-time.Hour)) // late report of an old send
	// It counts at the newest time, so the cap holds (safe direction).
	require.True(t, t0.Add(time.Hour).Equal(p.EarliestSend(lane.Normal, t0.Add(2*time.Minute))))
}
