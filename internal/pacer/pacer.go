// Package pacer decides, for one WhatsApp instance, which pending message
// goes next and when, following the anti-ban lane rules (API.md "Lanes").
//
// It is pure bookkeeping — no goroutines, no clock, no I/O — so hours of
// pacing can be checked in milliseconds of test and the session host's
// sender loop stays trivial:
//
//	for {
//		it, delay, ok, wakeAt := p.Next(clk.Now())
//		if !ok {
//			waitUntil(wakeAt) // or a new Add; zero wakeAt: only an Add
//			continue
//		}
//		<-clk.After(delay)
//		if err := send(it); errors.Is(err, errNotConnected) {
//			p.Requeue(it) // it never left: it keeps its place in line
//			continue
//		}
//		p.Sent(it.Lane, clk.Now())
//	}
//
// A pick is final for that round: an urgent message added during the delay
// goes out right after the message already picked (the one send in flight).
//
// A Pacer is not safe for concurrent use: the sender loop owns it, or every
// call goes through one mutex.
package pacer

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wagateway/wagateway/internal/lane"
)

// Item is one pending message. The pacer needs nothing else: the message
// body stays in storage, so a queue of thousands costs only their ids.
type Item struct {
	ID   string
	Lane lane.Lane
}

// numLanes is len(lane.All()); order[i] is the lane with Priority i.
const numLanes = 3

var order = [numLanes]lane.Lane(lane.All())

// laneIndex maps a lane to its slot. A lane that is not Valid is paced as
// bulk, matching lane.Policy: an unchecked value must fail towards slower.
func laneIndex(l lane.Lane) int {
	return min(l.Priority(), numLanes-1)
}

// laneState is one lane: its waiting items and its send history.
type laneState struct {
	q     fifo
	count int // live (non-stale) entries in q
	win   window
}

// pendingRef locates a pending item; seq tells the live queue entry apart
// from stale ones left behind by Remove or Requeue.
type pendingRef struct {
	seq  uint64
	lane uint8
}

// Pacer is the pacing state of one instance: its pending items per lane
// and the rolling send windows that enforce the lane caps.
type Pacer struct {
	lanes   [numLanes]laneState
	pending map[string]pendingRef // nil while nothing is pending
	peak    int                   // most entries pending since the map was made
	seq     uint64
	scale   float64
	rnd     *rand.Rand
}

// New builds a pacer. sent is the history of actual send times per lane, as
// read back from storage after a restart, so that a restart cannot reset
// the caps; any order is fine and sends older than 24 h simply never count.
// scale multiplies every delay (tests and demos use a small scale); a scale
// that is not a positive finite number is treated as 1, never as "no delay".
// rnd draws the delays; nil means the math/rand/v2 global source.
func New(sent map[lane.Lane][]time.Time, scale float64, rnd *rand.Rand) *Pacer {
	if !(scale > 0) || math.IsInf(scale, 0) {
		scale = 1
	}
	p := &Pacer{scale: scale, rnd: rnd}
	var hist [numLanes][]int64
	for i, l := range order {
		pol := l.Policy()
		p.lanes[i].win = newWindow(pol.PerHour, pol.PerDay)
	}
	for l, times := range sent {
		i := laneIndex(l)
		for _, t := range times {
			hist[i] = append(hist[i], t.UnixNano())
		}
	}
	for i := range hist {
		h := hist[i]
		slices.Sort(h)
		// Only the newest `limit` sends can ever decide a cap.
		for _, ns := range h[max(len(h)-p.lanes[i].win.limit, 0):] {
			p.lanes[i].win.push(ns)
		}
	}
	return p
}

// Add appends it to its lane. An ID already pending is ignored, because
// queues redeliver (SQS at-least-once) and a message must go out once.
func (p *Pacer) Add(it Item) {
	if _, dup := p.pending[it.ID]; dup {
		return
	}
	p.push(it, false)
}

// Remove drops a pending item, e.g. a message flushed through the API, so it
// neither goes out nor holds up its lane. It reports whether id was pending;
// an item already returned by Next is not, the caller holds it.
func (p *Pacer) Remove(id string) bool {
	ref, ok := p.pending[id]
	if !ok {
		return false
	}
	p.forget(id, int(ref.lane))
	return true
}

// Requeue puts a picked item back at the head of its lane: the send did not
// happen (e.g. the connection dropped), so it keeps its place in line rather
// than going behind messages that arrived after it. If the same ID was added
// again meanwhile, that copy is dropped in favour of the head position.
func (p *Pacer) Requeue(it Item) {
	if ref, ok := p.pending[it.ID]; ok {
		p.forget(it.ID, int(ref.lane))
	}
	p.push(it, true)
}

// Len counts pending items per lane (every lane is present), for metrics
// and for callers deciding whether an instance has work at all.
func (p *Pacer) Len() map[lane.Lane]int {
	m := make(map[lane.Lane]int, numLanes)
	for i, l := range order {
		m[l] = p.lanes[i].count
	}
	return m
}

func (p *Pacer) push(it Item, front bool) {
	if p.pending == nil {
		p.pending = make(map[string]pendingRef)
	}
	i := laneIndex(it.Lane)
	p.seq++
	p.pending[it.ID] = pendingRef{seq: p.seq, lane: uint8(i)}
	p.peak = max(p.peak, len(p.pending))
	ls := &p.lanes[i]
	if front {
		ls.q.pushFront(entry{it: it, seq: p.seq})
	} else {
		ls.q.pushBack(entry{it: it, seq: p.seq})
	}
	ls.count++
}

// forget removes id from the pending index; its queue entry turns stale.
// Emptied structures are released so an idle pacer stays small.
func (p *Pacer) forget(id string, i int) {
	delete(p.pending, id)
	ls := &p.lanes[i]
	ls.count--
	if ls.count == 0 {
		ls.q.reset()
	}
	if len(p.pending) == 0 && p.peak > releaseCap {
		p.pending, p.peak = nil, 0
	}
}
