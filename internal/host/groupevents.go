package host

import (
	"fmt"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/driver"
)

var _ driver.GroupEvents = (*Host)(nil)

// GroupParticipants implements driver.GroupEvents: group.participants,
// for every change whoever made it (receiveGroups is about messages
// only; a tenant that wants none of these filters them on its webhook).
func (h *Host) GroupParticipants(inst string, g driver.GroupParticipants) error {
	return h.addEvent(inst, events.GroupParticipants, events.Membership{
		Group: g.Group, Action: string(g.Action), Participants: g.Participants, By: orNil(g.By),
	})
}

// GroupUpdated implements driver.GroupEvents: group.updated, with the
// group's state after the change.
func (h *Host) GroupUpdated(inst string, g driver.GroupUpdate) error {
	return h.addEvent(inst, events.GroupUpdated, events.GroupInfo{
		Group: g.Group, Subject: g.Subject, Description: g.Description, Announce: g.Announce, Locked: g.Locked,
	})
}

// Call implements driver.GroupEvents: the call is rejected when the
// instance's rejectCalls is on, and call.received says so either way.
// The event is stored before the answer goes back, so a call WhatsApp
// offers again (an error here) is not rejected without being told.
func (h *Host) Call(inst string, c driver.Call) (bool, error) {
	ctx, cancel := h.own.callContext(receiptTimeout)
	defer cancel()
	ctx, herr := h.holding(ctx, inst)
	if herr != nil {
		return false, herr
	}
	set, err := h.settingsOf(ctx, inst)
	if err != nil {
		return false, fmt.Errorf("call: read settings: %w", err)
	}
	err = h.addEvent(inst, events.CallReceived, events.Call{
		From: c.From, CallID: c.CallID, Video: c.Video, Rejected: set.RejectCalls,
	})
	return set.RejectCalls, err
}

// addEvent stores one event of inst and wakes the relay.
func (h *Host) addEvent(inst string, name events.Name, data any) error {
	ctx, cancel := h.own.callContext(receiptTimeout)
	defer cancel()
	ctx, herr := h.holding(ctx, inst)
	if herr != nil {
		return herr
	}
	ev := h.event(inst, name, data)
	if ev == nil {
		return fmt.Errorf("%s: event not built", name)
	}
	if err := h.cfg.Store.AddEvent(ctx, *ev); err != nil {
		return fmt.Errorf("store %s event: %w", name, err)
	}
	h.notify()
	return nil
}

// orNil is nil for "", what WhatsApp did not say.
func orNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
