package pacer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/lane"
)

type arrival struct {
	at time.Time
	it Item
}

// simInst is one instance in the simulation: its pacer, its arrivals, and
// the sender loop's state (a pick in flight, or the next time to ask).
type simInst struct {
	p        *Pacer
	arrivals []arrival
	next     int            // arrivals[next:] have not arrived yet
	queued   [][]arrival    // reference FIFO per lane priority
	inflight *arrival       // picked, waiting for its delay
	sendAt   time.Time      // when inflight goes out
	checkAt  time.Time      // idle: when to call Next again (zero: done)
	sends    [][]time.Time  // per lane priority, in time order
	sentIDs  map[string]int // ID -> times sent
	maxWait  time.Duration  // longest urgent arrival-to-pick wait
	aheadU   map[string]int // urgent ID -> urgents queued ahead at arrival
	pickedAt map[string]int // urgent ID -> picks made before it arrived
	nPicks   int
}

func genArrivals(seed uint64, span time.Duration, name string) []arrival {
	r := rand.New(rand.NewPCG(seed, 99))
	var out []arrival
	for _, c := range []struct {
		l lane.Lane
		n int
	}{{lane.Normal, 1000}, {lane.Bulk, 500}, {lane.Urgent, 50}} {
		for i := range c.n {
			at := t0.Add(time.Duration(r.Int64N(int64(span))))
			out = append(out, arrival{at, Item{fmt.Sprintf("%s-%s-%d", name, c.l, i), c.l}})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// capped reports, by brute force over the recorded sends, whether lane
// priority i is at a cap at now: the reference the pacer is checked against.
func (s *simInst) capped(i int, now time.Time) bool {
	pol, ts := order[i].Policy(), s.sends[i]
	in := func(w time.Duration) int {
		return len(ts) - sort.Search(len(ts), func(k int) bool { return ts[k].After(now.Add(-w)) })
	}
	return (pol.PerHour > 0 && in(time.Hour) >= pol.PerHour) || (pol.PerDay > 0 && in(24*time.Hour) >= pol.PerDay)
}

// step runs the instance's sender loop at now: take arrivals, finish the
// send in flight, then ask the pacer and check its answer against the rules.
func (s *simInst) step(t *testing.T, now time.Time) {
	for ; s.next < len(s.arrivals) && !s.arrivals[s.next].at.After(now); s.next++ {
		a := s.arrivals[s.next]
		li := laneIndex(a.it.Lane)
		if a.it.Lane == lane.Urgent {
			s.aheadU[a.it.ID] = len(s.queued[li])
			s.pickedAt[a.it.ID] = s.nPicks
		}
		s.queued[li] = append(s.queued[li], a)
		s.p.Add(a.it)
	}
	if s.inflight != nil && !s.sendAt.After(now) {
		li := laneIndex(s.inflight.it.Lane)
		s.sends[li] = append(s.sends[li], now)
		s.sentIDs[s.inflight.it.ID]++
		s.p.Sent(s.inflight.it.Lane, now)
		s.inflight = nil
	}
	if s.inflight != nil {
		return
	}
	want := -1 // reference: highest lane with work and under its caps
	for i := range order {
		if len(s.queued[i]) > 0 && !s.capped(i, now) {
			want = i
			break
		}
	}
	it, delay, ok, wakeAt := s.p.Next(now)
	if ok {
		require.NotEqual(t, -1, want, "picked %v at %v while every lane with work is capped", it, now)
		require.Equal(t, s.queued[want][0].it, it, "priority/FIFO at %v", now)
		a := s.queued[want][0]
		s.queued[want] = s.queued[want][1:]
		pol := it.Lane.Policy()
		require.GreaterOrEqual(t, delay, pol.MinDelay)
		require.LessOrEqual(t, delay, pol.MaxDelay)
		if it.Lane == lane.Urgent {
			// Only the send in flight at arrival, plus urgents queued ahead.
			wait := now.Sub(a.at)
			require.LessOrEqual(t, wait, lane.Bulk.Policy().MaxDelay+time.Duration(s.aheadU[it.ID])*pol.MaxDelay)
			s.maxWait = max(s.maxWait, wait)
			// Picked at the first pick after arrival, but for urgents ahead.
			require.Equal(t, s.aheadU[it.ID], s.nPicks-s.pickedAt[it.ID], "urgent %s waited behind other lanes", it.ID)
		}
		s.nPicks++
		s.inflight, s.sendAt = &a, now.Add(delay)
		return
	}
	require.Equal(t, -1, want, "idle at %v while lane %d could send", now, want)
	pending := 0
	for i := range order {
		pending += len(s.queued[i])
		if len(s.queued[i]) > 0 {
			require.True(t, wakeAt.After(now))
			require.True(t, s.capped(i, wakeAt.Add(-time.Nanosecond)), "wakeAt %v too early for lane %d", wakeAt, i)
		}
	}
	if pending == 0 {
		require.True(t, wakeAt.IsZero())
	} else {
		freed := false
		for i := range order {
			freed = freed || (len(s.queued[i]) > 0 && !s.capped(i, wakeAt))
		}
		require.True(t, freed, "nothing frees at wakeAt %v", wakeAt)
	}
	s.checkAt = wakeAt
	if s.next < len(s.arrivals) && (s.checkAt.IsZero() || s.arrivals[s.next].at.Before(s.checkAt)) {
		s.checkAt = s.arrivals[s.next].at
	}
}

// maxInWindow is the most sends in any window [t, t+w) — every window,
// by a two-pointer sweep over the sorted send times.
func maxInWindow(ts []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range ts {
		for j < len(ts) && ts[j].Sub(ts[i]) < w {
			j++
		}
		best = max(best, j-i)
	}
	return best
}

func simulate(t *testing.T, instances int, span time.Duration) []*simInst {
	clk := clock.NewFake(t0)
	var sims []*simInst
	for n := range instances {
		s := &simInst{
			p:        New(nil, 1, rand.New(rand.NewPCG(uint64(n), 1))),
			arrivals: genArrivals(uint64(n)+42, span, fmt.Sprint("i", n)),
			queued:   make([][]arrival, numLanes), sends: make([][]time.Time, numLanes),
			sentIDs: map[string]int{}, aheadU: map[string]int{}, pickedAt: map[string]int{},
		}
		s.checkAt = s.arrivals[0].at
		sims = append(sims, s)
	}
	for {
		var cur *simInst // the instance with the earliest event; ties by index
		var at time.Time
		for _, s := range sims {
			ev := s.checkAt
			if s.inflight != nil {
				ev = s.sendAt
			}
			if !ev.IsZero() && (cur == nil || ev.Before(at)) {
				cur, at = s, ev
			}
		}
		if cur == nil {
			return sims
		}
		require.False(t, at.Before(clk.Now()), "time went backwards")
		clk.Advance(at.Sub(clk.Now()))
		cur.step(t, clk.Now())
	}
}

func TestSimulation(t *testing.T) {
	tests := []struct {
		name       string
		instances  int
		span       time.Duration // arrivals spread uniformly over this
		wantHourly bool          // the hourly caps must be reached too
	}{
		{"1 instance, 25h", 1, 25 * time.Hour, false},
		{"3 instances, 25h", 3, 25 * time.Hour, false},
		{"1 instance, burst", 1, 10 * time.Minute, true},
		{"3 instances, burst", 3, 10 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			sims := simulate(t, tt.instances, tt.span)
			for n, s := range sims {
				var last time.Time
				for i, l := range order {
					require.Empty(t, s.queued[i], "instance %d lane %s not drained", n, l)
					ts := s.sends[i]
					require.True(t, slices.IsSortedFunc(ts, func(a, b time.Time) int { return a.Compare(b) }))
					pol := l.Policy()
					h, d := maxInWindow(ts, time.Hour), maxInWindow(ts, 24*time.Hour)
					if pol.PerHour > 0 {
						require.LessOrEqual(t, h, pol.PerHour, "instance %d %s hourly", n, l)
						require.LessOrEqual(t, d, pol.PerDay, "instance %d %s daily", n, l)
						require.Equal(t, pol.PerDay, d, "instance %d %s never reached its daily cap", n, l)
						if tt.wantHourly {
							require.Equal(t, pol.PerHour, h, "instance %d %s never reached its hourly cap", n, l)
						}
					}
					if len(ts) > 0 {
						last = maxTime(last, ts[len(ts)-1])
					}
				}
				require.Len(t, s.sentIDs, len(s.arrivals), "instance %d lost messages", n)
				for id, c := range s.sentIDs {
					require.Equal(t, 1, c, "instance %d sent %s %d times", n, id, c)
				}
				require.Equal(t, map[lane.Lane]int{lane.Urgent: 0, lane.Normal: 0, lane.Bulk: 0}, s.p.Len())
				t.Logf("instance %d: %d sent, last at +%v, longest urgent wait %v",
					n, len(s.sentIDs), last.Sub(t0).Round(time.Minute), s.maxWait)
			}
			t.Logf("wall time %v", time.Since(start))
		})
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
