package whatsapptest

import (
	"context"
	"errors"
	"fmt"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// The controls below have a member change a group from their phone,
// under WhatsApp's rules: a *Refusal when the member may not (404 no such
// group, 403 not in it, 401 an admin's change by a plain member, 406 a
// value WhatsApp does not take). Every member's connected devices (and
// those of whoever was removed) get the group notification, as with
// changes the linked clients make; a control returns once each device
// acknowledged it, ErrNotAcknowledged when one did not before ctx ended
// (5 s without a deadline). No device needs to be connected.

// GroupAction is a change of a group's participants.
type GroupAction string

// The participant changes of WhatsApp's groups.
const (
	GroupAdd     GroupAction = "add"
	GroupRemove  GroupAction = "remove"
	GroupPromote GroupAction = "promote"
	GroupDemote  GroupAction = "demote"
)

// ChangeParticipants has by change numbers in the group jid. The numbers the
// change fails for (not on WhatsApp, already in the group, not in it,
// refusing to be added) make it return an error naming each with its
// code; the others are changed and notified.
func (s *Server) ChangeParticipants(ctx context.Context, jid types.JID, by string, action GroupAction, numbers ...string) error {
	if !isParticipantAction(string(action)) {
		return fmt.Errorf("change participants of %s: unknown action %q", jid, action)
	}
	asked := make([]types.JID, len(numbers))
	for i, n := range numbers {
		asked[i] = pnJID(n)
	}
	s.mu.Lock()
	answer, notices, refused := s.participantsLocked(jid, by, string(action), asked)
	s.mu.Unlock()
	if refused != nil {
		return fmt.Errorf("%s in %s by %s: %w", action, jid, by, refused)
	}
	err := s.notify(ctx, notices...)
	for _, p := range answer.GetChildren() {
		if code, ok := p.Attrs["error"]; ok {
			err = errors.Join(err, fmt.Errorf("%s %v in %s: error %v", action, p.Attrs["jid"], jid, code))
		}
	}
	return err
}

// AddToGroup has by add numbers to the group jid.
func (s *Server) AddToGroup(ctx context.Context, jid types.JID, by string, numbers ...string) error {
	return s.ChangeParticipants(ctx, jid, by, GroupAdd, numbers...)
}

// RemoveFromGroup has by remove numbers from the group jid.
func (s *Server) RemoveFromGroup(ctx context.Context, jid types.JID, by string, numbers ...string) error {
	return s.ChangeParticipants(ctx, jid, by, GroupRemove, numbers...)
}

// LeaveGroup has number leave the group jid.
func (s *Server) LeaveGroup(ctx context.Context, jid types.JID, number string) error {
	s.mu.Lock()
	g, refused := s.memberGroupLocked(jid, number, false)
	var n notice
	if refused == nil {
		n = s.leaveLocked(g, number)
	}
	s.mu.Unlock()
	if refused != nil {
		return fmt.Errorf("%s leaving %s: %w", number, jid, refused)
	}
	return s.notify(ctx, n)
}

// RenameGroup has by set the subject of the group jid.
func (s *Server) RenameGroup(ctx context.Context, jid types.JID, by, subject string) error {
	return s.changeSetting(ctx, jid, by, func(*group) waBinary.Node {
		return waBinary.Node{Tag: "subject", Content: []byte(subject)}
	})
}

// DescribeGroup has by set the description of the group jid ("" deletes it).
func (s *Server) DescribeGroup(ctx context.Context, jid types.JID, by, description string) error {
	return s.changeSetting(ctx, jid, by, func(g *group) waBinary.Node {
		attrs := waBinary.Attrs{"id": newMessageID()}
		if g != nil && g.descriptionID != "" {
			attrs["prev"] = g.descriptionID
		}
		if description == "" {
			attrs["delete"] = "true"
			return waBinary.Node{Tag: "description", Attrs: attrs}
		}
		return waBinary.Node{Tag: "description", Attrs: attrs,
			Content: []waBinary.Node{{Tag: "body", Content: []byte(description)}}}
	})
}

// SetGroupAnnounce has by, an admin, let only admins send (on) or
// everyone.
func (s *Server) SetGroupAnnounce(ctx context.Context, jid types.JID, by string, on bool) error {
	tag := "not_announcement"
	if on {
		tag = "announcement"
	}
	return s.changeSetting(ctx, jid, by, func(*group) waBinary.Node { return waBinary.Node{Tag: tag} })
}

// SetGroupLocked has by, an admin, let only admins edit the group's info
// (on) or everyone.
func (s *Server) SetGroupLocked(ctx context.Context, jid types.JID, by string, on bool) error {
	tag := "unlocked"
	if on {
		tag = "locked"
	}
	return s.changeSetting(ctx, jid, by, func(*group) waBinary.Node { return waBinary.Node{Tag: tag} })
}

// changeSetting makes the change change builds (from the group as it is,
// nil if there is none) as a client's query would.
func (s *Server) changeSetting(ctx context.Context, jid types.JID, by string, change func(*group) waBinary.Node) error {
	s.mu.Lock()
	node := change(s.groupLocked(jid))
	notices, refused := s.settingLocked(jid, by, node)
	s.mu.Unlock()
	if refused != nil {
		return fmt.Errorf("%s of %s by %s: %w", node.Tag, jid, by, refused)
	}
	return s.notify(ctx, notices...)
}
