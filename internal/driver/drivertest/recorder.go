package drivertest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
)

// Timeout is how long (real time) the Recorder waits for an event: drivers
// report from their own goroutines, so an event may trail the call that
// caused it, but never by seconds.
const Timeout = 5 * time.Second

// quietFor is how long Quiet listens for an event that must not come. A
// wrong event is nearly always reported at once, so a short window catches
// it without slowing the suite.
const quietFor = 100 * time.Millisecond

// Kind names the Events method a driver called.
type Kind string

// One Kind per driver.Events method.
const (
	QR           Kind = "QR"
	Connecting   Kind = "Connecting"
	Connected    Kind = "Connected"
	Disconnected Kind = "Disconnected"
	Received     Kind = "Received"
	Updated      Kind = "Updated" // driver.UpdateEvents
)

// Event is one call a driver made to its Events.
type Event struct {
	Kind     Kind
	Instance string
	Code     string         // QR
	Phone    string         // Connected
	Reason   driver.Reason  // Disconnected
	Inbound  driver.Inbound // Received
	Update   driver.Update  // Updated
}

func (e Event) String() string {
	switch e.Kind {
	case QR:
		return fmt.Sprintf("QR(%s, %q)", e.Instance, e.Code)
	case Connected:
		return fmt.Sprintf("Connected(%s, %s)", e.Instance, e.Phone)
	case Disconnected:
		return fmt.Sprintf("Disconnected(%s, %q)", e.Instance, e.Reason)
	case Received:
		return fmt.Sprintf("Received(%s, %s from %s)", e.Instance, e.Inbound.MessageID, e.Inbound.From)
	case Updated:
		return fmt.Sprintf("Updated(%s, %s of %s from %s)", e.Instance, e.Update.Kind, e.Update.MessageID, e.Update.From)
	}
	return fmt.Sprintf("%s(%s)", e.Kind, e.Instance)
}

// Recorder is a driver.Events that remembers every call, safe for use from
// any goroutine. Tests take the events of each instance in order (Next,
// Expect, WaitFor), so every assertion is also one about ordering, and
// Quiet checks that nothing else was reported.
type Recorder struct {
	seen *stream[Event]

	mu         sync.Mutex
	receiveErr error
	updateErr  error
}

var (
	_ driver.Events       = (*Recorder)(nil)
	_ driver.UpdateEvents = (*Recorder)(nil)
)

// NewRecorder returns an empty Recorder that acknowledges inbound messages.
func NewRecorder() *Recorder {
	return &Recorder{seen: newStream(func(e Event) string { return e.Instance })}
}

// QR implements driver.Events.
func (r *Recorder) QR(instance, code string) {
	r.add(Event{Kind: QR, Instance: instance, Code: code})
}

// Connecting implements driver.Events.
func (r *Recorder) Connecting(instance string) { r.add(Event{Kind: Connecting, Instance: instance}) }

// Connected implements driver.Events.
func (r *Recorder) Connected(instance, phone string) {
	r.add(Event{Kind: Connected, Instance: instance, Phone: phone})
}

// Disconnected implements driver.Events.
func (r *Recorder) Disconnected(instance string, reason driver.Reason) {
	r.add(Event{Kind: Disconnected, Instance: instance, Reason: reason})
}

// Received implements driver.Events; it records the message even when it
// refuses it, since the driver did deliver it.
func (r *Recorder) Received(instance string, in driver.Inbound) error {
	r.mu.Lock()
	err := r.receiveErr
	r.mu.Unlock()
	r.add(Event{Kind: Received, Instance: instance, Inbound: in})
	return err
}

// RejectReceived makes Received return err from now on (nil: accept
// again), as a host does when it cannot store an inbound message.
func (r *Recorder) RejectReceived(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.receiveErr = err
}

// Updated implements driver.UpdateEvents; like Received, it records the
// update even when it refuses it.
func (r *Recorder) Updated(instance string, u driver.Update) error {
	r.mu.Lock()
	err := r.updateErr
	r.mu.Unlock()
	r.add(Event{Kind: Updated, Instance: instance, Update: u})
	return err
}

// RejectUpdated makes Updated return err from now on (nil: accept again).
func (r *Recorder) RejectUpdated(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updateErr = err
}

func (r *Recorder) add(e Event) { r.seen.add(e) }

// Events returns every event so far, of every instance, in order.
func (r *Recorder) Events() []Event { return r.seen.all() }

// next takes the next event of instance, waiting up to within.
func (r *Recorder) next(instance string, within time.Duration) (Event, bool) {
	return r.seen.next(instance, within)
}

// Next takes the next event of instance, failing the test if none comes
// within Timeout.
func (r *Recorder) Next(t testing.TB, instance string) Event {
	t.Helper()
	e, ok := r.next(instance, Timeout)
	if !ok {
		t.Fatalf("no event for %s within %s; all events: %v", instance, Timeout, r.Events())
	}
	return e
}

// Expect takes the next event of instance and fails the test unless it is
// of kind.
func (r *Recorder) Expect(t testing.TB, instance string, kind Kind) Event {
	t.Helper()
	e := r.Next(t, instance)
	if e.Kind != kind {
		t.Fatalf("want %s of %s, got %s; all events: %v", kind, instance, e, r.Events())
	}
	return e
}

// WaitFor takes events of instance until one of kind, for steps where a
// driver may or may not report something first (QR codes while linking by
// pairing code).
func (r *Recorder) WaitFor(t testing.TB, instance string, kind Kind) Event {
	t.Helper()
	for {
		if e := r.Next(t, instance); e.Kind == kind {
			return e
		}
	}
}

// Quiet fails the test if instance has an event not yet taken, or gets one
// within a short while.
func (r *Recorder) Quiet(t testing.TB, instance string) {
	t.Helper()
	if e, ok := r.next(instance, quietFor); ok {
		t.Fatalf("unexpected event %s; all events: %v", e, r.Events())
	}
}
