package whatsapptest

import (
	"fmt"
	"slices"

	"go.mau.fi/whatsmeow/types"
)

// GroupState is a group as the server holds it, for tests to check what
// the clients' queries changed.
type GroupState struct {
	Subject     string
	Description string
	Announce    bool // only admins send
	Locked      bool // only admins edit the group's info
	Creator     string
	Members     []string          // phone numbers, in the order they joined
	Roles       map[string]string // member → "superadmin" or "admin"; plain members are absent
	InviteCode  string            // "" until an admin asked for one
}

// Group returns the state of the group jid names; false if there is none.
func (s *Server) Group(jid types.JID) (GroupState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groupLocked(jid)
	if g == nil {
		return GroupState{}, false
	}
	st := GroupState{Subject: g.subject, Description: g.description, Announce: g.announce, Locked: g.locked,
		Creator: g.creator, Members: slices.Clone(g.members), Roles: map[string]string{}, InviteCode: g.invite}
	for _, m := range g.members {
		if r := g.role(m); r != "" {
			st.Roles[m] = r
		}
	}
	return st, true
}

// InviteCode returns the invite code of the group jid as an admin, by, shares it from
// their phone: issued on first use, the same until revoked.
func (s *Server) InviteCode(jid types.JID, by string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, refused := s.memberGroupLocked(jid, by, true)
	if refused != nil {
		return "", fmt.Errorf("invite code of %s for %s: %w", jid, by, refused)
	}
	return s.inviteLocked(g, false), nil
}
