package host

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/pacer"
	"github.com/wagateway/wagateway/internal/queue"
)

// heldMsg is a lane queue message the host holds until its turn. id is
// the message's, or for a change of a sent message (change not nil) the
// change's: the pacer and the holding map know work items by it.
type heldMsg struct {
	id      string
	lane    lane.Lane
	q       Receiver
	receipt string
	change  *gateway.QueueBody
	// to and typ come with the queue body of a send (empty in older
	// bodies): what typing shows, without a read.
	to  string
	typ message.Type
	// since is when the host first received it, until when its current
	// visibility ends (see extendDue).
	since, until time.Time
}

// session is one instance's sending state. Its sender goroutine runs only
// while the instance is open and has work, so an idle instance costs a
// map entry and a pacer, not a goroutine.
type session struct {
	h    *Host
	name string

	mu       sync.Mutex
	pacer    *pacer.Pacer
	holding  map[string]heldMsg
	open     bool
	running  bool
	wake     chan struct{}
	rnd      *rand.Rand      // spintax draws; used only by the sender loop
	typed    <-chan struct{} // the last typist's done (typing.go); used only by the sender loop
	settings settingsCopy    // settings.go
}

// session returns the instance's session, creating it (with its lane
// windows rebuilt from the last 24 hours of sends) on first use.
func (h *Host) session(ctx context.Context, name string) (*session, error) {
	h.mu.Lock()
	s := h.sessions[name]
	h.mu.Unlock()
	if s != nil {
		return s, nil
	}
	history, err := h.cfg.Store.SentSince(ctx, name, h.cfg.Clock.Now().Add(-24*time.Hour))
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.sessions[name]; s != nil {
		return s, nil
	}
	seed := h.rnd.Uint64()
	s = &session{h: h, name: name, holding: map[string]heldMsg{}, wake: make(chan struct{}, 1),
		pacer: pacer.New(history, h.cfg.DelayScale, newRand(seed)), rnd: newRand(seed + 1)}
	h.sessions[name] = s
	return s, nil
}

// hold takes a received queue message into its instance's session.
func (h *Host) hold(ctx context.Context, l lane.Lane, q Receiver, d queue.Delivery, received time.Time) {
	var body gateway.QueueBody
	if err := json.Unmarshal(d.Body, &body); err != nil || body.MessageID == "" || body.InstanceName == "" ||
		(body.Change != "" && body.ChangeID == "") {
		h.log.Error("unreadable lane queue message dropped", "lane", string(l), "dedupId", d.DedupID)
		_ = q.Delete(ctx, d.Receipt)
		return
	}
	if h.Elsewhere(body.InstanceName) {
		// Another host holds the instance: let it have the message now
		// rather than after this host's visibility.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaseIOTimeout)
		defer cancel()
		_ = q.ChangeVisibility(rctx, d.Receipt, 0)
		return
	}
	s, err := h.session(ctx, body.InstanceName)
	if err != nil && ctx.Err() != nil {
		// Received just as the host stops: hand it to the next host at
		// once instead of after its visibility timeout.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = q.ChangeVisibility(rctx, d.Receipt, 0)
		return
	}
	if err != nil {
		h.log.Warn("open session", "instance", body.InstanceName, "err", err.Error())
		return // the message reappears after its visibility timeout
	}
	m := heldMsg{id: body.MessageID, lane: l, q: q, receipt: d.Receipt, to: body.To, typ: body.Type,
		since: received, until: received.Add(holdFor)}
	if body.Change != "" {
		m.id, m.change = body.ChangeID, &body
	}
	s.add(m)
}

func (s *session) add(m heldMsg) {
	s.mu.Lock()
	if old, ok := s.holding[m.id]; !ok {
		s.pacer.Add(pacer.Item{ID: m.id, Lane: m.lane})
	} else {
		m.since = old.since
	}
	s.holding[m.id] = m // a redelivery brings a new receipt
	s.mu.Unlock()
	s.kick()
}

func (s *session) setOpen(open bool) {
	s.mu.Lock()
	s.open = open
	s.mu.Unlock()
	s.kick()
}

