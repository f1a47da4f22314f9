// Package outbox holds the records of event delivery: an event written in
// the same transaction as the state change that caused it, and the
// delivery that carries it to the tenant's webhook, with its retries and
// dead letter. The local store keeps them in SQLite; the dispatcher drains
// them.
package outbox

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/wagateway/wagateway/events"
)

// Event is one event to deliver, written with the change that caused it.
type Event struct {
	ID        string // delivery id: x-gateway-delivery, the same across retries
	TenantID  string
	Instance  string
	Name      string // events.Name
	Body      []byte // the exact webhook body, signed as is
	CreatedAt time.Time
	// Publication says which publication of the event a relay read
	// (store-specific, opaque; empty where there is no relay): marking it
	// published must not swallow a redelivery asked for since.
	Publication string
}

// Status is where a delivery stands (API.md: delivered | retrying | dead).
type Status string

// A delivery is retrying until it is delivered or its retries run out.
const (
	Retrying  Status = "retrying"
	Delivered Status = "delivered"
	Dead      Status = "dead"
)

// Filtered is the status of an event the instance's webhook does not take
// (its event filter): settled without a request, and never listed, as it
// is no delivery.
const Filtered Status = "filtered"

// Valid reports whether s is one of the statuses of API.md.
func (s Status) Valid() bool { return s == Retrying || s == Delivered || s == Dead }

// Outcome is the result of one delivery attempt, to record.
type Outcome struct {
	ID         string
	Attempts   int // attempts made so far, this one included
	StatusCode int
	LastError  string
	Delivered  bool
	Filtered   bool      // not sent: the webhook's event filter leaves it out
	Next       time.Time // due time of the next attempt; zero with Delivered or when dead
	At         time.Time
}

// Status is the status the outcome leaves its delivery in; the stores
// record this, and decide nothing themselves.
func (o Outcome) Status() Status {
	switch {
	case o.Filtered:
		return Filtered
	case o.Delivered:
		return Delivered
	case o.Next.IsZero():
		return Dead
	}
	return Retrying
}

// Delivery is an event with its delivery record.
type Delivery struct {
	Event
	Status         Status
	Attempts       int
	LastStatusCode int    // 0: no HTTP answer yet
	LastError      string // "" when none
	NextAt         time.Time
	DeliveredAt    time.Time
}

// NewEvent builds the record of one event to write with the change that
// causes it: the envelope checked against the event's schema, its exact
// body, and a new delivery id. Every producer builds its events here.
func NewEvent(name events.Name, tenantID, instance string, data any, at time.Time) (*Event, error) {
	env, err := events.New(name, instance, data, at)
	if err != nil {
		return nil, err
	}
	body, err := env.Body()
	if err != nil {
		return nil, fmt.Errorf("outbox: %s body: %w", name, err)
	}
	return &Event{ID: uuid.NewString(), TenantID: tenantID, Instance: instance, Name: string(name), Body: body, CreatedAt: at}, nil
}
