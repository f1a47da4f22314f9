// Package dispatch drains the event outbox to the tenants' webhooks: it
// claims due deliveries, makes one attempt each through the webhook
// client, and records the outcome — delivered, due again on the retry
// schedule, or dead (kept, listable, redeliverable). A crash loses
// nothing: claimed deliveries become due again when their claim ends, so
// every event is delivered at least once.
package dispatch

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/webhook"
)

// Store is what the dispatcher needs of the state.
type Store interface {
	// SettleAndClaim records outcomes (as RecordAttempts does), then
	// claims up to limit due deliveries, leasing them until now+lease,
	// in one write.
	SettleAndClaim(ctx context.Context, outcomes []outbox.Outcome, now time.Time, lease time.Duration, limit int) ([]outbox.Delivery, error)
	RecordAttempts(ctx context.Context, outcomes []outbox.Outcome) error
	GetInstance(ctx context.Context, name string) (instance.Instance, error)
}

const (
	// claimLease outlasts one attempt (10 s) with room to record it. An
	// attempt that ends without an outcome lets its delivery come back
	// when the lease ends; a crash ends every lease (the SQLite store keeps
	// them in memory), so a restarted gateway retries at once.
	claimLease = 15 * time.Second
	batch      = 64
	// poll bounds how long a due retry waits when nothing wakes us, and
	// how long an outcome waits to be recorded with the next claim.
	poll = 100 * time.Millisecond
)

// Config wires a Dispatcher.
type Config struct {
	Store   Store
	Client  webhook.Deliverer
	Clock   clock.Clock
	Log     *slog.Logger
	Workers int // attempts in flight at once; default 64
	// RetryScale multiplies the retry delays (sandbox only: tests and
	// demos); 0 means 1.
	RetryScale float64
}

// Dispatcher delivers events.
type Dispatcher struct {
	cfg  Config
	wake chan struct{}
}

// New returns a Dispatcher.
func New(cfg Config) *Dispatcher {
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.RetryScale <= 0 {
		cfg.RetryScale = 1
	}
	return &Dispatcher{cfg: cfg, wake: make(chan struct{}, 1)}
}

// Wake makes the dispatcher look for due deliveries now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for the attempts in flight and
// records their outcomes.
//
// Claims overlap the attempts in flight: as soon as enough workers are
// free, the outcomes of the attempts that ended are recorded and as many
// deliveries as there are free workers are claimed, in one write, while
// the other workers are still busy. A claim never takes more than the
// free workers, so a claimed delivery starts at once and its lease only
// has to cover its own attempt.
func (d *Dispatcher) Run(ctx context.Context) {
	workers := d.cfg.Workers
	// Room for every worker in both channels: handing out a claimed
	// delivery and reporting a finished attempt never wait.
	jobs := make(chan job, workers)
	ended := make(chan ending, workers)
	var wg sync.WaitGroup
	// Long-lived workers: an HTTP attempt needs a deep stack, which a
	// fresh goroutine per attempt would grow again every time.
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				o, ok := d.attempt(ctx, j.dl, j.t)
				ended <- ending{o: o, ok: ok}
			}
		}()
	}
	var pending []outbox.Outcome // ended attempts not yet recorded
	inFlight := 0
	end := func(e ending) {
		inFlight--
		if e.ok {
			pending = append(pending, e.o)
		}
	}
	defer func() {
		close(jobs)
		wg.Wait()
		close(ended)
		for e := range ended {
			end(e)
		}
		d.recordNow(pending)
	}()
	// Under load, waiting for a few free workers makes each claim (a
	// write) worth its cost; when idle every worker is free anyway.
	minClaim := max(1, min(batch, workers/4))
	var flush <-chan time.Time // runs while outcomes wait for a claim
	for ctx.Err() == nil {
	reap:
		for {
			select {
			case e := <-ended:
				end(e)
			default:
				break reap
			}
		}
		if workers-inFlight < minClaim {
			if len(pending) > 0 && flush == nil {
				flush = d.cfg.Clock.After(poll)
			}
			select {
			case e := <-ended:
				end(e)
			case <-flush:
				flush = nil
				d.recordNow(pending)
				pending = pending[:0]
			case <-ctx.Done():
			}
			continue
		}
		flush = nil
		limit := min(workers-inFlight, batch)
		due, err := d.cfg.Store.SettleAndClaim(ctx, pending, d.cfg.Clock.Now(), claimLease, limit)
		switch {
		case err == nil:
			pending = pending[:0]
		case ctx.Err() != nil:
			continue // stopping: the outcomes are recorded on the way out
		default:
			// Not recorded: the claims end and the deliveries come back.
			d.cfg.Log.Warn("record and claim deliveries", "outcomes", len(pending), "err", err.Error())
			pending = pending[:0]
		}
		targets := d.targets(ctx, due)
		inFlight += len(due)
		for _, dl := range due {
			jobs <- job{dl: dl, t: targets[dl.Instance]}
		}
		if err == nil && len(due) == limit {
			continue // there may be more due
		}
		select {
		case <-ctx.Done():
		case <-d.wake:
		case <-d.cfg.Clock.After(poll):
		case e := <-ended:
			end(e)
		}
	}
}

