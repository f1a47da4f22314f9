package whatsapptest

import (
	"crypto/rand"
	"slices"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// inviteLink answers an admin's question for the group's invite code
// (get), or its request to revoke it and issue another (set): a revoked
// code then answers 410 gone to whoever tries it.
func (c *conn) inviteLink(iq *waBinary.Node, to types.JID, self string, reset bool) {
	s := c.s
	s.mu.Lock()
	g, refused := s.memberGroupLocked(to, self, true)
	var code string
	if refused == nil {
		code = s.inviteLocked(g, reset)
	}
	s.mu.Unlock()
	if refused != nil {
		c.refuse(iq, refused)
		return
	}
	c.replyFrom(iq, to, waBinary.Node{Tag: "invite", Attrs: waBinary.Attrs{"code": code}})
}

// inviteLocked returns g's invite code, issuing one if it has none or
// reset is set (the old one is revoked). The caller holds s.mu.
func (s *Server) inviteLocked(g *group, reset bool) string {
	if reset && g.invite != "" {
		s.revoked[g.invite] = g.jid.User
		g.invite = ""
	}
	if g.invite == "" {
		g.invite = inviteCode()
	}
	return g.invite
}

// inviteGroupLocked finds the group of an invite code: 410 gone for a
// revoked code, 406 not-acceptable for one never issued. The caller holds
// s.mu.
func (s *Server) inviteGroupLocked(code string) (*group, *Refusal) {
	if code == "" {
		return nil, refusedNotAcceptable
	}
	for _, g := range s.groups {
		if g.invite == code {
			return g, nil
		}
	}
	if _, ok := s.revoked[code]; ok {
		return nil, refusedGone
	}
	return nil, refusedNotAcceptable
}

// inviteInfo answers GetGroupInfoFromLink: the group behind a code,
// without joining it.
func (c *conn) inviteInfo(iq *waBinary.Node, q waBinary.Node) {
	s := c.s
	s.mu.Lock()
	g, refused := s.inviteGroupLocked(q.AttrGetter().OptionalString("code"))
	var info waBinary.Node
	if refused == nil {
		info = s.groupNodeLocked(g)
	}
	s.mu.Unlock()
	if refused != nil {
		c.refuse(iq, refused)
		return
	}
	c.replyFrom(iq, types.GroupServerJID, info)
}

// joinByInvite answers JoinGroupWithLink: the account joins the group
// (a member already in it just gets the answer), its devices get the
// group as a <create reason="invite"> notification and the other members
// an <add reason="invite">.
func (c *conn) joinByInvite(iq *waBinary.Node, q waBinary.Node, self string) {
	s := c.s
	s.mu.Lock()
	g, refused := s.inviteGroupLocked(q.AttrGetter().OptionalString("code"))
	var notices []notice
	if refused == nil && !g.member(self) {
		g.members = append(g.members, self)
		others := slices.DeleteFunc(slices.Clone(g.members), func(m string) bool { return m == self })
		notices = []notice{
			s.noticeLocked(g, self, []string{self}, waBinary.Node{Tag: "create",
				Attrs: waBinary.Attrs{"reason": "invite", "type": "invite"}, Content: []waBinary.Node{s.groupNodeLocked(g)}}),
			s.noticeLocked(g, self, others, waBinary.Node{Tag: "add", Attrs: withReason(g.bumpVersion(), "invite"),
				Content: s.participantListLocked([]string{self})}),
		}
	}
	s.mu.Unlock()
	if refused != nil {
		c.refuse(iq, refused)
		return
	}
	c.replyFrom(iq, types.GroupServerJID, waBinary.Node{Tag: "group", Attrs: waBinary.Attrs{"jid": g.jid}})
	s.post(notices...)
}

// leaveGroups answers LeaveGroup: the account leaves each group listed,
// and the members and the account's own devices get the <remove>.
func (c *conn) leaveGroups(iq *waBinary.Node, q waBinary.Node, self string) {
	s := c.s
	s.mu.Lock()
	var answer []waBinary.Node
	var notices []notice
	var refused *Refusal
	for _, n := range q.GetChildrenByTag("group") {
		jid, _ := n.Attrs["id"].(types.JID)
		var g *group
		if g, refused = s.memberGroupLocked(jid, self, false); refused != nil {
			break
		}
		notices = append(notices, s.leaveLocked(g, self))
		answer = append(answer, waBinary.Node{Tag: "group", Attrs: waBinary.Attrs{"id": jid}})
	}
	s.mu.Unlock()
	if refused != nil {
		c.refuse(iq, refused)
		return
	}
	c.replyFrom(iq, types.GroupServerJID, waBinary.Node{Tag: "leave", Content: answer})
	s.post(notices...)
}

// leaveLocked takes number out of g and returns the <remove> it makes
// known to the members and to number's own devices. The caller holds
// s.mu.
func (s *Server) leaveLocked(g *group, number string) notice {
	s.applyLocked(g, "remove", number)
	return s.noticeLocked(g, number, g.membersAnd(number),
		waBinary.Node{Tag: "remove", Attrs: g.bumpVersion(), Content: s.participantListLocked([]string{number})})
}

func withReason(attrs waBinary.Attrs, reason string) waBinary.Attrs {
	attrs["reason"] = reason
	return attrs
}

// inviteCode makes an invite code as WhatsApp's look: 22 letters and
// digits.
func inviteCode() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 22)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
