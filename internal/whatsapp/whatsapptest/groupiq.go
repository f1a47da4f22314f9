package whatsapptest

import (
	"fmt"
	"slices"
	"strings"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// Refusal is WhatsApp refusing a query with an error code, as the client
// sees it (an iq of type error), and as the server's controls report a
// change the acting member may not make.
type Refusal struct {
	Code int
	Text string
}

func (r *Refusal) Error() string { return fmt.Sprintf("refused: %d %s", r.Code, r.Text) }

// WhatsApp's answers to group queries it refuses.
var (
	refusedBadRequest    = &Refusal{400, "bad-request"}
	refusedNotAuthorized = &Refusal{401, "not-authorized"} // an admin's operation by a plain member
	refusedForbidden     = &Refusal{403, "forbidden"}      // the group exists, the account is not in it
	refusedNotFound      = &Refusal{404, "item-not-found"} // no such group
	refusedNotAcceptable = &Refusal{406, "not-acceptable"} // a value WhatsApp does not take; an invite code never issued
	refusedConflict      = &Refusal{409, "conflict"}       // a description change based on an old one
	refusedGone          = &Refusal{410, "gone"}           // a revoked invite code
)

// groupIQ answers the w:g2 queries other than group info: the groups the
// account is in, creating, leaving and joining by invite, participant
// changes, settings and invite links. Every change is then notified to
// the members' connected devices (groupnotify.go), the acting device
// included, as WhatsApp does.
func (c *conn) groupIQ(iq *waBinary.Node, first waBinary.Node) {
	to, _ := iq.Attrs["to"].(types.JID)
	set := iq.Attrs["type"] == "set"
	self := c.device().phone.number
	toGroup := to.Server == types.GroupServer && to.User != ""
	switch {
	case !set && first.Tag == "participating":
		c.reply(iq, c.s.participating(self))
	case first.Tag == "invite" && toGroup:
		c.inviteLink(iq, to, self, set)
	case first.Tag == "invite" && set:
		c.joinByInvite(iq, first, self)
	case first.Tag == "invite":
		c.inviteInfo(iq, first)
	case set && first.Tag == "create":
		c.createGroup(iq, first, self)
	case set && first.Tag == "leave":
		c.leaveGroups(iq, first, self)
	case set && toGroup && isParticipantAction(first.Tag):
		c.changeParticipants(iq, to, first, self)
	case set && toGroup && isSetting(first.Tag):
		c.changeSetting(iq, to, first, self)
	default:
		c.refuse(iq, refusedBadRequest)
	}
}

// participating answers GetJoinedGroups: every group number is in, with
// its participants and description, in id order.
func (s *Server) participating(number string) waBinary.Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.groups))
	for id, g := range s.groups {
		if g.member(number) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	nodes := make([]waBinary.Node, len(ids))
	for i, id := range ids {
		nodes[i] = s.groupNodeLocked(s.groups[id])
	}
	return waBinary.Node{Tag: "groups", Content: nodes}
}

// memberGroupLocked finds the group jid names for a query by number: 404
// when there is no such group, 403 when number is not in it, and 401 when
// admin is set and number is a plain member. The caller holds s.mu.
func (s *Server) memberGroupLocked(jid types.JID, number string, admin bool) (*group, *Refusal) {
	g := s.groupLocked(jid)
	switch {
	case g == nil:
		return nil, refusedNotFound
	case !g.member(number):
		return nil, refusedForbidden
	case admin && !g.isAdmin(number):
		return nil, refusedNotAuthorized
	}
	return g, nil
}

// refuse answers iq with WhatsApp's error r.
func (c *conn) refuse(iq *waBinary.Node, r *Refusal) { c.replyError(iq, r.Code, r.Text) }

// replyFrom answers a query about a group with a result from it, as
// WhatsApp answers w:g2 queries.
func (c *conn) replyFrom(iq *waBinary.Node, from types.JID, children ...waBinary.Node) {
	node := waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{"id": iq.Attrs["id"], "type": "result", "from": from}}
	if len(children) > 0 {
		node.Content = children
	}
	if err := c.send(node); err != nil {
		c.s.log.Debug("group reply", "err", err)
	}
}

// phoneOf is the phone number of a user JID a client names (by number or
// by LID); "" for one the server does not know. The caller holds s.mu.
func (s *Server) phoneOfLocked(jid types.JID) string {
	switch jid.Server {
	case types.DefaultUserServer, types.LegacyUserServer:
		return strings.TrimPrefix(jid.User, "+")
	case types.HiddenUserServer:
		if p := s.byLID[jid.User]; p != nil {
			return p.number
		}
	}
	return ""
}

// pnJID is number's phone number JID.
func pnJID(number string) types.JID { return types.NewJID(number, types.DefaultUserServer) }
