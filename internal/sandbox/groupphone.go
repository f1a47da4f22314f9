package sandbox

import (
	"errors"
	"fmt"
	"slices"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/phone"
)

// MaxGroupEvent is the most numbers one far-side membership change
// names, as the API's participants routes allow.
const MaxGroupEvent = 50

// The far side of the groups: the other members of the instance's groups.
// A member acting on a group id the instance only named (never created,
// joined or saw created) makes that group as lookup does, with the member
// as its owner. Their changes are all or nothing, a refusal being a
// *driver.RefusedError, so that a test's mistake shows instead of half
// happening.

// NewGroup is creator making a group with members (the numbers on
// WhatsApp among them). The instance is in it only if its number is
// among members; either way the creation reports nothing, so the
// instance need not be open.
func (n *Network) NewGroup(instance, creator, subject string, members []string) (string, error) {
	if !onWhatsApp(creator) {
		return "", fmt.Errorf("sandbox: new group for %s: creator: %s, on WhatsApp", instance, phone.FormatMessage)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	g, err := n.newGroup(n.conn(instance), creator, subject, members)
	if err != nil {
		return "", fmt.Errorf("sandbox: new group for %s: %w", instance, err)
	}
	return g.id, nil
}

// GroupEvent is e.By, any member of e.Group, changing its membership
// (e.Action on each of e.Participants; e.At is the network's time). The
// instance hears it if it is a member before or after, and must be open
// (ErrNotConnected otherwise). Like Inbound, it returns once the host has
// answered.
func (n *Network) GroupEvent(instance string, e driver.GroupParticipants) error {
	if err := checkGroupEvent(e); err != nil {
		return fmt.Errorf("sandbox: group event to %s: %w", instance, err)
	}
	ge, ok := n.events.(driver.GroupEvents)
	if !ok {
		return fmt.Errorf("sandbox: group event to %s: %w", instance, ErrNotHeard)
	}
	e.Participants = slices.Clone(e.Participants)
	hears := false
	// The closure reads e and hears when the outbox reaches it, after fill.
	return n.report(instance, "group event", func(driver.Events) error {
		if !hears {
			return nil
		}
		return ge.GroupParticipants(instance, e)
	}, func(c *conn) error {
		g, err := n.actorGroup(c, e.Group, e.By)
		if err != nil {
			return err
		}
		was := g.has(c.phone)
		if err := g.allOrNothing(e.By, e.Action, e.Participants); err != nil {
			return err
		}
		hears, e.At = was || g.has(c.phone), n.clk.Now()
		return nil
	})
}

// checkGroupEvent checks the shape of a far-side membership change.
func checkGroupEvent(e driver.GroupParticipants) error {
	switch {
	case !chat.IsGroup(e.Group):
		return fmt.Errorf("group: %q is not a group id", e.Group)
	case !e.Action.Valid():
		return fmt.Errorf("action: unknown %q", e.Action)
	case !phone.Valid(e.By):
		return fmt.Errorf("by: %s", phone.FormatMessage)
	case len(e.Participants) == 0 || len(e.Participants) > MaxGroupEvent:
		return fmt.Errorf("participants: 1 to %d numbers", MaxGroupEvent)
	}
	for _, p := range e.Participants {
		if !phone.Valid(p) {
			return fmt.Errorf("participants: %q: %s", p, phone.FormatMessage)
		}
	}
	return nil
}

// ChangeGroup is by, a member, changing the group's subject, description
// or settings, with WhatsApp's rights (only admins change settings, or
// the info of a locked group). The instance hears each field changed if
// it is a member, and must be open. Like Inbound, it returns once the
// host has answered.
func (n *Network) ChangeGroup(instance, id, by string, ch driver.GroupChange) error {
	if !phone.Valid(by) {
		return fmt.Errorf("sandbox: group change to %s: by: %s", instance, phone.FormatMessage)
	}
	ge, ok := n.events.(driver.GroupEvents)
	if !ok {
		return fmt.Errorf("sandbox: group change to %s: %w", instance, ErrNotHeard)
	}
	var done []driver.GroupUpdate
	return n.report(instance, "group change", func(driver.Events) error {
		var errs []error
		for _, u := range done {
			errs = append(errs, ge.GroupUpdated(instance, u))
		}
		return errors.Join(errs...)
	}, func(c *conn) error {
		g, err := n.actorGroup(c, id, by)
		if err != nil {
			return err
		}
		if err := g.checkChange(by, ch); err != nil {
			return err
		}
		applied, _ := g.change(by, ch, n.clk.Now()) // checked: no refusal
		if g.has(c.phone) {
			done = applied
		}
		return nil
	})
}

// GroupInvite is the group's current link as by, a member, gets it
// (issuing one if nobody asked before). It reports nothing.
func (n *Network) GroupInvite(instance, id, by string) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	g, err := n.actorGroup(n.conn(instance), id, by)
	if err != nil {
		return "", fmt.Errorf("sandbox: invite link for %s: %w", instance, err)
	}
	return n.inviteLink(g), nil
}

// actorGroup is the group a far-side member acts on, made as lookup
// makes it (by as its owner) if never seen; by must be a member. Call
// with mu held.
func (n *Network) actorGroup(c *conn, id, by string) (*group, error) {
	g, err := n.lookup(c, id, by)
	if err != nil {
		return nil, err
	}
	if !g.has(by) {
		return nil, &driver.RefusedError{Reason: by + ": " + notMember}
	}
	return g, nil
}
