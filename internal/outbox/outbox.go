// Package outbox holds the records of event delivery: an event written in
// the same transaction as the state change that caused it, and the
// delivery that carries it to the tenant's webhook, with its retries and
// dead letter. The local store keeps them in SQLite; the dispatcher drains
// them.
package outbox

import "time"

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

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool { return s == Retrying || s == Delivered || s == Dead }

// Outcome is the result of one delivery attempt, to record.
type Outcome struct {
	ID         string
	Attempts   int // attempts made so far, this one included
	StatusCode int
	LastError  string
	Delivered  bool
	Next       time.Time // due time of the next attempt; zero with Delivered or when dead
	At         time.Time
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
