package whatsapptest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// ErrGroupExists: CreateGroup was given the id of an existing group.
var ErrGroupExists = errors.New("group exists")

// group is a group chat: its members are accounts (phone numbers), each
// reading it on its phone (device 0). Addressing is by phone number
// (addressing_mode "pn"), so whatsmeow sends to the members' phone
// numbers.
type group struct {
	jid     types.JID
	subject string
	created time.Time
	members []string // phone numbers; the first created the group
}

// CreateGroup makes a group with id (the group JID's user part: digits,
// or the older creator-number "-" creation-time form), named subject,
// whose members are the accounts of members, the first its creator and
// superadmin. WhatsApp's clients send to a group only if they are in it:
// include the linked number among members for it to send. It returns the
// group's JID (id@g.us).
func (s *Server) CreateGroup(id, subject string, members ...string) (types.JID, error) {
	jid := types.NewJID(id, types.GroupServer)
	if !validGroupID(id) {
		return jid, fmt.Errorf("create group %q: id is not digits, or digits-digits", id)
	}
	if len(members) == 0 {
		return jid, fmt.Errorf("create group %s: no members", jid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[id]; ok {
		return jid, fmt.Errorf("create group %s: %w", jid, ErrGroupExists)
	}
	for i, number := range members {
		if _, err := s.phoneLocked(number); err != nil {
			return jid, fmt.Errorf("create group %s: %w", jid, err)
		}
		if s.absent[number] || slices.Contains(members[:i], number) {
			return jid, fmt.Errorf("create group %s: member %s is not on WhatsApp or listed twice", jid, number)
		}
	}
	s.groups[id] = &group{jid: jid, subject: subject, created: time.Now(), members: slices.Clone(members)}
	return jid, nil
}

func validGroupID(id string) bool {
	head, tail, dashed := strings.Cut(id, "-")
	digits := func(s string) bool {
		return s != "" && strings.Trim(s, "0123456789") == ""
	}
	return digits(head) && (!dashed || digits(tail))
}

// groupLocked finds the group jid names; nil if there is none. The caller
// holds s.mu.
func (s *Server) groupLocked(jid types.JID) *group {
	if jid.Server != types.GroupServer {
		return nil
	}
	return s.groups[jid.User]
}

// groupInfo answers a group info query (w:g2 get <query>) with the
// group's metadata for one of its members, whatsmeow's one question
// before sending to a group it has not cached; 404 item-not-found for a
// group that does not exist and 403 forbidden for one the device's
// account is not in, as WhatsApp does. Other group queries (joined
// groups, changes) are not modelled and get handleIQ's empty result.
func (c *conn) groupInfo(iq *waBinary.Node) {
	to, _ := iq.Attrs["to"].(types.JID)
	s := c.s
	s.mu.Lock()
	g := s.groupLocked(to)
	var info waBinary.Node
	member := g != nil && slices.Contains(g.members, c.dev.phone.number)
	if member {
		info = s.groupNodeLocked(g)
	}
	s.mu.Unlock()
	switch {
	case g == nil:
		c.replyError(iq, 404, "item-not-found")
	case !member:
		c.replyError(iq, 403, "forbidden")
	default:
		if err := c.send(waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{"id": iq.Attrs["id"], "type": "result", "from": to},
			Content: []waBinary.Node{info}}); err != nil {
			s.log.Debug("group info", "err", err)
		}
	}
}

// groupNodeLocked renders g as WhatsApp's group info answer: members by
// phone number with their LID alongside (whatsmeow learns the mapping
// from it), the creator as superadmin. The caller holds s.mu.
func (s *Server) groupNodeLocked(g *group) waBinary.Node {
	creator := types.NewJID(g.members[0], types.DefaultUserServer)
	created := unixAttr(g.created)
	participants := make([]waBinary.Node, len(g.members))
	for i, number := range g.members {
		attrs := waBinary.Attrs{"jid": types.NewJID(number, types.DefaultUserServer), "lid": s.phones[number].lid}
		if i == 0 {
			attrs["type"] = "superadmin"
		}
		participants[i] = waBinary.Node{Tag: "participant", Attrs: attrs}
	}
	return waBinary.Node{Tag: "group", Attrs: waBinary.Attrs{
		"id": g.jid.User, "subject": g.subject, "s_t": created, "s_o": creator,
		"creator": creator, "creation": created, "size": strconv.Itoa(len(g.members)), "addressing_mode": "pn",
	}, Content: participants}
}
