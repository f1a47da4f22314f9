// Package eventbus publishes outbox events to the gateway's EventBridge bus:
// source events.Source, detail-type the event name, detail the webhook body
// plus tenantId and deliveryId (events.NewDetail). The relay hands it what
// the session host wrote to the outbox; a rule on the bus feeds the webhook
// queue, and AWS users can add rules of their own.
//
// PutEvents can accept some entries of a request and refuse others, so
// refused entries are sent again on their own, with backoff, and whatever is
// still refused after the retries is reported by id: the caller keeps those
// events pending and publishes them later, never losing one.
package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/relay"
)

// Limits of one PutEvents request.
const (
	// MaxEntries is how many entries PutEvents takes at once.
	MaxEntries = 10
	// MaxRequestBytes bounds a request's entries as EventBridge sizes them
	// (see entrySize). AWS has raised the limit to 1 MB; 256 KiB is the
	// older, still-valid bound, and also what the webhook queue's messages
	// (the event wrapped by EventBridge) must fit.
	MaxRequestBytes = 256 << 10
)

// Retry pacing of entries EventBridge refused.
const (
	defaultMaxRetries = 3
	backoffBase       = 200 * time.Millisecond
	backoffCap        = 5 * time.Second
)

// Config wires a Publisher.
type Config struct {
	Client *eventbridge.Client
	Bus    string // name or ARN of the event bus
	Clock  clock.Clock
	Log    *slog.Logger
	// MaxRetries is how many times one Publish sends refused entries again
	// before reporting them; 0 means 3.
	MaxRetries int
}

// putter is the one EventBridge call the publisher makes.
type putter interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var (
	_ putter             = (*eventbridge.Client)(nil)
	_ relay.Publisher    = (*Publisher)(nil)
	_ relay.PartialError = (*PublishError)(nil)
)

// Publisher puts outbox events on the bus. It is safe for concurrent use.
type Publisher struct {
	client     putter
	bus        string
	clock      clock.Clock
	log        *slog.Logger
	maxRetries int
}

// New returns a Publisher.
func New(cfg Config) *Publisher {
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = defaultMaxRetries
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	p := &Publisher{bus: cfg.Bus, clock: cfg.Clock, log: cfg.Log, maxRetries: cfg.MaxRetries}
	if cfg.Client != nil {
		p.client = cfg.Client
	}
	return p
}

// entry is one event ready to put.
type entry struct {
	index int // position in Publish's evs, to report in order
	ev    outbox.Event
	put   types.PutEventsRequestEntry
	size  int
	code  string // why it was last refused
}

// Publish puts evs on the bus, at most MaxEntries and MaxRequestBytes per
// request, in order. It returns nil when every event was accepted, and
// otherwise a *PublishError naming the events that were not: those
// refused through every retry (publish them again later) and those the
// bus can never take (too large, not a valid event).
func (p *Publisher) Publish(ctx context.Context, evs []outbox.Event) error {
	if p.client == nil {
		return errors.New("eventbus: no EventBridge client")
	}
	if len(evs) == 0 {
		return nil
	}
	perr := &PublishError{total: len(evs)}
	pending := make([]*entry, 0, len(evs))
	for i, ev := range evs {
		e, reason := p.entry(ev)
		if reason != "" {
			p.log.Warn("event not publishable", "tenant", ev.TenantID, "instance", ev.Instance,
				"delivery", ev.ID, "event", ev.Name, "reason", reason)
			if perr.rejected == nil {
				perr.rejected = make(map[string]string)
			}
			perr.rejected[ev.ID] = reason
			continue
		}
		e.index = i
		pending = append(pending, e)
	}
	var failed []*entry // refused for good in this call
	for try := 0; len(pending) > 0; try++ {
		var retry []*entry
		for _, e := range p.send(ctx, pending) {
			if permanent[e.code] {
				failed = append(failed, e)
			} else {
				retry = append(retry, e)
			}
		}
		pending = retry
		if len(pending) == 0 || try == p.maxRetries || ctx.Err() != nil {
			break
		}
		p.log.Debug("retrying refused events", "count", len(pending), "code", pending[0].code, "retry", try+1)
		select {
		case <-ctx.Done():
		case <-p.clock.After(backoff(try)):
		}
	}
	failed = append(failed, pending...)
	slices.SortStableFunc(failed, func(a, b *entry) int { return a.index - b.index })
	for _, e := range failed {
		perr.failed = append(perr.failed, e.ev.ID)
		perr.code = e.code
	}
	if len(perr.failed) == 0 && len(perr.rejected) == 0 {
		return nil
	}
	if len(perr.failed) > 0 && ctx.Err() != nil {
		perr.cause = ctx.Err()
	}
	return perr
}

