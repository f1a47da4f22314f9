package whatsapptest

import (
	"slices"
	"strconv"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// Per-participant error codes of a participant change, inside a
// successful answer: the rest of the list is still changed.
const (
	participantPrivacy  = 403 // the person's privacy settings keep them from being added (an add_request follows)
	participantNotFound = 404 // not on WhatsApp, or (remove, promote, demote) not in the group
	participantAlready  = 409 // added but already in the group
)

func isParticipantAction(tag string) bool {
	switch tag {
	case "add", "remove", "promote", "demote":
		return true
	}
	return false
}

// changeParticipants answers <add>, <remove>, <promote> or <demote> from
// a client, listing each participant with an error code where it failed.
func (c *conn) changeParticipants(iq *waBinary.Node, to types.JID, change waBinary.Node, self string) {
	var asked []types.JID
	for _, p := range change.GetChildrenByTag("participant") {
		jid, _ := p.Attrs["jid"].(types.JID)
		asked = append(asked, jid)
	}
	c.s.mu.Lock()
	answer, notices, refused := c.s.participantsLocked(to, self, change.Tag, asked)
	c.s.mu.Unlock()
	if refused != nil {
		c.refuse(iq, refused)
		return
	}
	c.replyFrom(iq, to, answer)
	c.s.post(notices...)
}

// participantsLocked makes actor's participant change: WhatsApp refuses
// it whole when actor may not (not in the group, or not an admin where
// one is needed), else each user asked is changed or gets an error code.
// It returns the answer (<add> with a <participant> per user asked) and
// the notification of what changed. The caller holds s.mu.
func (s *Server) participantsLocked(jid types.JID, actor, action string, asked []types.JID) (waBinary.Node, []notice, *Refusal) {
	g, refused := s.memberGroupLocked(jid, actor, false)
	if refused != nil {
		return waBinary.Node{}, nil, refused
	}
	if (action != "add" || g.addMode == addModeAdmins) && !g.isAdmin(actor) {
		return waBinary.Node{}, nil, refusedNotAuthorized
	}
	var nodes []waBinary.Node
	var changed []string
	for _, user := range asked {
		number := s.phoneOfLocked(user)
		code := participantNotFound
		if number != "" {
			code = s.applyLocked(g, action, number)
		}
		if code != 0 {
			nodes = append(nodes, failedParticipant(user, code))
			continue
		}
		changed = append(changed, number)
		nodes = append(nodes, s.participantListLocked([]string{number})...)
	}
	answer := waBinary.Node{Tag: action, Content: nodes}
	if len(changed) == 0 {
		return answer, nil, nil
	}
	var also []string
	if action == "remove" {
		also = changed // the removed learn it too
	}
	body := waBinary.Node{Tag: action, Attrs: g.bumpVersion(), Content: s.participantListLocked(changed)}
	return answer, []notice{s.noticeLocked(g, actor, g.membersAnd(also...), body)}, nil
}

// failedParticipant is the <participant> of a user WhatsApp could not
// change, with its error code and, for 403, the add_request the person
// gets instead (an invitation to join).
func failedParticipant(user types.JID, code int) waBinary.Node {
	node := waBinary.Node{Tag: "participant", Attrs: waBinary.Attrs{"jid": user, "error": strconv.Itoa(code)}}
	if code == participantPrivacy {
		node.Content = []waBinary.Node{{Tag: "add_request", Attrs: waBinary.Attrs{
			"code": inviteCode(), "expiration": unixAttr(time.Now().Add(72 * time.Hour)),
		}}}
	}
	return node
}

// applyLocked makes one number's change in g, or returns the error code
// WhatsApp gives it. The caller holds s.mu.
func (s *Server) applyLocked(g *group, action, number string) int {
	p := s.userLocked(pnJID(number))
	if p == nil {
		return participantNotFound
	}
	member := g.member(number)
	switch {
	case action == "add" && member:
		return participantAlready
	case action == "add" && s.profiles[number].NoGroupAdds:
		return participantPrivacy
	case action == "add":
		g.members = append(g.members, number)
	case !member:
		return participantNotFound
	case action == "remove":
		g.members = slices.DeleteFunc(g.members, func(m string) bool { return m == number })
		delete(g.admins, number)
	case action == "promote":
		g.admins[number] = true
	case action == "demote":
		delete(g.admins, number)
	}
	return 0
}