// job is one claimed delivery handed to a worker.
type job struct {
	dl outbox.Delivery
	t  target
}

// ending is a finished attempt: its outcome, if there is one to record.
type ending struct {
	o  outbox.Outcome
	ok bool
}

// recordNow records outcomes on their own, when no claim is coming to
// carry them (shutdown, or every worker busy for a while).
func (d *Dispatcher) recordNow(outcomes []outbox.Outcome) {
	if len(outcomes) == 0 {
		return
	}
	if err := d.cfg.Store.RecordAttempts(context.Background(), outcomes); err != nil {
		// Not recorded: the claims end and the deliveries come back.
		d.cfg.Log.Error("record delivery attempts", "count", len(outcomes), "err", err.Error())
	}
}

// target is an instance's webhook as read for one claimed batch.
type target struct {
	inst instance.Instance
	err  error
}

// targets reads the webhook target and secret of every instance in a
// claimed batch once: read at claim time, they are the ones current when
// the batch is delivered (a rotation applies to what is not yet claimed).
func (d *Dispatcher) targets(ctx context.Context, due []outbox.Delivery) map[string]target {
	out := make(map[string]target, 1)
	for _, dl := range due {
		if _, ok := out[dl.Instance]; !ok {
			inst, err := d.cfg.Store.GetInstance(ctx, dl.Instance)
			out[dl.Instance] = target{inst: inst, err: err}
		}
	}
	return out
}

// attempt delivers one event to its instance's webhook as webhook.Decide
// says, and returns the outcome to record; ok is false when there is
// nothing to record (the claim ends and the delivery comes back).
func (d *Dispatcher) attempt(ctx context.Context, dl outbox.Delivery, t target) (o outbox.Outcome, ok bool) {
	wt := webhook.Target{URL: t.inst.WebhookURL, Secret: t.inst.WebhookSecret, Events: t.inst.WebhookEvents, Err: t.err}
	v := webhook.Decide(ctx, webhook.Due{ID: dl.ID, Event: dl.Name, Body: dl.Body, N: dl.Attempts + 1}, wt,
		d.cfg.Client, d.cfg.Clock.Now, webhook.Delays{Scale: d.cfg.RetryScale})
	// Built only when something is logged: With formats its attributes
	// at once, a cost every attempt would pay.
	log := func() *slog.Logger {
		return d.cfg.Log.With("tenant", dl.TenantID, "instance", dl.Instance, "delivery", dl.ID, "event", dl.Name)
	}
	switch {
	case v.Fate == webhook.Postponed:
		log().Warn("read instance for delivery", "err", t.err.Error())
	case v.Fate == webhook.Dead && !v.Gone:
		log().Warn("delivery dead-lettered", "attempts", v.Outcome.Attempts, "lastError", v.Outcome.LastError)
	}
	return v.Outcome, v.Record()
}
