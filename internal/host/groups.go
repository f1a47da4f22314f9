package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
)

// The group and contact routes run at once on the instance's connection:
// unlike a send, there is no queue for them to wait in.
var (
	errNotOpenForGroups = fault.New(fault.ErrConflict,
		"Instance is not open: group and contact operations need its connection to WhatsApp (see GET /instance/{name}/status)")
	errNoGroup  = fault.New(fault.ErrNotFound, "Group not found: the instance is not a member of it")
	errNoInvite = fault.New(fault.ErrNotFound, "Invite link unknown or revoked")
)

// groupError turns a driver's answer into the API's (API.md, Part 2):
// 409 when the instance is not open or WhatsApp refuses the operation
// (with WhatsApp's reason), 404 for a group the instance is not in or a
// dead invite link, 502 for anything else.
func (h *Host) groupError(name, op string, err error) error {
	var refused *driver.RefusedError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, driver.ErrNotConnected):
		return errNotOpenForGroups
	case errors.Is(err, driver.ErrNoGroup):
		return errNoGroup
	case errors.Is(err, driver.ErrNoInvite):
		return errNoInvite
	case errors.As(err, &refused):
		return fault.New(fault.ErrConflict, "WhatsApp refused: "+refused.Reason)
	}
	return h.sessionError(name, op, err)
}

// Groups lists the groups the instance is in, each with whether the
// instance is an admin of it.
func (h *Host) Groups(ctx context.Context, name string) ([]driver.GroupSummary, error) {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	in, err := h.cfg.Store.GetInstance(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	gs, err := h.cfg.Driver.Groups(ctx, name)
	if err != nil {
		return nil, h.groupError(name, "list groups", err)
	}
	out := make([]driver.GroupSummary, len(gs))
	for i, g := range gs {
		out[i] = g.Summary(in.PhoneNumber)
	}
	return out, nil
}

// CreateGroup creates a group; numbers not on WhatsApp are left out.
func (h *Host) CreateGroup(ctx context.Context, name, subject string, participants []string) (driver.Group, error) {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	g, err := h.cfg.Driver.CreateGroup(ctx, name, subject, participants)
	return g, h.groupError(name, "create the group", err)
}

// Group describes a group the instance is in.
func (h *Host) Group(ctx context.Context, name, id string) (driver.Group, error) {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	g, err := h.cfg.Driver.Group(ctx, name, id)
	return g, h.groupError(name, "read the group", err)
}

// UpdateGroup applies c and answers the group as it is then.
func (h *Host) UpdateGroup(ctx context.Context, name, id string, c driver.GroupChange) (driver.Group, error) {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	if err := h.cfg.Driver.UpdateGroup(ctx, name, id, c); err != nil {
		return driver.Group{}, h.groupError(name, "change the group", err)
	}
	return h.Group(ctx, name, id)
}

// UpdateParticipants adds, removes, promotes or demotes numbers.
func (h *Host) UpdateParticipants(ctx context.Context, name, id string, a driver.ParticipantAction, phones []string) ([]driver.ParticipantResult, error) {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	rs, err := h.cfg.Driver.UpdateParticipants(ctx, name, id, a, phones)
	if err != nil {
		return nil, h.groupError(name, "change the group's participants", err)
	}
	if len(rs) != len(phones) {
		return nil, h.sessionError(name, "change the group's participants",
			fmt.Errorf("%d results for %d numbers", len(rs), len(phones)))
	}
	return rs, nil
}

// InviteLink returns the group's invite link; reset revokes it first.
func (h *Host) InviteLink(ctx context.Context, name, id string, reset bool) (string, error) {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	link, err := h.cfg.Driver.InviteLink(ctx, name, id, reset)
	return link, h.groupError(name, "get the invite link", err)
}

// JoinGroup joins a group by invite link and returns its id.
func (h *Host) JoinGroup(ctx context.Context, name, link string) (string, error) {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	id, err := h.cfg.Driver.JoinGroup(ctx, name, link)
	return id, h.groupError(name, "join the group", err)
}

// LeaveGroup leaves a group.
func (h *Host) LeaveGroup(ctx context.Context, name, id string) error {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	return h.groupError(name, "leave the group", h.cfg.Driver.LeaveGroup(ctx, name, id))
}

// CheckContacts says which numbers are on WhatsApp, in the order asked.
// The anti-ban limit on checks is the API's (it counts before asking).
func (h *Host) CheckContacts(ctx context.Context, name string, phones []string) ([]bool, error) {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	on, err := h.cfg.Driver.CheckContacts(ctx, name, phones)
	if err != nil {
		return nil, h.groupError(name, "check the numbers", err)
	}
	if len(on) != len(phones) {
		return nil, h.sessionError(name, "check the numbers", fmt.Errorf("%d answers for %d numbers", len(on), len(phones)))
	}
	return on, nil
}

// Contact describes a number as WhatsApp shows it to the instance.
func (h *Host) Contact(ctx context.Context, name, phone string) (driver.Contact, error) {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	c, err := h.cfg.Driver.Contact(ctx, name, phone)
	return c, h.groupError(name, "read the contact", err)
}

// Block blocks or unblocks a number.
func (h *Host) Block(ctx context.Context, name, phone string, block bool) error {
	ctx, _ = h.fenced(ctx, name) // lets the sandbox network refuse a stale holder
	op := "block the number"
	if !block {
		op = "unblock the number"
	}
	return h.groupError(name, op, h.cfg.Driver.Block(ctx, name, phone, block))
}
