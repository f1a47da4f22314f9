package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/driver"
)

// The group operations of host.GroupDriver, on the instance's open
// connection. Groups are named by id ("120363025246125486@g.us"), people
// by phone number; errors are mapped in grouperrors.go.

// Groups lists the groups the instance is in.
func (d *Driver) Groups(ctx context.Context, instance string) ([]driver.Group, error) {
	a, err := d.opened(ctx, instance, "list groups")
	if err != nil {
		return nil, err
	}
	infos, err := a.cli.GetJoinedGroups(ctx)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: list groups of %s: %w", instance, groupFailure(err))
	}
	out := make([]driver.Group, 0, len(infos))
	for _, info := range infos {
		g, err := groupOf(ctx, info, lidsOf(a))
		if err != nil {
			return nil, fmt.Errorf("whatsapp: list groups of %s: %w", instance, err)
		}
		out = append(out, g)
	}
	return out, nil
}

// CreateGroup creates a group with the instance as its superadmin. The
// numbers are checked first, as WhatsApp's own apps do before adding
// anyone: those not on WhatsApp are left out, and so are those WhatsApp
// refuses to add (privacy settings); the group returned lists who is in.
func (d *Driver) CreateGroup(ctx context.Context, instance, subject string, participants []string) (driver.Group, error) {
	a, err := d.opened(ctx, instance, "create a group")
	if err != nil {
		return driver.Group{}, err
	}
	numbers := slices.DeleteFunc(unique(participants), func(n string) bool { return n == a.jid.User })
	found, err := onWhatsApp(ctx, a.cli, numbers)
	if err != nil {
		return driver.Group{}, fmt.Errorf("whatsapp: create a group for %s: %w", instance, contactFailure(err))
	}
	var jids []types.JID
	for _, n := range numbers {
		if found[n].IsIn {
			jids = append(jids, types.NewJID(n, types.DefaultUserServer))
		}
	}
	info, err := a.cli.CreateGroup(ctx, whatsmeow.ReqCreateGroup{Name: subject, Participants: jids})
	if err != nil {
		return driver.Group{}, fmt.Errorf("whatsapp: create a group for %s: %w", instance, groupFailure(err))
	}
	g, err := groupOf(ctx, info, lidsOf(a))
	if err != nil {
		return driver.Group{}, fmt.Errorf("whatsapp: create a group for %s: %w", instance, err)
	}
	return g, nil
}

// Group describes a group the instance is in.
func (d *Driver) Group(ctx context.Context, instance, id string) (driver.Group, error) {
	a, jid, err := d.openedGroup(ctx, instance, id, "read group")
	if err != nil {
		return driver.Group{}, err
	}
	info, err := a.cli.GetGroupInfo(ctx, jid)
	if err != nil {
		return driver.Group{}, fmt.Errorf("whatsapp: read group %s of %s: %w", jid, instance, groupFailure(err))
	}
	g, err := groupOf(ctx, info, lidsOf(a))
	if err != nil {
		return driver.Group{}, fmt.Errorf("whatsapp: read group %s of %s: %w", jid, instance, err)
	}
	return g, nil
}

// UpdateGroup applies the fields c sets in the order subject,
// description, announce, locked, one query each, stopping at the first
// that fails: the ones before it stay applied, as on a phone.
func (d *Driver) UpdateGroup(ctx context.Context, instance, id string, c driver.GroupChange) error {
	a, jid, err := d.openedGroup(ctx, instance, id, "change group")
	if err != nil {
		return err
	}
	steps := []struct {
		what string
		set  bool
		do   func() error
	}{
		{"subject", c.Subject != nil, func() error { return a.cli.SetGroupName(ctx, jid, *c.Subject) }},
		// "" as the topic deletes the description; whatsmeow reads the
		// current one's id first, which WhatsApp wants with a change.
		{"description", c.Description != nil, func() error { return a.cli.SetGroupTopic(ctx, jid, "", "", *c.Description) }},
		{"announce", c.Announce != nil, func() error { return a.cli.SetGroupAnnounce(ctx, jid, *c.Announce) }},
		{"locked", c.Locked != nil, func() error { return a.cli.SetGroupLocked(ctx, jid, *c.Locked) }},
	}
	for _, s := range steps {
		if !s.set {
			continue
		}
		if err := s.do(); err != nil {
			return fmt.Errorf("whatsapp: set the %s of group %s of %s: %w", s.what, jid, instance, groupFailure(err))
		}
	}
	return nil
}

