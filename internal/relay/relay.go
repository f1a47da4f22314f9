// Package relay carries the transactional outbox to the event bus: the
// session host writes each event in the same transaction as the state
// change that caused it, and the relay publishes what is unpublished and
// then marks it published. Publishing before marking makes delivery at
// least once: a crash in between publishes the event again, with the same
// delivery id, which receivers deduplicate on.
package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/outbox"
)

// Store is the outbox as the relay needs it.
type Store interface {
	// PendingEvents returns up to limit events not yet published, oldest
	// first.
	PendingEvents(ctx context.Context, limit int) ([]outbox.Event, error)
	// MarkPublished records that these events, as PendingEvents returned
	// them, are on the bus; an event published again since (a
	// redelivery) stays pending.
	MarkPublished(ctx context.Context, evs []outbox.Event) error
	// RecordAttempts records delivery outcomes; the relay records one
	// only to dead-letter an event the bus can never take.
	RecordAttempts(ctx context.Context, outcomes []outbox.Outcome) error
}

// Publisher puts events on the bus. An error means none of evs is known
// to be published, unless it is (or wraps) a PartialError saying which
// were not.
type Publisher interface {
	Publish(ctx context.Context, evs []outbox.Event) error
}

// PartialError is an error of a Publisher that published some events and
// not others (eventbus.PublishError is one).
type PartialError interface {
	error
	// NotPublished lists the events to publish again later.
	NotPublished() []string
	// Rejected maps the events the bus can never take to a reason that is
	// safe to show a tenant.
	Rejected() map[string]string
}

// Defaults and bounds.
const (
	defaultPoll  = time.Second
	defaultBatch = 100
	backoffFirst = time.Second
	backoffMax   = 30 * time.Second
	// markTimeout bounds the writes that follow a publish. They run even
	// when Run is stopping, because an event published but not marked is
	// published again on the next start.
	markTimeout = 10 * time.Second
	// recentWindow is how long the relay remembers what it marked
	// published. A store may list pending events from an eventually
	// consistent index (DynamoDB's GSI), which can still show an event
	// a moment after it was marked; publishing it again would send every
	// receiver a duplicate. An event made pending again on purpose (a
	// redelivery) within the window waits out the rest of it.
	recentWindow = 5 * time.Second
)

// Config wires a Relay.
type Config struct {
	Store     Store
	Publisher Publisher
	Clock     clock.Clock
	Log       *slog.Logger
	// Poll is how long the relay waits for new events when nothing wakes
	// it; default 1 s.
	Poll time.Duration
	// Batch is how many events one round reads and publishes; default 100.
	Batch int
	// OnLag, if set, is told after each successful read of the outbox how
	// long its oldest pending event has waited (0 when none is pending):
	// the outbox lag, which grows when the relay or the bus falls behind.
	// It runs on the relay's goroutine and must not block.
	OnLag func(lag time.Duration)
	// Leading, if set, says whether this relay is the one that reads the
	// outbox (several session hosts run one each, and two publishing the
	// same events would send every receiver duplicates); the others only
	// wait. Nil: always.
	Leading func() bool
}

// Relay publishes the outbox.
type Relay struct {
	cfg  Config
	wake chan struct{}
	// recent maps the ids marked published in the last recentWindow to
	// when; only Run's goroutine touches it.
	recent map[string]time.Time
}

// New returns a Relay.
func New(cfg Config) *Relay {
	if cfg.Poll <= 0 {
		cfg.Poll = defaultPoll
	}
	if cfg.Batch <= 0 {
		cfg.Batch = defaultBatch
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Relay{cfg: cfg, wake: make(chan struct{}, 1), recent: make(map[string]time.Time)}
}

// Wake makes the relay look for events now, instead of at its next poll;
// the writer of an event calls it after committing. It never blocks.
// While the relay backs off after a failure, Wake does not cut the wait
// short: a busy writer would otherwise hammer a failing bus.
func (r *Relay) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run publishes until ctx ends, then returns nil. Failures are logged and
// retried with backoff (1 s doubling to 30 s); the events stay pending, so
// none is lost. It returns an error only when the relay lacks its Store or
// Publisher.
func (r *Relay) Run(ctx context.Context) error {
	if r.cfg.Store == nil || r.cfg.Publisher == nil {
		return errors.New("relay: Store and Publisher are required")
	}
	failures := 0
	for ctx.Err() == nil {
		if r.cfg.Leading != nil && !r.cfg.Leading() {
			select {
			case <-ctx.Done():
			case <-r.wake:
			case <-r.cfg.Clock.After(r.cfg.Poll):
			}
			continue
		}
		n, err := r.round(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			failures++
			wait := backoff(failures)
			r.cfg.Log.Warn("relay events", "err", err.Error(), "retryIn", wait.String())
			select {
			case <-ctx.Done():
			case <-r.cfg.Clock.After(wait):
			}
			continue
		}
		failures = 0
		if n == r.cfg.Batch {
			continue // more may be waiting
		}
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-r.cfg.Clock.After(r.cfg.Poll):
		}
	}
	return nil
}

