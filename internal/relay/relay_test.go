package relay_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/relay"
)

var start = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

// store is an in-memory outbox. Every call is logged, so tests can check
// the order of publish and mark.
type store struct {
	mu        sync.Mutex
	events    []outbox.Event
	published map[string]bool
	outcomes  []outbox.Outcome
	log       *[]string
	failRead  int // fail this many PendingEvents calls
	// stale keeps listing marked events until this time, as an
	// eventually consistent index can.
	stale    time.Time
	clk      *clock.Fake
	failMark int
	failRec  int
}

func (s *store) add(evs ...outbox.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, evs...)
}

func (s *store) PendingEvents(_ context.Context, limit int) ([]outbox.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.log = append(*s.log, "pending")
	if s.failRead > 0 {
		s.failRead--
		return nil, errors.New("store unavailable")
	}
	var out []outbox.Event
	for _, ev := range s.events {
		listed := !s.published[ev.ID] || s.clk != nil && s.clk.Now().Before(s.stale)
		if listed && len(out) < limit {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (s *store) MarkPublished(_ context.Context, evs []outbox.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.log = append(*s.log, fmt.Sprintf("mark %d", len(evs)))
	if s.failMark > 0 {
		s.failMark--
		return errors.New("store unavailable")
	}
	for _, ev := range evs {
		s.published[ev.ID] = true
	}
	return nil
}

func (s *store) RecordAttempts(_ context.Context, outcomes []outbox.Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.log = append(*s.log, fmt.Sprintf("record %d", len(outcomes)))
	if s.failRec > 0 {
		s.failRec--
		return errors.New("store unavailable")
	}
	s.outcomes = append(s.outcomes, outcomes...)
	return nil
}

func (s *store) pending() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ev := range s.events {
		if !s.published[ev.ID] {
			out = append(out, ev.ID)
		}
	}
	return out
}

// partial is a PartialError.
type partial struct {
	failed   []string
	rejected map[string]string
}

func (p *partial) Error() string               { return "partial" }
func (p *partial) NotPublished() []string      { return p.failed }
func (p *partial) Rejected() map[string]string { return p.rejected }

// publisher records what it is asked to publish; fail decides each call's
// error.
type publisher struct {
	mu  sync.Mutex
	st  *store
	got []string // every id published, duplicates included
	// republished lists events published while already marked: the
	// duplicates the relay exists to avoid.
	republished []string
	calls       int
	fail        func(call int, evs []outbox.Event) error
}

func (p *publisher) Publish(_ context.Context, evs []outbox.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	p.st.mu.Lock()
	*p.st.log = append(*p.st.log, fmt.Sprintf("publish %d", len(evs)))
	for _, ev := range evs {
		if p.st.published[ev.ID] {
			p.republished = append(p.republished, ev.ID)
		}
	}
	p.st.mu.Unlock()
	var err error
	if p.fail != nil {
		err = p.fail(p.calls, evs)
	}
	var pe *partial
	for _, ev := range evs {
		if err == nil || errors.As(err, &pe) && !slices.Contains(pe.failed, ev.ID) && pe.rejected[ev.ID] == "" {
			p.got = append(p.got, ev.ID)
		}
	}
	return err
}

func (p *publisher) callCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

func (p *publisher) published() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.got)
}

type harness struct {
	st   *store
	pub  *publisher
	clk  *clock.Fake
	r    *relay.Relay
	log  []string
	done chan error
	stop context.CancelFunc
}

func newHarness(t *testing.T, batch int) *harness {
	h := &harness{clk: clock.NewFake(start)}
	h.st = &store{published: map[string]bool{}, log: &h.log}
	h.pub = &publisher{st: h.st}
	h.r = relay.New(relay.Config{Store: h.st, Publisher: h.pub, Clock: h.clk, Log: slog.New(slog.DiscardHandler), Batch: batch})
	return h
}

