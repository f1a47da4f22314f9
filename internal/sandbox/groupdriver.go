package sandbox

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wagateway/wagateway/internal/driver"
)

// The group operations of the driver port (host.GroupDriver). The
// instance's own changes reach driver.GroupEvents too, after the call's
// effect and in order with the instance's other events, as WhatsApp
// echoes a change to every member's devices.

// own runs op on the open instance under the lock, then reports what op
// queued. A closed instance is ErrNotConnected before anything else.
func (n *Network) own(ctx context.Context, instance, what string, op func(c *conn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	c := n.conns[instance]
	if c == nil || c.state != open {
		n.mu.Unlock()
		return fmt.Errorf("sandbox: %s of %s: %w", what, instance, driver.ErrNotConnected)
	}
	err := op(c)
	n.mu.Unlock()
	n.flush(c)
	if err != nil {
		return fmt.Errorf("sandbox: %s of %s: %w", what, instance, err)
	}
	return nil
}

// tell queues a group event of the instance's own doing. Nobody waits for
// the host's answer: the host is the caller, and may be calling from one
// of its callbacks. A host without GroupEvents hears nothing. Call with mu
// held.
func (n *Network) tell(c *conn, report func(driver.GroupEvents) error) {
	if ge, ok := n.events.(driver.GroupEvents); ok {
		c.outbox = append(c.outbox, event{report: func(driver.Events) error { return report(ge) }})
	}
}

// tellParticipants queues the instance's own membership change.
func (n *Network) tellParticipants(c *conn, id string, a driver.ParticipantAction, numbers []string) {
	e := driver.GroupParticipants{Group: id, Action: a, Participants: numbers, By: c.phone, At: n.clk.Now()}
	n.tell(c, func(ge driver.GroupEvents) error { return ge.GroupParticipants(c.name, e) })
}

// Groups lists the groups the instance is in, by id.
func (n *Network) Groups(ctx context.Context, instance string) ([]driver.Group, error) {
	if err := n.fenceOK(ctx, instance, "Groups"); err != nil {
		return nil, err
	}
	out := []driver.Group{}
	err := n.own(ctx, instance, "list groups", func(c *conn) error {
		for _, g := range c.groups {
			if g.has(c.phone) {
				out = append(out, g.view())
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b driver.Group) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// CreateGroup makes a group of the instance's, leaving out the numbers
// not on WhatsApp. Creating is not a change: nothing is reported.
func (n *Network) CreateGroup(ctx context.Context, instance, subject string, participants []string) (driver.Group, error) {
	if err := n.fenceOK(ctx, instance, "CreateGroup"); err != nil {
		return driver.Group{}, err
	}
	var out driver.Group
	err := n.own(ctx, instance, "create group", func(c *conn) error {
		g, err := n.newGroup(c, c.phone, subject, participants)
		if err == nil {
			out = g.view()
		}
		return err
	})
	return out, err
}

// Group describes a group the instance is in.
func (n *Network) Group(ctx context.Context, instance, id string) (driver.Group, error) {
	if err := n.fenceOK(ctx, instance, "Group"); err != nil {
		return driver.Group{}, err
	}
	var out driver.Group
	err := n.own(ctx, instance, "group", func(c *conn) error {
		g, err := n.memberGroup(c, id)
		if err == nil {
			out = g.view()
		}
		return err
	})
	return out, err
}

// UpdateGroup applies ch's fields in order, each one reported, up to the
// first refusal.
func (n *Network) UpdateGroup(ctx context.Context, instance, id string, ch driver.GroupChange) error {
	if err := n.fenceOK(ctx, instance, "UpdateGroup"); err != nil {
		return err
	}
	return n.own(ctx, instance, "update group", func(c *conn) error {
		g, err := n.memberGroup(c, id)
		if err != nil {
			return err
		}
		done, err := g.change(c.phone, ch, n.clk.Now())
		for _, u := range done {
			n.tell(c, func(ge driver.GroupEvents) error { return ge.GroupUpdated(c.name, u) })
		}
		return err
	})
}

// UpdateParticipants applies a to each number, as an admin only, and
// reports the numbers it changed.
func (n *Network) UpdateParticipants(ctx context.Context, instance, id string, a driver.ParticipantAction,
	phones []string) ([]driver.ParticipantResult, error) {
	if err := n.fenceOK(ctx, instance, "UpdateParticipants"); err != nil {
		return nil, err
	}
	var out []driver.ParticipantResult
	err := n.own(ctx, instance, "update participants", func(c *conn) error {
		if !a.Valid() {
			return fmt.Errorf("unknown action %q", a)
		}
		g, err := n.memberGroup(c, id)
		if err != nil {
			return err
		}
		if !g.admin(c.phone) {
			return &driver.RefusedError{Reason: notAdmin}
		}
		var changed []string
		out, changed = g.participants(c.phone, a, phones)
		if len(changed) > 0 {
			n.tellParticipants(c, id, a, changed)
		}
		return nil
	})
	return out, err
}

// InviteLink returns the group's link, issuing a new one on reset (the
// old one then joins nobody). Only admins see it.
func (n *Network) InviteLink(ctx context.Context, instance, id string, reset bool) (string, error) {
	if err := n.fenceOK(ctx, instance, "InviteLink"); err != nil {
		return "", err
	}
	var link string
	err := n.own(ctx, instance, "invite link", func(c *conn) error {
		g, err := n.memberGroup(c, id)
		if err != nil {
			return err
		}
		if !g.admin(c.phone) {
			return &driver.RefusedError{Reason: notAdmin}
		}
		if reset {
			n.newInvite(g)
		}
		link = n.inviteLink(g)
		return nil
	})
	return link, err
}

// JoinGroup joins the group whose current link is link, as a plain
// member; joining a group the instance is in changes nothing.
func (n *Network) JoinGroup(ctx context.Context, instance, link string) (string, error) {
	if err := n.fenceOK(ctx, instance, "JoinGroup"); err != nil {
		return "", err
	}
	var (
		id     string
		source *conn // another instance whose group the link is
	)
	err := n.own(ctx, instance, "join group", func(c *conn) error {
		g, ok := c.byInvite(link)
		if !ok {
			if g, source = n.joinElsewhere(c, link); g == nil {
				return driver.ErrNoInvite
			}
		}
		id = g.id
		if !g.has(c.phone) {
			g.members = append(g.members, driver.Participant{Phone: c.phone})
			n.tellParticipants(c, id, driver.Add, []string{c.phone})
		}
		return nil
	})
	if source != nil {
		n.flush(source)
	}
	return id, err
}

// joinElsewhere serves a link another instance's world issued: groups
// live per instance, but a link is the network's, so that two instances
// of a tenant can meet in one group as they would on WhatsApp. The group
// is copied into c's world (as the source instance sees it now), and the
// source instance sees c's number join, told as a change by someone else.
// It returns nil when no instance issued the link. Call with mu held.
func (n *Network) joinElsewhere(c *conn, link string) (*group, *conn) {
	for _, other := range n.conns {
		if other == c || other.phone == c.phone {
			continue
		}
		src, ok := other.byInvite(link)
		if !ok {
			continue
		}
		g := c.groupMap()[src.id]
		if g == nil {
			copied := *src
			copied.members, copied.invite = slices.Clone(src.members), ""
			g = &copied
			c.groups[g.id] = g
		}
		if !src.has(c.phone) {
			src.members = append(src.members, driver.Participant{Phone: c.phone})
			e := driver.GroupParticipants{Group: src.id, Action: driver.Add, Participants: []string{c.phone}, By: c.phone,
				At: n.clk.Now()}
			name := other.name
			n.tell(other, func(ge driver.GroupEvents) error { return ge.GroupParticipants(name, e) })
		}
		return g, other
	}
	return nil, nil
}

// LeaveGroup takes the instance out of the group for good: it is then
// ErrNoGroup until someone adds it back or it joins by a link.
func (n *Network) LeaveGroup(ctx context.Context, instance, id string) error {
	if err := n.fenceOK(ctx, instance, "LeaveGroup"); err != nil {
		return err
	}
	return n.own(ctx, instance, "leave group", func(c *conn) error {
		g, err := n.memberGroup(c, id)
		if err != nil {
			return err
		}
		i := g.index(c.phone)
		g.members = slices.Delete(g.members, i, i+1)
		n.tellParticipants(c, id, driver.Remove, []string{c.phone})
		return nil
	})
}
