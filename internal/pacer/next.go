package pacer

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/wagateway/wagateway/internal/lane"
)

// Next decides what the instance does at now. If a lane under its caps has
// work, it returns that lane's oldest item, removed from the pending set,
// and the random delay to wait before sending it; lanes are tried in
// priority order, so a capped lane never blocks a lower one that is free.
// Otherwise ok is false and wakeAt is the earliest time a capped lane with
// work frees up, or the zero time if nothing is pending at all (then only
// an Add can create work). The caller must report the outcome with Sent or
// Requeue; a pick is not a send and does not count against the caps.
func (p *Pacer) Next(now time.Time) (it Item, delay time.Duration, ok bool, wakeAt time.Time) {
	nowNS := now.UnixNano()
	wake := int64(math.MaxInt64)
	for i := range p.lanes {
		ls := &p.lanes[i]
		if ls.count == 0 {
			continue
		}
		if free := ls.win.freeAt(); free > nowNS {
			wake = min(wake, free)
			continue
		}
		e := p.popLive(ls)
		p.forget(e.it.ID, i)
		return e.it, p.delay(order[i].Policy()), true, time.Time{}
	}
	if wake == math.MaxInt64 {
		return Item{}, 0, false, time.Time{}
	}
	return Item{}, 0, false, time.Unix(0, wake).In(now.Location())
}

// popLive pops stale entries off the head and returns the first live one,
// still queued (forget resets the queue when it empties). ls.count > 0
// guarantees there is one.
func (p *Pacer) popLive(ls *laneState) entry {
	for {
		e, _ := ls.q.peek()
		ls.q.popFront()
		if ref, ok := p.pending[e.it.ID]; ok && ref.seq == e.seq {
			return e
		}
	}
}

// Sent records an actual send of lane l at time at. Only real sends count
// towards the caps (API.md), so picks that end in Requeue never reach here.
// Failed sends that reached WhatsApp should be reported too: they still
// look like traffic to the anti-ban heuristics.
func (p *Pacer) Sent(l lane.Lane, at time.Time) {
	p.lanes[laneIndex(l)].win.push(at.UnixNano())
}

// EarliestSend is when lane l could next send judging only by its windows
// (now itself if it is under its caps). The session host uses it to route a
// client-level send to the open instance that can send soonest.
func (p *Pacer) EarliestSend(l lane.Lane, now time.Time) time.Time {
	free := p.lanes[laneIndex(l)].win.freeAt()
	if free <= now.UnixNano() {
		return now
	}
	return time.Unix(0, free).In(now.Location())
}

// delay draws the pre-send pause uniformly from [MinDelay, MaxDelay]
// (inclusive, nanosecond resolution) and scales it. The randomness, not
// only the rate, is what keeps the traffic from looking automated.
func (p *Pacer) delay(pol lane.Policy) time.Duration {
	d := pol.MinDelay
	if span := int64(pol.MaxDelay - pol.MinDelay); span > 0 {
		if p.rnd != nil {
			d += time.Duration(p.rnd.Int64N(span + 1))
		} else {
			d += time.Duration(rand.Int64N(span + 1))
		}
	}
	return scaleDuration(d, p.scale)
}

// scaleDuration multiplies d by s, saturating instead of overflowing.
func scaleDuration(d time.Duration, s float64) time.Duration {
	f := float64(d) * s
	if f >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(f)
}

// Preempts reports whether a lane of higher priority than l has work and
// is under its caps at now: a pick of lane l that is still waiting out its
// delay should then go back (Requeue) and the caller pick again. On SQS
// FIFO the next message of a lane only arrives after the previous one was
// deleted, so without this a lower lane picked in that gap would go first.
func (p *Pacer) Preempts(l lane.Lane, now time.Time) bool {
	nowNS := now.UnixNano()
	for i := 0; i < laneIndex(l); i++ {
		if ls := &p.lanes[i]; ls.count > 0 && ls.win.freeAt() <= nowNS {
			return true
		}
	}
	return false
}