// entry builds ev's request entry, or says why the bus can never take it.
func (p *Publisher) entry(ev outbox.Event) (*entry, string) {
	detail, err := events.NewDetail(ev.Body, ev.TenantID, ev.ID)
	if err != nil {
		return nil, "not a valid event"
	}
	e := &entry{ev: ev, put: types.PutEventsRequestEntry{
		Source:     aws.String(events.Source),
		DetailType: aws.String(ev.Name),
		Detail:     aws.String(string(detail)),
	}}
	if p.bus != "" {
		e.put.EventBusName = aws.String(p.bus)
	}
	if !ev.CreatedAt.IsZero() {
		e.put.Time = aws.Time(ev.CreatedAt)
	}
	// The detail-type is what rules route on; a name that disagrees with
	// the body would send the event where its body does not belong.
	var body struct{ Event string }
	if json.Unmarshal(ev.Body, &body) != nil || body.Event != ev.Name {
		return nil, "not a valid event"
	}
	e.size = entrySize(e.put)
	if e.size > MaxRequestBytes {
		return nil, "event too large for the event bus"
	}
	return e, ""
}

// entrySize is an entry's size as EventBridge counts it against the
// request limit: 14 bytes for a time, plus the UTF-8 bytes of source,
// detail-type, detail and resources. The bus name is counted too, which
// AWS does not do; it only makes requests a little smaller than they
// could be.
func entrySize(e types.PutEventsRequestEntry) int {
	n := len(aws.ToString(e.Source)) + len(aws.ToString(e.DetailType)) + len(aws.ToString(e.Detail)) +
		len(aws.ToString(e.EventBusName))
	if e.Time != nil {
		n += 14
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// send puts entries in as few requests as the limits allow and returns the
// ones that were refused, each with its code.
func (p *Publisher) send(ctx context.Context, entries []*entry) []*entry {
	var refused []*entry
	for start := 0; start < len(entries); {
		end, size := start, 0
		for end < len(entries) && end-start < MaxEntries && size+entries[end].size <= MaxRequestBytes {
			size += entries[end].size
			end++
		}
		refused = append(refused, p.put(ctx, entries[start:end])...)
		start = end
	}
	return refused
}

// put makes one PutEvents request.
func (p *Publisher) put(ctx context.Context, batch []*entry) []*entry {
	in := &eventbridge.PutEventsInput{Entries: make([]types.PutEventsRequestEntry, len(batch))}
	for i, e := range batch {
		in.Entries[i] = e.put
	}
	out, err := p.client.PutEvents(ctx, in)
	if err != nil {
		return refuseAll(batch, errorCode(err))
	}
	if len(out.Entries) != len(batch) {
		// Which entries were taken cannot be told: send them all again
		// (receivers deduplicate on the delivery id).
		return refuseAll(batch, "UnexpectedResponse")
	}
	var refused []*entry
	for i, r := range out.Entries {
		if r.ErrorCode == nil && r.EventId != nil {
			continue
		}
		batch[i].code = aws.ToString(r.ErrorCode)
		if batch[i].code == "" {
			batch[i].code = "NoEventId"
		}
		refused = append(refused, batch[i])
	}
	return refused
}

func refuseAll(batch []*entry, code string) []*entry {
	for _, e := range batch {
		e.code = code
	}
	return batch
}

// errorCode maps a failed request to a short code: the AWS error code, or
// what kind of failure it was. SDK error text stays out of our errors and
// logs (it can carry request ids and endpoints, and is not actionable).
func errorCode(err error) string {
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.ErrorCode()
	case errors.Is(err, context.Canceled):
		return "Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "Timeout"
	}
	return "RequestFailed"
}

// permanent codes will not change on a retry within one Publish: bad
// permissions or configuration, or an entry EventBridge judged invalid.
// Their events stay pending and the relay tries again later, so a fixed
// configuration or policy heals without losing anything.
var permanent = map[string]bool{
	"AccessDeniedException":               true,
	"InvalidAccountIdException":           true,
	"InvalidArgument":                     true,
	"MalformedDetail":                     true,
	"RedactionFailure":                    true,
	"NotAuthorizedForSourceException":     true,
	"NotAuthorizedForDetailTypeException": true,
	"ResourceNotFoundException":           true,
	"ValidationException":                 true,
	"UnrecognizedClientException":         true,
	// The call's context ended: retrying within it cannot succeed.
	"Canceled": true,
	"Timeout":  true,
}

// backoff is the wait before retry try+1: exponential from 200 ms, capped
// at 5 s, with equal jitter so publishers that failed together (one
// throttled account) do not retry in step.
func backoff(try int) time.Duration {
	d := backoffBase << min(try, 5)
	d = min(d, backoffCap)
	return d/2 + rand.N(d/2+1)
}
