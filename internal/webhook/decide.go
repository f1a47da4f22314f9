package webhook

import (
	"context"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/outbox"
)

// Deliverer makes one attempt (*Client).
type Deliverer interface {
	Deliver(ctx context.Context, a Attempt) Result
}

var _ Deliverer = (*Client)(nil)

// Target is an event's instance as read for its delivery. Err is the
// read's error: fault.ErrNotFound when the instance was deleted.
type Target struct {
	URL    string
	Secret string
	// Events is the instance's webhook event filter; nil delivers all.
	Events []string
	Err    error
}

// Due is one delivery to attempt now.
type Due struct {
	ID    string // the delivery id, x-gateway-delivery
	Event string
	Body  []byte
	N     int // this attempt's number, 1 for the first
}

// Fate is what follows from one attempt.
type Fate int

// The fates. The first four come with an outcome to record; the last two
// do not: the delivery comes back as it was.
const (
	Delivered   Fate = iota
	Retry            // due again after Verdict.RetryIn
	Dead             // kept as a dead letter: listable, redeliverable
	Filtered         // not sent: the instance's webhook does not take this event
	Postponed        // not attempted: the instance could not be read; back after RetryIn
	Interrupted      // the caller is stopping: not an attempt
)

// Verdict is the decision on one due delivery; the caller carries it out
// on its transport (the local outbox, or SQS).
type Verdict struct {
	Fate    Fate
	Outcome outbox.Outcome // to record, for Delivered, Retry, Dead and Filtered
	RetryIn time.Duration  // Retry and Postponed
	// Gone: dead because the instance was deleted, not for failing:
	// there is nothing to retry against, and no copy worth keeping beyond
	// the delivery record.
	Gone bool
}

// Record reports whether the verdict has an outcome to record.
func (v Verdict) Record() bool { return v.Fate < Postponed }

// Delays turns the retry schedule into a transport's waits: Scale
// multiplies it (sandbox tests and demos; 0 means 1) and a wait is
// rounded up to Grain and kept within [Grain, Max] when they are set (SQS
// visibility is whole seconds, at most 12 hours).
type Delays struct {
	Scale      float64
	Grain, Max time.Duration
}

// After is the wait after failed attempt n; past the schedule (a
// delivery postponed after its last attempt) it is the last delay.
func (d Delays) After(n int) time.Duration {
	w, dead := Next(n)
	if dead {
		w = schedule[len(schedule)-1]
	}
	scale := d.Scale
	if scale <= 0 {
		scale = 1
	}
	f := float64(w) * scale
	if d.Grain > 0 {
		f = math.Max(math.Ceil(f/float64(d.Grain)), 1) * float64(d.Grain)
	}
	out := time.Duration(min(f, math.MaxInt64))
	if d.Max > 0 {
		out = min(out, d.Max)
	}
	return out
}

// Decide makes one delivery attempt if the event is to be delivered and
// says what follows: the one decision both dispatchers (the local outbox
// and the AWS webhooks Lambda) carry out, so that filtering, signing,
// retrying and dead-lettering cannot drift between them.
func Decide(ctx context.Context, d Due, t Target, c Deliverer, now func() time.Time, delays Delays) Verdict {
	n := max(d.N, 1)
	switch {
	case errors.Is(t.Err, fault.ErrNotFound):
		return Verdict{Fate: Dead, Gone: true, Outcome: outbox.Outcome{ID: d.ID, Attempts: MaxAttempts,
			LastError: "instance deleted", At: now()}}
	case t.Err != nil:
		return Verdict{Fate: Postponed, RetryIn: delays.After(n)}
	case t.Events != nil && !slices.Contains(t.Events, d.Event):
		return Verdict{Fate: Filtered, Outcome: outbox.Outcome{ID: d.ID, Attempts: n - 1, Filtered: true, At: now()}}
	}
	res := c.Deliver(ctx, Attempt{DeliveryID: d.ID, Event: d.Event, URL: t.URL, Secret: t.Secret, Body: d.Body})
	if ctx.Err() != nil {
		return Verdict{Fate: Interrupted}
	}
	at := now()
	o := outbox.Outcome{ID: d.ID, Attempts: n, StatusCode: res.StatusCode, LastError: res.Error, Delivered: res.Delivered, At: at}
	if res.Delivered {
		return Verdict{Fate: Delivered, Outcome: o}
	}
	if _, dead := Next(n); dead {
		return Verdict{Fate: Dead, Outcome: o}
	}
	wait := delays.After(n)
	o.Next = at.Add(wait)
	return Verdict{Fate: Retry, Outcome: o, RetryIn: wait}
}