// backoff is the wait after the n-th failure in a row.
func backoff(n int) time.Duration {
	return min(backoffFirst<<min(n-1, 5), backoffMax)
}

// round publishes one batch of pending events and returns how many
// pending events it read (a full batch means more may be waiting), or 0
// when none of them was new.
func (r *Relay) round(ctx context.Context) (int, error) {
	evs, err := r.cfg.Store.PendingEvents(ctx, r.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("read pending events: %w", err)
	}
	read := len(evs)
	evs = r.dropRecent(evs)
	r.reportLag(evs)
	if len(evs) == 0 {
		return 0, nil // nothing new: let a stale index catch up before asking again
	}
	pubErr := r.cfg.Publisher.Publish(ctx, evs)
	var partial PartialError
	if pubErr != nil && !errors.As(pubErr, &partial) {
		return read, fmt.Errorf("publish %d events: %w", len(evs), pubErr)
	}
	// From here on the bus has events: record that even if ctx ends.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	skip := make(map[string]bool)
	var failed error
	if partial != nil {
		for _, id := range partial.NotPublished() {
			skip[id] = true
		}
		if err := r.deadLetter(wctx, evs, partial.Rejected()); err != nil {
			// Not recorded: keep them pending, to be rejected again.
			for id := range partial.Rejected() {
				skip[id] = true
			}
			failed = err
		}
		if len(partial.NotPublished()) > 0 {
			failed = errors.Join(failed, pubErr)
		}
	}
	published := make([]outbox.Event, 0, len(evs))
	for _, ev := range evs {
		if !skip[ev.ID] {
			published = append(published, ev)
		}
	}
	if len(published) > 0 {
		if err := r.cfg.Store.MarkPublished(wctx, published); err != nil {
			// They will be published again: a duplicate, never a loss.
			return read, errors.Join(fmt.Errorf("mark %d events published: %w", len(published), err), failed)
		}
		now := r.cfg.Clock.Now()
		for _, ev := range published {
			r.recent[ev.ID] = now
		}
	}
	return read, failed
}

// reportLag tells OnLag the age of the oldest of evs. Events marked
// published a moment ago (dropRecent's) are left out: an eventually
// consistent index still listing them says nothing about the backlog.
func (r *Relay) reportLag(evs []outbox.Event) {
	if r.cfg.OnLag == nil {
		return
	}
	var lag time.Duration
	if len(evs) > 0 {
		// The minimum, not evs[0]: "oldest first" may hold only per
		// partition of an index.
		oldest := evs[0].CreatedAt
		for _, ev := range evs[1:] {
			if ev.CreatedAt.Before(oldest) {
				oldest = ev.CreatedAt
			}
		}
		lag = max(0, r.cfg.Clock.Now().Sub(oldest))
	}
	r.cfg.OnLag(lag)
}

// dropRecent forgets marks older than recentWindow and leaves out of evs
// the events marked since.
func (r *Relay) dropRecent(evs []outbox.Event) []outbox.Event {
	if len(r.recent) == 0 {
		return evs
	}
	cutoff := r.cfg.Clock.Now().Add(-recentWindow)
	for id, at := range r.recent {
		if at.Before(cutoff) {
			delete(r.recent, id)
		}
	}
	kept := evs[:0]
	for _, ev := range evs {
		if _, ok := r.recent[ev.ID]; !ok {
			kept = append(kept, ev)
		}
	}
	return kept
}

// deadLetter records the events the bus can never take as dead, with the
// bus's reason as their lastError, so they show up in the delivery list
// (and can be redelivered, to be judged again) instead of blocking the
// outbox or vanishing.
func (r *Relay) deadLetter(ctx context.Context, evs []outbox.Event, rejected map[string]string) error {
	if len(rejected) == 0 {
		return nil
	}
	now := r.cfg.Clock.Now()
	outcomes := make([]outbox.Outcome, 0, len(rejected))
	for _, ev := range evs {
		reason, ok := rejected[ev.ID]
		if !ok {
			continue
		}
		r.cfg.Log.Warn("event dead-lettered: the bus cannot take it", "tenant", ev.TenantID,
			"instance", ev.Instance, "delivery", ev.ID, "event", ev.Name, "reason", reason)
		outcomes = append(outcomes, outbox.Outcome{ID: ev.ID, LastError: reason, At: now})
	}
	if len(outcomes) == 0 {
		return nil
	}
	if err := r.cfg.Store.RecordAttempts(ctx, outcomes); err != nil {
		return fmt.Errorf("dead-letter %d events: %w", len(outcomes), err)
	}
	return nil
}
