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
// numbers. The settings and membership change through the w:g2 queries
// of groupiq.go and the controls of groupcontrols.go.
type group struct {
	jid       types.JID
	subject   string
	subjectAt time.Time
	subjectBy string // who set the subject, a phone number
	created   time.Time
	creator   string          // the superadmin while a member
	members   []string        // phone numbers, in the order they joined
	admins    map[string]bool // members promoted to admin (the creator is superadmin besides)

	description   string
	descriptionID string // the id of the current description, "" when none was ever set
	descriptionAt time.Time
	descriptionBy string

	announce bool   // only admins send
	locked   bool   // only admins edit the group's info
	addMode  string // member_add_mode: admin_add or all_member_add
	invite   string // the current invite code, "" until an admin asks for one
	version  uint64 // participant list version (v_id of notifications)
}

// CreateGroup makes a group with id (the group JID's user part: digits,
// or the older creator-number "-" creation-time form), named subject,
// whose members are the accounts of members, the first its creator and
// superadmin; only admins add members. WhatsApp's clients send to a group only if they are in it:
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
	now := time.Now()
	s.groups[id] = &group{jid: jid, subject: subject, subjectAt: now, subjectBy: members[0], created: now,
		creator: members[0], members: slices.Clone(members), admins: map[string]bool{}, addMode: addModeAdmins}
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
// account is not in, as WhatsApp does.
func (c *conn) groupInfo(iq *waBinary.Node) {
	to, _ := iq.Attrs["to"].(types.JID)
	s := c.s
	s.mu.Lock()
	g, refused := s.memberGroupLocked(to, c.dev.phone.number, false)
	var info waBinary.Node
	if refused == nil {
		info = s.groupNodeLocked(g)
	}
	s.mu.Unlock()
	if refused != nil {
		c.refuse(iq, refused)
		return
	}
	c.replyFrom(iq, to, info)
}

// groupNodeLocked renders g as WhatsApp's group info answer: members by
// phone number with their LID alongside (whatsmeow learns the mapping
// from it), the creator as superadmin, then the description and the
// settings that are on. The caller holds s.mu.
func (s *Server) groupNodeLocked(g *group) waBinary.Node {
	participants := make([]waBinary.Node, 0, len(g.members)+4)
	for _, number := range g.members {
		attrs := waBinary.Attrs{"jid": types.NewJID(number, types.DefaultUserServer), "lid": s.phones[number].lid}
		if role := g.role(number); role != "" {
			attrs["type"] = role
		}
		participants = append(participants, waBinary.Node{Tag: "participant", Attrs: attrs})
	}
	if g.description != "" {
		participants = append(participants, waBinary.Node{Tag: "description", Attrs: waBinary.Attrs{
			"id": g.descriptionID, "participant": types.NewJID(g.descriptionBy, types.DefaultUserServer),
			"t": unixAttr(g.descriptionAt),
		}, Content: []waBinary.Node{{Tag: "body", Content: []byte(g.description)}}})
	}
	if g.announce {
		participants = append(participants, waBinary.Node{Tag: "announcement"})
	}
	if g.locked {
		participants = append(participants, waBinary.Node{Tag: "locked"})
	}
	participants = append(participants, waBinary.Node{Tag: "member_add_mode", Content: []byte(g.addMode)})
	creator := types.NewJID(g.creator, types.DefaultUserServer)
	return waBinary.Node{Tag: "group", Attrs: waBinary.Attrs{
		"id": g.jid.User, "subject": g.subject, "s_t": unixAttr(g.subjectAt),
		"s_o": types.NewJID(g.subjectBy, types.DefaultUserServer), "creator": creator,
		"creation": unixAttr(g.created), "size": strconv.Itoa(len(g.members)), "addressing_mode": "pn",
	}, Content: participants}
}

// role is number's rank in g as group info names it: "superadmin",
// "admin" or "" for a plain member.
func (g *group) role(number string) string {
	switch {
	case number == g.creator:
		return "superadmin"
	case g.admins[number]:
		return "admin"
	}
	return ""
}

// isAdmin reports whether number may do what only admins may.
func (g *group) isAdmin(number string) bool { return g.role(number) != "" }

// member reports whether number is in g.
func (g *group) member(number string) bool { return slices.Contains(g.members, number) }

// The member_add_mode values: who may add members.
const (
	addModeAdmins  = "admin_add"
	addModeMembers = "all_member_add"
)
