package whatsapptest

import (
	"crypto/rand"
	"math/big"
	"time"
	"unicode/utf8"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// createGroup answers whatsmeow's CreateGroup: a new group with the
// creating account as superadmin and the participants WhatsApp could
// add. The answer is the group's info with the participants it could not
// add listed with their error code (403 privacy, with an add_request; 404
// not on WhatsApp); every member's devices get the <create> notification.
func (c *conn) createGroup(iq *waBinary.Node, q waBinary.Node, self string) {
	s := c.s
	ag := q.AttrGetter()
	subject := ag.OptionalString("subject")
	if n := utf8.RuneCountInString(subject); n == 0 || n > maxSubject {
		c.refuse(iq, refusedNotAcceptable)
		return
	}
	now := time.Now()
	g := &group{subject: subject, subjectAt: now, subjectBy: self, created: now, creator: self,
		members: []string{self}, admins: map[string]bool{}, addMode: addModeMembers}
	if mode, ok := q.GetOptionalChildByTag("member_add_mode"); ok && contentString(mode) == addModeAdmins {
		g.addMode = addModeAdmins
	}
	_, g.announce = q.GetOptionalChildByTag("announcement")
	_, g.locked = q.GetOptionalChildByTag("locked")

	s.mu.Lock()
	g.jid = s.newGroupJIDLocked()
	var failed []waBinary.Node
	for _, p := range q.GetChildrenByTag("participant") {
		jid, _ := p.Attrs["jid"].(types.JID)
		number := s.phoneOfLocked(jid)
		if number == self {
			continue // WhatsApp adds the creator itself
		}
		code := participantNotFound
		if number != "" {
			code = s.applyLocked(g, "add", number)
		}
		if code != 0 && code != participantAlready {
			failed = append(failed, failedParticipant(jid, code))
		}
	}
	s.groups[g.jid.User] = g
	info := s.groupNodeLocked(g)
	n := s.noticeLocked(g, self, g.members, waBinary.Node{Tag: "create", Attrs: waBinary.Attrs{"type": "new"},
		Content: []waBinary.Node{info}})
	s.mu.Unlock()

	answer := info
	answer.Content = append(append([]waBinary.Node(nil), info.GetChildren()...), failed...)
	c.replyFrom(iq, types.GroupServerJID, answer)
	s.post(n)
}

// newGroupJIDLocked picks an unused group id of today's form: 120363
// followed by twelve digits. The caller holds s.mu.
func (s *Server) newGroupJIDLocked() types.JID {
	for {
		n, _ := rand.Int(rand.Reader, big.NewInt(1e12))
		id := "120363" + leftPad(n.String(), 12)
		if _, taken := s.groups[id]; !taken {
			return types.NewJID(id, types.GroupServer)
		}
	}
}

func leftPad(digits string, width int) string {
	for len(digits) < width {
		digits = "0" + digits
	}
	return digits
}
