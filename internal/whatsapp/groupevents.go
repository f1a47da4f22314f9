package whatsapp

import (
	"context"
	"errors"
	"slices"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

// Group notifications and call offers reach the host through
// driver.GroupEvents, when its Events implements it. WhatsApp sends a
// notification for every change of a group the instance is in, the
// instance's own changes included, so these are the only source of the
// host's group events. A group notification is acknowledged (whatsmeow's
// SynchronousAck) only once the host accepted every event made of it;
// WhatsApp sends it again otherwise.

// onGroupInfo hands a group notification's changes to the host: each
// membership change as GroupParticipants, then a change of subject,
// description or settings as GroupUpdated with the group's state after
// it (groupStates).
func (d *Driver) onGroupInfo(instance string, a *attempt, states *groupStates, e *events.GroupInfo) bool {
	ge, wants := d.cfg.Events.(driver.GroupEvents)
	if !wants {
		return true
	}
	if !d.live(a) {
		return false // the next connection gets it again
	}
	ctx, cancel := d.background()
	defer cancel()
	changes, err := participantChanges(ctx, e, lidsOf(a))
	if err != nil {
		d.unreadGroupEvent(instance, e.JID, err)
		return false
	}
	for _, c := range changes {
		if err := ge.GroupParticipants(instance, c); err != nil {
			d.log.Warn("host refused a group participants change; WhatsApp will send it again", "instance", instance,
				"group", e.JID.String(), "action", string(c.Action), "err", err.Error())
			return false
		}
		if c.Action == driver.Remove && slices.Contains(c.Participants, a.jid.User) {
			states.forget(e.JID)
		}
	}
	if !settingsChanged(e) {
		return true
	}
	return d.reportSettings(ctx, instance, a, states, ge, e)
}

// reportSettings reports the state a settings change leaves the group
// in, unless it is the state last reported.
func (d *Driver) reportSettings(ctx context.Context, instance string, a *attempt, states *groupStates,
	ge driver.GroupEvents, e *events.GroupInfo) bool {
	before, known := states.get(e.JID)
	if !known {
		info, err := d.groupNow(ctx, a, e.JID)
		if err != nil {
			d.unreadGroupEvent(instance, e.JID, err)
			return false
		}
		if info != nil {
			before = stateOf(info)
		}
	}
	after := applyChange(e, before)
	if known && sameState(after, before) {
		return true
	}
	if err := ge.GroupUpdated(instance, after); err != nil {
		d.log.Warn("host refused a group update; WhatsApp will send it again", "instance", instance,
			"group", e.JID.String(), "err", err.Error())
		return false
	}
	states.set(e.JID, after)
	return true
}

// groupNow asks WhatsApp for the group as it is. A group the instance is
// no longer in (it left right after the change) answers nil: what the
// notification says is then all that is known.
func (d *Driver) groupNow(ctx context.Context, a *attempt, jid types.JID) (*types.GroupInfo, error) {
	info, err := a.cli.GetGroupInfo(ctx, jid)
	if err != nil && errors.Is(groupFailure(err), driver.ErrNoGroup) {
		return nil, nil
	}
	return info, err
}

// onJoinedGroup reports the instance joining a group (by invite link, or
// added as the group was created) as its own addition; a group it
// created itself is only remembered (groupStates).
func (d *Driver) onJoinedGroup(instance string, a *attempt, states *groupStates, e *events.JoinedGroup) bool {
	ge, wants := d.cfg.Events.(driver.GroupEvents)
	if !wants {
		return true
	}
	if !d.live(a) {
		return false
	}
	ctx, cancel := d.background()
	defer cancel()
	change, report, err := joinedGroup(ctx, e, a.jid.User, lidsOf(a))
	if err != nil {
		d.unreadGroupEvent(instance, e.JID, err)
		return false
	}
	if report {
		change.At = d.cfg.Clock.Now().UTC()
		if err := ge.GroupParticipants(instance, change); err != nil {
			d.log.Warn("host refused joining a group; WhatsApp will send it again", "instance", instance,
				"group", e.JID.String(), "err", err.Error())
			return false
		}
	}
	states.set(e.JID, stateOf(&e.GroupInfo))
	return true
}

// unreadGroupEvent logs a group notification the driver could not read
// (left unacknowledged, so WhatsApp sends it again).
func (d *Driver) unreadGroupEvent(instance string, group types.JID, err error) {
	level := d.log.Warn
	if errors.Is(err, errUnresolvedLID) {
		level = d.log.Info
	}
	level("group notification not read; WhatsApp will send it again", "instance", instance,
		"group", group.String(), "err", err.Error())
}
