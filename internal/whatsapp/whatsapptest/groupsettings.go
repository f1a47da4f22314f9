package whatsapptest

import (
	"strconv"
	"time"
	"unicode/utf8"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// WhatsApp's limits on a group's texts, in characters.
const (
	maxSubject     = 100
	maxDescription = 2048
)

func isSetting(tag string) bool {
	switch tag {
	case "subject", "description", "announcement", "not_announcement", "locked", "unlocked":
		return true
	}
	return false
}

// changeSetting answers a change of a group's subject, description or
// settings from a client.
func (c *conn) changeSetting(iq *waBinary.Node, to types.JID, change waBinary.Node, self string) {
	c.s.mu.Lock()
	notices, refused := c.s.settingLocked(to, self, change)
	c.s.mu.Unlock()
	if refused != nil {
		c.refuse(iq, refused)
		return
	}
	c.replyFrom(iq, to)
	c.s.post(notices...)
}

// settingLocked makes actor's change of a setting, as whatsmeow's
// SetGroupName, SetGroupTopic, SetGroupAnnounce and SetGroupLocked send
// it, and returns its notification (none when nothing changed). Members
// edit the subject and description unless the group is locked; only
// admins change announce and locked. The caller holds s.mu.
func (s *Server) settingLocked(jid types.JID, actor string, change waBinary.Node) ([]notice, *Refusal) {
	adminOnly := change.Tag != "subject" && change.Tag != "description"
	g, refused := s.memberGroupLocked(jid, actor, adminOnly)
	if refused != nil {
		return nil, refused
	}
	if !adminOnly && g.locked && !g.isAdmin(actor) {
		return nil, refusedNotAuthorized
	}
	now := time.Now()
	var body waBinary.Node
	switch change.Tag {
	case "subject":
		subject := contentString(change)
		if n := utf8.RuneCountInString(subject); n == 0 || n > maxSubject {
			return nil, refusedNotAcceptable
		}
		g.subject, g.subjectAt, g.subjectBy = subject, now, actor
		body = waBinary.Node{Tag: "subject", Attrs: waBinary.Attrs{"subject": subject, "s_t": unixAttr(now), "s_o": pnJID(actor)}}
	case "description":
		var refused *Refusal
		if body, refused = g.describe(change, actor, now); refused != nil {
			return nil, refused
		}
	default:
		on := change.Tag == "announcement" || change.Tag == "locked"
		setting := &g.locked
		if change.Tag == "announcement" || change.Tag == "not_announcement" {
			setting = &g.announce
		}
		if *setting == on {
			return nil, nil
		}
		*setting = on
		body = waBinary.Node{Tag: change.Tag}
		if setting == &g.announce {
			body.Attrs = waBinary.Attrs{"v_id": strconv.FormatInt(now.UnixNano(), 10)}
		}
	}
	return []notice{s.noticeLocked(g, actor, g.members, body)}, nil
}

// describe sets g's description from a <description id prev [delete]>
// change and returns the notification's body. WhatsApp takes a change
// only on top of the current description (prev): a client that missed a
// newer one gets 409.
func (g *group) describe(change waBinary.Node, actor string, now time.Time) (waBinary.Node, *Refusal) {
	ag := change.AttrGetter()
	id, prev := ag.OptionalString("id"), ag.OptionalString("prev")
	text := contentString(change.GetChildByTag("body"))
	deleting := ag.OptionalString("delete") == "true"
	switch {
	case id == "":
		return waBinary.Node{}, refusedBadRequest
	case prev != g.descriptionID:
		return waBinary.Node{}, refusedConflict
	case deleting != (text == ""):
		return waBinary.Node{}, refusedBadRequest
	case utf8.RuneCountInString(text) > maxDescription:
		return waBinary.Node{}, refusedNotAcceptable
	}
	g.description, g.descriptionID, g.descriptionAt, g.descriptionBy = text, id, now, actor
	body := waBinary.Node{Tag: "description", Attrs: waBinary.Attrs{"id": id}}
	if deleting {
		// Group info shows no description, so a client's next change
		// comes without prev.
		g.descriptionID = ""
		body.Content = []waBinary.Node{{Tag: "delete"}}
	} else {
		body.Content = []waBinary.Node{{Tag: "body", Content: []byte(text)}}
	}
	return body, nil
}