func (h *harness) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	h.stop, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.r.Run(ctx) }()
	t.Cleanup(func() {
		h.pub.mu.Lock()
		require.Empty(t, h.pub.republished, "published again after being marked published")
		h.pub.mu.Unlock()
		cancel()
		select {
		case err := <-h.done:
			require.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
}

// idle waits until the relay is blocked on a timer (a poll or a backoff).
func (h *harness) idle(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool { return h.clk.Waiters() > 0 }, 5*time.Second, time.Millisecond)
}

func (h *harness) calls() []string {
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	return slices.Clone(h.log)
}

func evs(prefix string, n int) []outbox.Event {
	out := make([]outbox.Event, n)
	for i := range out {
		out[i] = outbox.Event{ID: fmt.Sprintf("%s-%03d", prefix, i), TenantID: "acme", Instance: "acme__a__b",
			Name: "message.sent", Body: []byte(`{}`), CreatedAt: start}
	}
	return out
}

func ids(evs []outbox.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

func TestPublishesThenMarks(t *testing.T) {
	h := newHarness(t, 100)
	all := evs("e", 250)
	h.st.add(all...)
	h.run(t)
	h.idle(t)

	require.Equal(t, ids(all), h.pub.published())
	require.Empty(t, h.st.pending())
	require.Equal(t, []string{
		"pending", "publish 100", "mark 100",
		"pending", "publish 100", "mark 100", // a full batch: more may wait, no poll in between
		"pending", "publish 50", "mark 50",
	}, h.calls())
}

func TestPollsAndWakes(t *testing.T) {
	h := newHarness(t, 100)
	h.run(t)
	h.idle(t)
	require.Equal(t, []string{"pending"}, h.calls())

	h.st.add(evs("a", 2)...)
	h.clk.Advance(time.Second) // the poll
	require.Eventually(t, func() bool { return len(h.st.pending()) == 0 }, 5*time.Second, time.Millisecond)
	h.idle(t)

	h.st.add(evs("b", 3)...)
	h.r.Wake() // no clock movement: the wake alone does it
	require.Eventually(t, func() bool { return len(h.st.pending()) == 0 }, 5*time.Second, time.Millisecond)
	require.Equal(t, append(ids(evs("a", 2)), ids(evs("b", 3))...), h.pub.published())
}

func TestFailedPublishKeepsEventsPending(t *testing.T) {
	h := newHarness(t, 100)
	h.pub.fail = func(call int, _ []outbox.Event) error {
		if call <= 2 {
			return errors.New("bus down")
		}
		return nil
	}
	all := evs("e", 5)
	h.st.add(all...)
	h.run(t)

	h.idle(t) // backing off 1 s
	require.Equal(t, ids(all), h.st.pending())
	h.r.Wake()
	h.clk.Advance(999 * time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	require.Equal(t, 1, h.pub.callCount(), "a wake does not cut a backoff short")

	h.clk.Advance(time.Millisecond)
	require.Eventually(t, func() bool { return h.pub.callCount() == 2 }, 5*time.Second, time.Millisecond)
	h.idle(t) // backing off 2 s
	require.Equal(t, ids(all), h.st.pending())
	h.clk.Advance(2 * time.Second)
	require.Eventually(t, func() bool { return len(h.st.pending()) == 0 }, 5*time.Second, time.Millisecond)
	require.Equal(t, []string{"pending", "publish 5", "pending", "publish 5", "pending", "publish 5", "mark 5"}, h.calls()[:7])
}

func TestPartialFailureMarksOnlyWhatWasPublished(t *testing.T) {
	h := newHarness(t, 100)
	all := evs("e", 4)
	h.pub.fail = func(call int, _ []outbox.Event) error {
		if call == 1 {
			return fmt.Errorf("wrapped: %w", &partial{failed: []string{all[1].ID, all[3].ID}})
		}
		return nil
	}
	h.st.add(all...)
	h.run(t)

	h.idle(t)
	require.Equal(t, []string{all[1].ID, all[3].ID}, h.st.pending())
	h.clk.Advance(time.Second)
	require.Eventually(t, func() bool { return len(h.st.pending()) == 0 }, 5*time.Second, time.Millisecond)
	require.Equal(t, []string{all[0].ID, all[2].ID, all[1].ID, all[3].ID}, h.pub.published())
	require.Equal(t, []string{"pending", "publish 4", "mark 2", "pending", "publish 2", "mark 2"}, h.calls()[:6])
}

func TestRejectedEventsAreDeadLettered(t *testing.T) {
	h := newHarness(t, 100)
	all := evs("e", 3)
	h.pub.fail = func(int, []outbox.Event) error {
		return &partial{rejected: map[string]string{all[1].ID: "event too large for the event bus"}}
	}
	h.st.add(all...)
	h.st.failRec = 1 // the first dead-lettering is not recorded: it stays pending
	h.run(t)

	h.idle(t)
	require.Equal(t, []string{all[1].ID}, h.st.pending(), "not recorded dead, so not marked")
	h.st.mu.Lock()
	require.Empty(t, h.st.outcomes)
	h.st.mu.Unlock()
	h.clk.Advance(time.Second)
	require.Eventually(t, func() bool { return len(h.st.pending()) == 0 }, 5*time.Second, time.Millisecond)
	h.st.mu.Lock()
	require.Equal(t, []outbox.Outcome{{ID: all[1].ID, LastError: "event too large for the event bus", At: start.Add(time.Second)}},
		h.st.outcomes, "dead: not delivered, no next attempt")
	h.st.mu.Unlock()
	require.Equal(t, []string{all[0].ID, all[2].ID}, h.pub.published())

	h.idle(t)
	h.r.Wake() // answered at once: a recorded rejection is no failure to back off from
	require.Eventually(t, func() bool { return len(h.calls()) == 9 }, 5*time.Second, time.Millisecond)
	require.Equal(t, []string{"pending", "publish 3", "record 1", "mark 2", "pending", "publish 1", "record 1", "mark 1", "pending"}, h.calls())
}

// A store listing events from a lagging index still shows events just
// marked published; the relay does not publish them again, yet an event
// made pending again after a while (a redelivery) is published again.
func TestStaleIndexDoesNotRepublish(t *testing.T) {
	h := newHarness(t, 2)
	h.st.clk = h.clk
	h.st.stale = start.Add(3 * time.Second)
	all := evs("e", 3)
	h.st.add(all...)
	h.run(t)

	h.idle(t)
	require.Equal(t, ids(all[:2]), h.pub.published())
	for range 2 {
		h.clk.Advance(time.Second)
		h.idle(t)
	}
	require.Equal(t, ids(all[:2]), h.pub.published(), "listed again while the index lags, not published again")
	h.clk.Advance(time.Second) // the index catches up: the third event shows
	require.Eventually(t, func() bool { return len(h.pub.published()) == 3 }, 5*time.Second, time.Millisecond)
	h.idle(t)
	require.Equal(t, ids(all), h.pub.published())

	h.clk.Advance(6 * time.Second) // past the window
	h.st.mu.Lock()
	h.st.published[all[1].ID] = false // redelivered
	h.st.mu.Unlock()
	h.r.Wake()
	require.Eventually(t, func() bool { return len(h.pub.published()) == 4 }, 5*time.Second, time.Millisecond)
	require.Equal(t, all[1].ID, h.pub.published()[3])
}

func TestFailedMarkRepublishes(t *testing.T) {
	h := newHarness(t, 100)
	all := evs("e", 2)
	h.st.add(all...)
	h.st.failMark = 1
	h.run(t)

	h.idle(t)
	require.Equal(t, ids(all), h.st.pending())
	h.clk.Advance(time.Second)
	require.Eventually(t, func() bool { return len(h.st.pending()) == 0 }, 5*time.Second, time.Millisecond)
	require.Equal(t, append(ids(all), ids(all)...), h.pub.published(), "published twice: at least once, never lost")
}

func TestFailedReadBacksOff(t *testing.T) {
	h := newHarness(t, 100)
	h.st.add(evs("e", 1)...)
	h.st.failRead = 3
	h.run(t)
	for _, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		h.idle(t)
		require.Equal(t, 0, h.pub.callCount())
		h.clk.Advance(wait - time.Millisecond)
		time.Sleep(10 * time.Millisecond)
		require.Equal(t, 0, h.pub.callCount())
		h.clk.Advance(time.Millisecond)
	}
	require.Eventually(t, func() bool { return len(h.st.pending()) == 0 }, 5*time.Second, time.Millisecond)
}

func TestRunNeedsItsPorts(t *testing.T) {
	require.Error(t, relay.New(relay.Config{}).Run(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h := newHarness(t, 1)
	require.NoError(t, h.r.Run(ctx))
}

// lags records what OnLag was told.
type lags struct {
	mu  sync.Mutex
	got []time.Duration
}

func (l *lags) add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, d)
}

func (l *lags) all() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got)
}

