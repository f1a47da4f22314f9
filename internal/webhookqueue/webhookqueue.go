// Package webhookqueue is the webhooks Lambda of the AWS shape: it takes
// the SQS batches an EventBridge rule feeds with gateway events, delivers
// each as a signed webhook through the same client the local dispatcher
// uses (internal/webhook), and records every attempt on the event's
// delivery record.
//
// Retries are the queue's: a failed attempt n (SQS's receive count) is
// reported as a batch item failure with its visibility set to the retry
// schedule's delay, so SQS hands it back when the next attempt is due.
// After the last attempt the record says dead and the message is released
// at once, for the queue's redrive policy (maxReceiveCount =
// webhook.MaxAttempts) to move it to the DLQ. A message is only ever
// acknowledged once its outcome is recorded, so no event is lost.
package webhookqueue

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/webhook"
)

// Store is what the deliverer needs of the state.
type Store interface {
	// GetInstance fails with fault.ErrNotFound when the instance is gone.
	GetInstance(ctx context.Context, name string) (instance.Instance, error)
	RecordAttempts(ctx context.Context, outcomes []outbox.Outcome) error
}

// VisibilityChanger sets when an in-flight message of the webhook queue
// becomes visible again (*sqs.Queue).
type VisibilityChanger interface {
	ChangeVisibility(ctx context.Context, receipt string, d time.Duration) error
}

const (
	defaultWorkers = 16
	// maxVisibility is SQS's limit on a visibility timeout.
	maxVisibility = 12 * time.Hour
	// receiveCountAttr is the SQS system attribute Lambda passes with
	// every record: how many times the message was received, this time
	// included. It is the attempt number.
	receiveCountAttr = "ApproximateReceiveCount"
)

// Config wires a Handler.
type Config struct {
	Store  Store
	Client webhook.Deliverer
	Queue  VisibilityChanger
	Clock  clock.Clock
	Log    *slog.Logger
	// RetryScale multiplies the retry delays (tests and demos); 0 means 1.
	// Delays are whole seconds, at least 1, as SQS visibility is.
	RetryScale float64
	// Workers bounds the records delivered at once; default 16.
	Workers int
}

// Handler delivers the webhook queue's batches.
type Handler struct {
	cfg Config
}

// New returns a Handler.
func New(cfg Config) *Handler {
	if cfg.RetryScale <= 0 {
		cfg.RetryScale = 1
	}
	if cfg.Workers <= 0 {
		cfg.Workers = defaultWorkers
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg}
}

// Handle delivers one SQS batch, its records concurrently, and reports
// the records to keep (to retry, or to dead-letter) as batch item
// failures; the event source mapping must have ReportBatchItemFailures
// on. It never returns an error: each record's fate is in the response.
func (h *Handler) Handle(ctx context.Context, ev awsevents.SQSEvent) (awsevents.SQSEventResponse, error) {
	targets := &targets{store: h.cfg.Store, byName: make(map[string]*target)}
	keep := make([]bool, len(ev.Records))
	sem := make(chan struct{}, h.cfg.Workers)
	var wg sync.WaitGroup
	for i, rec := range ev.Records {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			keep[i] = h.handle(ctx, rec, targets)
		}()
	}
	wg.Wait()
	resp := awsevents.SQSEventResponse{BatchItemFailures: []awsevents.SQSBatchItemFailure{}}
	for i, k := range keep {
		if k {
			resp.BatchItemFailures = append(resp.BatchItemFailures,
				awsevents.SQSBatchItemFailure{ItemIdentifier: ev.Records[i].MessageId})
		}
	}
	return resp, nil
}

