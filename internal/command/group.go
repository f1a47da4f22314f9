package command

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/httpapi"
)

// groupArgs are the arguments of every group and contact operation; each
// kind sets the fields it takes. The driver's values travel as Go encodes
// them: the queue is ours at both ends, and API and host ship together.
type groupArgs struct {
	Group        string                   `json:"group,omitempty"`
	Subject      string                   `json:"subject,omitempty"`
	Participants []string                 `json:"participants,omitempty"`
	Change       *driver.GroupChange      `json:"change,omitempty"`
	Action       driver.ParticipantAction `json:"action,omitempty"`
	Reset        bool                     `json:"reset,omitempty"`
	Link         string                   `json:"link,omitempty"`
	Phones       []string                 `json:"phones,omitempty"`
	Phone        string                   `json:"phone,omitempty"`
	Block        bool                     `json:"block,omitempty"`
}

// takesArgs: every group and contact operation but the list has
// arguments; the session commands have none.
func (k Kind) takesArgs() bool {
	switch k {
	case KindGroupCreate, KindGroup, KindGroupUpdate, KindParticipants, KindInvite, KindJoin, KindLeave,
		KindCheck, KindContact, KindBlock:
		return true
	}
	return false
}

// executeGroup runs a group or contact command and encodes its answer.
func executeGroup(ctx context.Context, s httpapi.GroupSessions, cmd Command) (json.RawMessage, error) {
	var a groupArgs
	if len(cmd.Args) > 0 {
		if err := json.Unmarshal(cmd.Args, &a); err != nil {
			return nil, fmt.Errorf("%s command %s: decode arguments: %w", cmd.Kind, cmd.ID, err)
		}
	}
	var (
		out any
		err error
	)
	name := cmd.Instance
	switch cmd.Kind {
	case KindGroups:
		out, err = s.Groups(ctx, name)
	case KindGroupCreate:
		out, err = s.CreateGroup(ctx, name, a.Subject, a.Participants)
	case KindGroup:
		out, err = s.Group(ctx, name, a.Group)
	case KindGroupUpdate:
		if a.Change == nil {
			return nil, fmt.Errorf("%s command %s: no change", cmd.Kind, cmd.ID)
		}
		out, err = s.UpdateGroup(ctx, name, a.Group, *a.Change)
	case KindParticipants:
		out, err = s.UpdateParticipants(ctx, name, a.Group, a.Action, a.Phones)
	case KindInvite:
		out, err = s.InviteLink(ctx, name, a.Group, a.Reset)
	case KindJoin:
		out, err = s.JoinGroup(ctx, name, a.Link)
	case KindLeave:
		out, err = struct{}{}, s.LeaveGroup(ctx, name, a.Group)
	case KindCheck:
		out, err = s.CheckContacts(ctx, name, a.Phones)
	case KindContact:
		out, err = s.Contact(ctx, name, a.Phone)
	case KindBlock:
		out, err = struct{}{}, s.Block(ctx, name, a.Phone, a.Block)
	default:
		return nil, fmt.Errorf("%s command %s: not a group or contact operation", cmd.Kind, cmd.ID)
	}
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("%s command %s: encode answer: %w", cmd.Kind, cmd.ID, err)
	}
	return b, nil
}

// groupCall sends a group or contact command and decodes its answer
// into out (nil: none expected).
func (c *Client) groupCall(ctx context.Context, kind Kind, name string, a *groupArgs, out any) error {
	cmd := Command{Kind: kind, Instance: name}
	if a != nil {
		b, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("%s command for %s: encode arguments: %w", kind, name, err)
		}
		cmd.Args = b
	}
	r, err := c.run(ctx, cmd)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		return fmt.Errorf("%s command for %s: decode answer: %w: %w", kind, name, err, ErrHostFailed)
	}
	return nil
}

// Groups lists the groups the instance is in.
func (c *Client) Groups(ctx context.Context, name string) ([]driver.GroupSummary, error) {
	var out []driver.GroupSummary
	err := c.groupCall(ctx, KindGroups, name, nil, &out)
	return out, err
}

// CreateGroup creates a group.
func (c *Client) CreateGroup(ctx context.Context, name, subject string, participants []string) (driver.Group, error) {
	var out driver.Group
	err := c.groupCall(ctx, KindGroupCreate, name, &groupArgs{Subject: subject, Participants: participants}, &out)
	return out, err
}

// Group describes a group the instance is in.
func (c *Client) Group(ctx context.Context, name, id string) (driver.Group, error) {
	var out driver.Group
	err := c.groupCall(ctx, KindGroup, name, &groupArgs{Group: id}, &out)
	return out, err
}

// UpdateGroup changes a group's settings and answers the group.
func (c *Client) UpdateGroup(ctx context.Context, name, id string, ch driver.GroupChange) (driver.Group, error) {
	var out driver.Group
	err := c.groupCall(ctx, KindGroupUpdate, name, &groupArgs{Group: id, Change: &ch}, &out)
	return out, err
}

// UpdateParticipants adds, removes, promotes or demotes numbers.
func (c *Client) UpdateParticipants(ctx context.Context, name, id string, a driver.ParticipantAction, phones []string) ([]driver.ParticipantResult, error) {
	var out []driver.ParticipantResult
	err := c.groupCall(ctx, KindParticipants, name, &groupArgs{Group: id, Action: a, Phones: phones}, &out)
	return out, err
}

// InviteLink returns (reset: renews) the group's invite link.
func (c *Client) InviteLink(ctx context.Context, name, id string, reset bool) (string, error) {
	var out string
	err := c.groupCall(ctx, KindInvite, name, &groupArgs{Group: id, Reset: reset}, &out)
	return out, err
}

// JoinGroup joins a group by invite link.
func (c *Client) JoinGroup(ctx context.Context, name, link string) (string, error) {
	var out string
	err := c.groupCall(ctx, KindJoin, name, &groupArgs{Link: link}, &out)
	return out, err
}

// LeaveGroup leaves a group.
func (c *Client) LeaveGroup(ctx context.Context, name, id string) error {
	return c.groupCall(ctx, KindLeave, name, &groupArgs{Group: id}, nil)
}

// CheckContacts says which numbers are on WhatsApp.
func (c *Client) CheckContacts(ctx context.Context, name string, phones []string) ([]bool, error) {
	var out []bool
	err := c.groupCall(ctx, KindCheck, name, &groupArgs{Phones: phones}, &out)
	return out, err
}

// Contact describes a number.
func (c *Client) Contact(ctx context.Context, name, phone string) (driver.Contact, error) {
	var out driver.Contact
	err := c.groupCall(ctx, KindContact, name, &groupArgs{Phone: phone}, &out)
	return out, err
}

// Block blocks or unblocks a number.
func (c *Client) Block(ctx context.Context, name, phone string, block bool) error {
	return c.groupCall(ctx, KindBlock, name, &groupArgs{Phone: phone, Block: block}, nil)
}
