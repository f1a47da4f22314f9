package pacer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
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

// Message changes: an edit or a deletion for everyone ("revoke") of a
// message already sent. The host queues one as an urgent item with its own
// ID, the pacer picks it like any urgent item and the host waits its delay,
// but applyChange ends in outcomeDone, never outcomeSent: the host does not
// call Sent for it, so it counts toward no cap. One sender per instance
// means it never goes out beside a send in flight.
const (
	changeOdds   = 5                // 1 in changeOdds normal/bulk sends gets a change
	changeWithin = 15 * time.Minute // it arrives within this after the send (edit window)
)

// applied is a change that went out in the simulation.
type applied struct {
	id, target string
	pickAt, at time.Time
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
	pickAt   time.Time // when inflight was picked

	rnd       *rand.Rand           // which sends get a change, and when
	changes   []arrival            // change arrivals made during the run, in time order
	lastArr   time.Time            // the latest arrival taken so far
	targetOf  map[string]string    // change ID -> the message it changes
	busyWith  map[string]string    // change ID -> the item in flight when it arrived
	finished  map[string]time.Time // item ID -> when it finished (sent or applied)
	applied   []applied            // changes, in the order they went out
	sentCalls [numLanes]int        // Sent calls per lane priority
	maxChWait time.Duration        // longest change arrival-to-pick wait
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
	for {
		a, ok := s.takeArrival(now)
		if !ok {
			break
		}
		require.False(t, a.at.Before(s.lastArr), "arrival %s out of time order", a.it.ID)
		s.lastArr = a.at
		li := laneIndex(a.it.Lane)
		if a.it.Lane == lane.Urgent {
			s.aheadU[a.it.ID] = len(s.queued[li])
			s.pickedAt[a.it.ID] = s.nPicks
		}
		if _, isChange := s.targetOf[a.it.ID]; isChange && s.inflight != nil {
			s.busyWith[a.it.ID] = s.inflight.it.ID
		}
		s.queued[li] = append(s.queued[li], a)
		s.p.Add(a.it)
	}
	if s.inflight != nil && !s.sendAt.After(now) {
		s.finish(t, now)
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
		if _, isChange := s.targetOf[it.ID]; isChange {
			s.maxChWait = max(s.maxChWait, now.Sub(a.at))
			// It did not jump the send in flight when it arrived: that one
			// finished first, and nothing is in flight beside it now.
			if busy, ok := s.busyWith[it.ID]; ok {
				done, ok := s.finished[busy]
				require.True(t, ok, "change %s picked while %s, in flight at its arrival, was not done", it.ID, busy)
				require.False(t, now.Before(done), "change %s picked at %v before %s finished", it.ID, now, busy)
			}
		}
		s.nPicks++
		s.inflight, s.sendAt, s.pickAt = &a, now.Add(delay), now
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
	if a, _, ok := s.peekArrival(); ok && (s.checkAt.IsZero() || a.at.Before(s.checkAt)) {
		s.checkAt = a.at
	}
}

// peekArrival returns the earliest arrival not yet taken, from the
// generated ones or the changes made during the run (a generated one first
// on a tie), and whether it is a change.
func (s *simInst) peekArrival() (a arrival, change, ok bool) {
	gen, ch := s.next < len(s.arrivals), len(s.changes) > 0
	switch {
	case ch && (!gen || s.changes[0].at.Before(s.arrivals[s.next].at)):
		return s.changes[0], true, true
	case gen:
		return s.arrivals[s.next], false, true
	}
	return arrival{}, false, false
}

// takeArrival removes and returns the earliest arrival due at now.
func (s *simInst) takeArrival(now time.Time) (arrival, bool) {
	a, change, ok := s.peekArrival()
	if !ok || a.at.After(now) {
		return arrival{}, false
	}
	if change {
		s.changes = s.changes[1:]
	} else {
		s.next++
	}
	return a, true
}

// finish ends the pick in flight at now, as the host's sender loop does
// with deliver's outcome: a send is reported to the pacer (outcomeSent), a
// change is not (outcomeDone) and is recorded apart from the sends, which
// are the reference for the caps.
func (s *simInst) finish(t *testing.T, now time.Time) {
	it := s.inflight.it
	s.inflight = nil
	s.finished[it.ID] = now
	if target, isChange := s.targetOf[it.ID]; isChange {
		sent, ok := s.finished[target]
		require.True(t, ok, "change %s applied before %s was sent", it.ID, target)
		require.True(t, now.After(sent), "change %s applied at %v, not after %s was sent at %v", it.ID, now, target, sent)
		s.applied = append(s.applied, applied{id: it.ID, target: target, pickAt: s.pickAt, at: now})
		return
	}
	li := laneIndex(it.Lane)
	s.sends[li] = append(s.sends[li], now)
	s.sentIDs[it.ID]++
	s.p.Sent(it.Lane, now)
	s.sentCalls[li]++
	if it.Lane != lane.Urgent && s.rnd.IntN(changeOdds) == 0 {
		kind := "edit" // then a revoke, alternately
		if len(s.targetOf)%2 == 1 {
			kind = "revoke"
		}
		c := arrival{now.Add(1 + time.Duration(s.rnd.Int64N(int64(changeWithin)))), Item{it.ID + "/" + kind, lane.Urgent}}
		s.targetOf[c.it.ID] = it.ID
		i := sort.Search(len(s.changes), func(k int) bool { return s.changes[k].at.After(c.at) })
		s.changes = slices.Insert(s.changes, i, c)
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
			rnd:      rand.New(rand.NewPCG(uint64(n), 7)),
			targetOf: map[string]string{}, busyWith: map[string]string{}, finished: map[string]time.Time{},
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
				checkChanges(t, n, s)
				edits := 0
				for _, a := range s.applied {
					edits += strings.Count(a.id, "/edit")
				}
				t.Logf("instance %d: %d sent, %d changes applied (%d edits, %d revokes), last at +%v, longest urgent wait %v (changes %v)",
					n, len(s.sentIDs), len(s.applied), edits, len(s.applied)-edits,
					last.Sub(t0).Round(time.Minute), s.maxWait, s.maxChWait)
			}
			t.Logf("wall time %v", time.Since(start))
		})
	}
}

