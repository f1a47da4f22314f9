package drivertest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
)

// GroupKind names the driver.GroupEvents method a driver called.
type GroupKind string

// One GroupKind per driver.GroupEvents method.
const (
	Participants GroupKind = "GroupParticipants"
	GroupUpdated GroupKind = "GroupUpdated"
	CallOffered  GroupKind = "Call"
)

// GroupEvent is one call a driver made to its GroupEvents.
type GroupEvent struct {
	Kind         GroupKind
	Instance     string
	Participants driver.GroupParticipants // Participants
	Update       driver.GroupUpdate       // GroupUpdated
	Call         driver.Call              // CallOffered
	Rejected     bool                     // CallOffered: what the recorder answered
}

func (e GroupEvent) String() string {
	switch e.Kind {
	case Participants:
		p := e.Participants
		return fmt.Sprintf("GroupParticipants(%s, %s %s %v by %s)", e.Instance, p.Group, p.Action, p.Participants, p.By)
	case GroupUpdated:
		u := e.Update
		return fmt.Sprintf("GroupUpdated(%s, %s announce=%t locked=%t)", e.Instance, u.Group, u.Announce, u.Locked)
	case CallOffered:
		return fmt.Sprintf("Call(%s, %s from %s, video=%t, rejected=%t)", e.Instance, e.Call.CallID, e.Call.From,
			e.Call.Video, e.Rejected)
	}
	return fmt.Sprintf("%s(%s)", e.Kind, e.Instance)
}

// GroupRecorder is a Recorder that also takes driver.GroupEvents. The
// group events of each instance form a stream of their own, taken in
// order with NextGroup, ExpectGroup and QuietGroup: the suite checks their
// order among themselves, not against connection events.
type GroupRecorder struct {
	*Recorder

	seen *stream[GroupEvent]

	mu     sync.Mutex
	reject bool
	err    error
}

var _ driver.GroupEvents = (*GroupRecorder)(nil)

// NewGroupRecorder returns an empty GroupRecorder that acknowledges
// everything and lets calls ring.
func NewGroupRecorder() *GroupRecorder {
	return &GroupRecorder{Recorder: NewRecorder(), seen: newStream(func(e GroupEvent) string { return e.Instance })}
}

// GroupParticipants implements driver.GroupEvents.
func (r *GroupRecorder) GroupParticipants(instance string, g driver.GroupParticipants) error {
	g.Participants = append([]string(nil), g.Participants...) // the driver's slice is not ours to keep
	return r.add(GroupEvent{Kind: Participants, Instance: instance, Participants: g})
}

// GroupUpdated implements driver.GroupEvents.
func (r *GroupRecorder) GroupUpdated(instance string, g driver.GroupUpdate) error {
	return r.add(GroupEvent{Kind: GroupUpdated, Instance: instance, Update: g})
}

// Call implements driver.GroupEvents: it asks to reject the call as
// RejectCalls last said.
func (r *GroupRecorder) Call(instance string, c driver.Call) (bool, error) {
	r.mu.Lock()
	reject := r.reject
	r.mu.Unlock()
	err := r.add(GroupEvent{Kind: CallOffered, Instance: instance, Call: c, Rejected: reject})
	return reject, err
}

// RejectCalls sets what Call answers from now on, as a host with
// rejectCalls on or off does.
func (r *GroupRecorder) RejectCalls(reject bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reject = reject
}

// RefuseGroupEvents makes every GroupEvents method fail with err from now
// on (nil: acknowledge again), as a host that cannot store them does.
func (r *GroupRecorder) RefuseGroupEvents(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

// add records e, even when refusing it, since the driver did deliver it.
func (r *GroupRecorder) add(e GroupEvent) error {
	r.seen.add(e)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// GroupEvents returns every group event so far, of every instance, in
// order.
func (r *GroupRecorder) GroupEvents() []GroupEvent { return r.seen.all() }

// nextGroup takes the next group event of instance, waiting up to within.
func (r *GroupRecorder) nextGroup(instance string, within time.Duration) (GroupEvent, bool) {
	return r.seen.next(instance, within)
}

// NextGroup takes the next group event of instance, failing the test if
// none comes within Timeout.
func (r *GroupRecorder) NextGroup(t testing.TB, instance string) GroupEvent {
	t.Helper()
	e, ok := r.nextGroup(instance, Timeout)
	if !ok {
		t.Fatalf("no group event for %s within %s; all group events: %v", instance, Timeout, r.GroupEvents())
	}
	return e
}

// ExpectGroup takes the next group event of instance and fails the test
// unless it is of kind.
func (r *GroupRecorder) ExpectGroup(t testing.TB, instance string, kind GroupKind) GroupEvent {
	t.Helper()
	e := r.NextGroup(t, instance)
	if e.Kind != kind {
		t.Fatalf("want %s of %s, got %s; all group events: %v", kind, instance, e, r.GroupEvents())
	}
	return e
}

// QuietGroup fails the test if instance has a group event not yet taken,
// or gets one within a short while.
func (r *GroupRecorder) QuietGroup(t testing.TB, instance string) {
	t.Helper()
	if e, ok := r.nextGroup(instance, quietFor); ok {
		t.Fatalf("unexpected group event %s; all group events: %v", e, r.GroupEvents())
	}
}