// TestReportsOutboxLag: each successful read reports how long the oldest
// pending event has waited, on the relay's clock; 0 when none is; a
// failed read reports nothing (the lag is unknown).
func TestReportsOutboxLag(t *testing.T) {
	h := newHarness(t, 100)
	var got lags
	failing := true
	var mu sync.Mutex
	h.pub.fail = func(int, []outbox.Event) error {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			return errors.New("bus down")
		}
		return nil
	}
	h.st.failRead = 1
	h.r = relay.New(relay.Config{Store: h.st, Publisher: h.pub, Clock: h.clk, Log: slog.New(slog.DiscardHandler), OnLag: got.add})
	h.run(t)
	h.idle(t) // the failed read's backoff
	require.Empty(t, got.all(), "a failed read reports no lag")

	h.clk.Advance(time.Second)
	h.idle(t)
	require.Equal(t, []time.Duration{0}, got.all(), "nothing pending: 0")

	old := evs("o", 2)
	old[0].CreatedAt = start.Add(-30 * time.Second)
	old[1].CreatedAt = start.Add(-90 * time.Second) // not first: the oldest counts wherever it is
	h.st.add(old...)
	h.clk.Advance(time.Second) // the poll: read, publish fails, back off 1 s
	require.Eventually(t, func() bool { return len(got.all()) == 2 }, 5*time.Second, time.Millisecond)
	h.idle(t)
	h.clk.Advance(time.Second) // retry: fails again, 1 s later on the clock
	require.Eventually(t, func() bool { return len(got.all()) == 3 }, 5*time.Second, time.Millisecond)
	require.Equal(t, []time.Duration{0, 92 * time.Second, 93 * time.Second}, got.all())

	mu.Lock()
	failing = false
	mu.Unlock()
	h.idle(t)
	h.clk.Advance(2 * time.Second) // the second backoff: published
	require.Eventually(t, func() bool { return len(h.st.pending()) == 0 }, 5*time.Second, time.Millisecond)
	h.idle(t)
	h.clk.Advance(time.Second)
	require.Eventually(t, func() bool { return len(got.all()) == 5 }, 5*time.Second, time.Millisecond)
	require.Equal(t, []time.Duration{0, 92 * time.Second, 93 * time.Second, 95 * time.Second, 0}, got.all())
}

// TestOnlyTheLeaderReads: a relay that is not leading never reads the
// outbox, however often it is woken; once it leads, it publishes.
func TestOnlyTheLeaderReads(t *testing.T) {
	h := newHarness(t, 100)
	var leading atomic.Bool
	h.r = relay.New(relay.Config{Store: h.st, Publisher: h.pub, Clock: h.clk, Log: slog.New(slog.DiscardHandler),
		Leading: leading.Load})
	h.st.add(evs("e", 3)...)
	h.run(t)
	for range 3 {
		h.idle(t)
		h.r.Wake()
		h.clk.Advance(time.Second)
	}
	h.idle(t)
	require.Empty(t, h.calls(), "a follower reads nothing")
	leading.Store(true)
	h.clk.Advance(time.Second)
	require.Eventually(t, func() bool { return len(h.pub.published()) == 3 }, 5*time.Second, time.Millisecond)
}