// handle delivers one record and reports whether the queue must keep it.
func (h *Handler) handle(ctx context.Context, rec awsevents.SQSMessage, targets *targets) (keep bool) {
	d, err := parseMessage(rec.Body)
	if err != nil {
		// Retrying cannot fix it and no delivery record can be trusted to
		// name it, so it goes to the DLQ — released now, it gets there
		// after maxReceiveCount quick receives — where an operator finds
		// it whole. Only the reason is logged: the body may hold message
		// text or numbers.
		h.cfg.Log.Error("malformed webhook queue message", "sqsMessage", rec.MessageId, "reason", err.Error())
		h.release(ctx, rec, 0)
		return true
	}
	n := attempt(rec)
	log := h.cfg.Log.With("tenant", d.TenantID, "instance", d.InstanceName, "delivery", d.DeliveryID,
		"event", string(d.Event), "attempt", n)
	if n > webhook.MaxAttempts {
		// The redrive policy should have moved it to the DLQ already.
		// Attempting again would break the retry contract; leaving it to
		// the queue's default visibility keeps it from spinning.
		log.Error("webhook queue message past its last attempt: check the queue's redrive policy (maxReceiveCount)",
			"maxAttempts", webhook.MaxAttempts)
		return true
	}
	body, err := d.Body()
	if err != nil {
		log.Error("webhook body", "err", err.Error()) // unreachable: ParseDetail built it
		h.release(ctx, rec, 0)
		return true
	}
	t := targets.get(ctx, d.InstanceName)
	wt := webhook.Target{URL: t.inst.WebhookURL, Secret: t.inst.WebhookSecret, Events: t.inst.WebhookEvents, Err: t.err}
	v := webhook.Decide(ctx, webhook.Due{ID: d.DeliveryID, Event: string(d.Event), Body: body, N: n}, wt,
		h.cfg.Client, h.cfg.Clock.Now, h.delays())
	switch v.Fate {
	case webhook.Interrupted:
		// The invocation is ending: not an attempt. The message comes back
		// when its visibility runs out.
		return true
	case webhook.Postponed:
		log.Warn("read instance for delivery", "err", t.err.Error())
		h.release(ctx, rec, v.RetryIn)
		return true
	case webhook.Delivered, webhook.Filtered:
		return h.record(ctx, rec, log, v.Outcome, false)
	case webhook.Dead:
		if v.Gone {
			// As the local dispatcher: the record is the dead letter
			// (listed, redeliverable); a DLQ copy would only hold an event
			// for an instance that no longer exists.
			return h.record(ctx, rec, log, v.Outcome, false)
		}
		log.Warn("delivery dead-lettered", "lastError", v.Outcome.LastError)
		h.record(ctx, rec, log, v.Outcome, true)
		h.release(ctx, rec, 0) // for the redrive policy to move it to the DLQ
		return true
	default: // webhook.Retry
		h.record(ctx, rec, log, v.Outcome, true)
		h.release(ctx, rec, v.RetryIn)
		return true
	}
}

// record stores an outcome and reports whether the queue must keep the
// message: always when the outcome could not be recorded, since the
// message is then the only trace of the delivery; else keep.
func (h *Handler) record(ctx context.Context, rec awsevents.SQSMessage, log *slog.Logger, o outbox.Outcome, keep bool) bool {
	if err := h.cfg.Store.RecordAttempts(ctx, []outbox.Outcome{o}); err != nil {
		log.Error("record delivery attempt", "err", err.Error(), "sqsMessage", rec.MessageId)
		return true
	}
	return keep
}

// release makes a kept message visible again after d.
func (h *Handler) release(ctx context.Context, rec awsevents.SQSMessage, d time.Duration) {
	if err := h.cfg.Queue.ChangeVisibility(ctx, rec.ReceiptHandle, d); err != nil {
		// It comes back when the queue's visibility timeout ends instead.
		h.cfg.Log.Warn("change webhook message visibility", "sqsMessage", rec.MessageId, "err", err.Error())
	}
}

// delays are the retry schedule as SQS visibility takes it: scaled, in
// whole seconds of at least 1, at most the 12 hours SQS allows.
func (h *Handler) delays() webhook.Delays {
	return webhook.Delays{Scale: h.cfg.RetryScale, Grain: time.Second, Max: maxVisibility}
}

// attempt is the record's attempt number: its receive count. A missing or
// garbled count is taken as 1 — a retry too many at worst, never one too
// few — and the redrive policy still bounds the attempts.
func attempt(rec awsevents.SQSMessage) int {
	n, err := strconv.Atoi(rec.Attributes[receiveCountAttr])
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// targets reads each instance of a batch once, so every event of an
// instance in the batch goes to the same, current URL and secret: a
// rotation applies to all that is not yet delivered.
type targets struct {
	store  Store
	mu     sync.Mutex
	byName map[string]*target
}

type target struct {
	once sync.Once
	inst instance.Instance
	err  error
}

func (ts *targets) get(ctx context.Context, name string) *target {
	ts.mu.Lock()
	t, ok := ts.byName[name]
	if !ok {
		t = &target{}
		ts.byName[name] = t
	}
	ts.mu.Unlock()
	t.once.Do(func() { t.inst, t.err = ts.store.GetInstance(ctx, name) })
	return t
}