// kick starts the sender if it should run, or wakes it if it waits.
func (s *session) kick() {
	s.mu.Lock()
	start := !s.running && s.open && len(s.holding) > 0 && s.h.own.started()
	if start {
		s.running = true
	}
	s.mu.Unlock()
	if start {
		s.h.own.post(s.loop)
		return
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// extendDue returns the held messages whose visibility ends within
// extendAhead of now, each with the visibility to extend it by, and
// records the new end. The longer a message has waited, the longer its
// extension (half its age, from holdFor up to maxHold): a message waiting
// out a daily cap costs a few extensions an hour, not three a minute, and
// after a crash it reappears at most half its age late, when it was not
// due before anyway.
func (s *session) extendDue(now time.Time) ([]heldMsg, []time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []heldMsg
	var by []time.Duration
	for id, m := range s.holding {
		if m.until.Sub(now) >= extendAhead {
			continue
		}
		ext := min(max(now.Sub(m.since)/2, holdFor), maxHold)
		m.until = now.Add(ext)
		s.holding[id] = m
		due, by = append(due, m), append(by, ext)
	}
	return due, by
}

// takeAll removes and returns every held message (handing them back).
func (s *session) takeAll() []heldMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]heldMsg, 0, len(s.holding))
	for id, m := range s.holding {
		out = append(out, m)
		delete(s.holding, id)
		s.pacer.Remove(id)
	}
	return out
}

// loop is the instance's sender: one message at a time, in pacer order.
func (s *session) loop(ctx context.Context) {
	clk := s.h.cfg.Clock
	for ctx.Err() == nil {
		s.mu.Lock()
		if !s.open || len(s.holding) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		it, delay, ok, wakeAt := s.pacer.Next(clk.Now())
		m, known := s.holding[it.ID]
		s.mu.Unlock()
		if !ok {
			s.waitUntil(ctx, wakeAt)
			continue
		}
		if !known {
			continue
		}
		read, done := s.h.settled(ctx, s.name, m)
		if done {
			s.drop(m.id)
			continue
		}
		due := clk.Now().Add(delay)
		typing := s.startTyping(ctx, m, s.typed)
		s.typed = typing.done
		if !s.waitToSend(ctx, m.lane, delay) {
			typing.stop()
			if ctx.Err() != nil {
				return
			}
			s.mu.Lock()
			s.pacer.Requeue(pacer.Item{ID: m.id, Lane: m.lane})
			s.mu.Unlock()
			continue
		}
		fctx, mine := s.h.fenced(ctx, s.name)
		if !mine {
			// The lease went (drop follows): send nothing more.
			typing.stop()
			s.mu.Lock()
			s.pacer.Requeue(pacer.Item{ID: m.id, Lane: m.lane})
			s.open = false
			s.mu.Unlock()
			continue
		}
		o := s.h.deliver(fctx, s.name, m, read, s.rnd, due)
		typing.stop() // handed to WhatsApp, or over without a send
		switch o {
		case outcomeSent:
			s.mu.Lock()
			s.pacer.Sent(m.lane, clk.Now())
			s.mu.Unlock()
			s.drop(m.id)
		case outcomeDone:
			s.drop(m.id)
		case outcomeRetry:
			s.mu.Lock()
			s.pacer.Requeue(pacer.Item{ID: m.id, Lane: m.lane})
			s.mu.Unlock()
			s.h.sleep(ctx, retryAfter)
		case outcomeNotOpen:
			s.mu.Lock()
			s.pacer.Requeue(pacer.Item{ID: m.id, Lane: m.lane})
			s.open = false
			s.mu.Unlock()
		}
	}
	s.mu.Lock()
	s.running = false
	s.mu.Unlock()
}

// waitToSend waits out a pick's delay. It reports false if ctx ended or a
// message of a higher lane that may send arrived meanwhile (the pick then
// goes back and the loop picks again); other arrivals do not restart the
// wait.
func (s *session) waitToSend(ctx context.Context, l lane.Lane, delay time.Duration) bool {
	clk := s.h.cfg.Clock
	timer := clk.After(delay)
	for {
		select {
		case <-ctx.Done():
			return false
		case <-timer:
			return true
		case <-s.wake:
			s.mu.Lock()
			preempted := s.pacer.Preempts(l, clk.Now())
			s.mu.Unlock()
			if preempted {
				return false
			}
		}
	}
}

func (s *session) drop(id string) {
	s.mu.Lock()
	delete(s.holding, id)
	s.mu.Unlock()
}

// waitUntil waits for at (zero: indefinitely) or a kick.
func (s *session) waitUntil(ctx context.Context, at time.Time) {
	var timer <-chan time.Time
	if !at.IsZero() {
		timer = s.h.cfg.Clock.After(at.Sub(s.h.cfg.Clock.Now()))
	}
	select {
	case <-ctx.Done():
	case <-s.wake:
	case <-timer:
	}
}