// checkChanges checks, after the run, that every change went out once and
// after its message, and that none of them reached the caps: the sends and
// the pacer's windows hold the real sends of each lane and nothing else.
func checkChanges(t *testing.T, n int, s *simInst) {
	require.NotEmpty(t, s.targetOf, "instance %d: no changes simulated", n)
	require.Empty(t, s.changes, "instance %d: changes never arrived", n)
	require.NotEmpty(t, s.busyWith, "instance %d: no change arrived during a send, the in-flight check went unused", n)
	require.Len(t, s.applied, len(s.targetOf), "instance %d: changes lost or applied twice", n)
	seen := map[string]bool{}
	for _, a := range s.applied {
		require.False(t, seen[a.id], "instance %d applied %s twice", n, a.id)
		seen[a.id] = true
		require.Equal(t, s.targetOf[a.id], a.target)
		require.Zero(t, s.sentIDs[a.id], "instance %d: change %s counted as a send", n, a.id)
		require.True(t, a.at.After(s.finished[a.target]), "instance %d: %s before its message", n, a.id)
		require.LessOrEqual(t, a.at.Sub(a.pickAt), lane.Urgent.Policy().MaxDelay)
	}
	perLane := make([]int, numLanes)
	for _, a := range s.arrivals {
		perLane[laneIndex(a.it.Lane)]++
	}
	for i := range order {
		require.Len(t, s.sends[i], perLane[i], "instance %d lane %s: sends are not exactly its messages", n, order[i])
		require.Equal(t, perLane[i], s.sentCalls[i], "instance %d lane %s: Sent calls", n, order[i])
		// The pacer's window retained exactly the newest real sends.
		w, ts := &s.p.lanes[i].win, s.sends[i]
		require.Equal(t, min(len(ts), w.limit), w.n, "instance %d lane %s window", n, order[i])
		for k := range w.n {
			require.Equal(t, ts[len(ts)-w.n+k].UnixNano(), w.at(k), "instance %d lane %s window", n, order[i])
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