// InviteLink returns the group's invite link; reset revokes the current
// one and returns its replacement. Only admins may (a RefusedError
// otherwise).
func (d *Driver) InviteLink(ctx context.Context, instance, id string, reset bool) (string, error) {
	a, jid, err := d.openedGroup(ctx, instance, id, "invite link")
	if err != nil {
		return "", err
	}
	link, err := a.cli.GetGroupInviteLink(ctx, jid, reset)
	if err != nil {
		return "", fmt.Errorf("whatsapp: invite link of group %s of %s: %w", jid, instance, groupFailure(err))
	}
	return link, nil
}

// JoinGroup joins the group of an invite link
// (https://chat.whatsapp.com/<code>) and returns its id;
// driver.ErrNoInvite for a link that is not one, or that WhatsApp does
// not know (406) or revoked (410).
func (d *Driver) JoinGroup(ctx context.Context, instance, link string) (string, error) {
	a, err := d.opened(ctx, instance, "join a group")
	if err != nil {
		return "", err
	}
	code, ok := strings.CutPrefix(strings.TrimSuffix(link, "/"), whatsmeow.InviteLinkPrefix)
	if !ok || code == "" || strings.ContainsAny(code, "/?#") {
		return "", fmt.Errorf("whatsapp: join a group from %s: not an invite link: %w", instance, driver.ErrNoInvite)
	}
	jid, err := a.cli.JoinGroupWithLink(ctx, code)
	var iq *whatsmeow.IQError
	switch {
	case errors.Is(err, whatsmeow.ErrInviteLinkRevoked), errors.Is(err, whatsmeow.ErrInviteLinkInvalid),
		errors.As(err, &iq) && (iq.Code == 404 || iq.Code == 406 || iq.Code == 410):
		return "", fmt.Errorf("whatsapp: join a group from %s: %w: %w", instance, driver.ErrNoInvite, err)
	case err != nil:
		return "", fmt.Errorf("whatsapp: join a group from %s: %w", instance, groupFailure(err))
	case jid.Server != types.GroupServer:
		return "", fmt.Errorf("whatsapp: join a group from %s: WhatsApp answered %q, not a group", instance, jid)
	}
	return jid.String(), nil
}

// LeaveGroup leaves a group.
func (d *Driver) LeaveGroup(ctx context.Context, instance, id string) error {
	a, jid, err := d.openedGroup(ctx, instance, id, "leave group")
	if err != nil {
		return err
	}
	if err := a.cli.LeaveGroup(ctx, jid); err != nil {
		return fmt.Errorf("whatsapp: leave group %s from %s: %w", jid, instance, groupFailure(err))
	}
	return nil
}

// openedGroup is opened and groupJID together.
func (d *Driver) openedGroup(ctx context.Context, instance, id, op string) (*attempt, types.JID, error) {
	a, err := d.opened(ctx, instance, op)
	if err != nil {
		return nil, types.EmptyJID, err
	}
	jid, err := groupJID(id)
	if err != nil {
		return nil, types.EmptyJID, fmt.Errorf("whatsapp: %s of %s: %w", op, instance, err)
	}
	return a, jid, nil
}

// unique is numbers without repeats, in their order.
func unique(numbers []string) []string {
	out := make([]string, 0, len(numbers))
	for _, n := range numbers {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
