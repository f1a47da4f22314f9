package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/phone"
)

// WhatsApp's limits on a group's info, in characters.
const (
	maxSubject     = 100
	maxDescription = 2048
)

// inviteAlphabet and inviteLength make invite codes like WhatsApp's.
const (
	inviteAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	inviteLength   = 22
	invitePrefix   = "https://chat.whatsapp.com/"
)

// group is one group as an instance's world knows it. Groups live per
// instance, as everything else in the sandbox does: the far side plays
// every other phone, so no second instance needs to see them.
type group struct {
	id          string
	subject     string
	description string
	owner       string
	createdAt   time.Time
	announce    bool
	locked      bool
	members     []driver.Participant // in the order they joined
	invite      string               // the current invite code; "" until someone asks
}

// onWhatsApp reports whether the sandbox has number on WhatsApp.
func onWhatsApp(number string) bool {
	return phone.Valid(number) && !strings.HasPrefix(number, unreachablePrefix)
}

// view is the group as driver.Group, sharing nothing with g.
func (g *group) view() driver.Group {
	return driver.Group{ID: g.id, Subject: g.subject, Description: g.description, Owner: g.owner,
		CreatedAt: g.createdAt, Announce: g.announce, Locked: g.locked, Participants: slices.Clone(g.members)}
}

// state is the group's info as GroupUpdated reports it.
func (g *group) state(at time.Time) driver.GroupUpdate {
	return driver.GroupUpdate{Group: g.id, Subject: g.subject, Description: g.description, Announce: g.announce,
		Locked: g.locked, At: at}
}

func (g *group) index(number string) int {
	return slices.IndexFunc(g.members, func(p driver.Participant) bool { return p.Phone == number })
}

// role is number's rank, and whether it is a member at all.
func (g *group) role(number string) (driver.Role, bool) {
	if i := g.index(number); i >= 0 {
		return g.members[i].Role, true
	}
	return driver.Member, false
}

func (g *group) has(number string) bool { _, ok := g.role(number); return ok }

func (g *group) admin(number string) bool {
	r, ok := g.role(number)
	return ok && r != driver.Member
}

// groups is the instance's world of groups, made on first use. Call with
// mu held.
func (c *conn) groupMap() map[string]*group {
	if c.groups == nil {
		c.groups = map[string]*group{}
	}
	return c.groups
}

// lookup returns the group id names in the instance's world. API.md:
// "every well-formed group id is a group the instance is in, except
// groups it left or was removed from, and groups created without it", so
// an id never seen is made on the spot, with the instance as an admin
// (sends, updates and participant changes then work as a newcomer
// expects), its id as the subject (the sandbox cannot know a name) and no
// owner (WhatsApp says none for groups whose creator left). creator, when
// not "", joins such a group as its owner and superadmin: a far-side
// member acting on a group the instance only named. Call with mu held.
func (n *Network) lookup(c *conn, id, creator string) (*group, error) {
	if !chat.IsGroup(id) {
		return nil, fmt.Errorf("%q is not a group id: %w", id, driver.ErrNoGroup)
	}
	if g := c.groupMap()[id]; g != nil {
		return g, nil
	}
	if c.phone == "" {
		return nil, fmt.Errorf("%s: the instance was never linked: %w", id, driver.ErrNoGroup)
	}
	g := &group{id: id, subject: id, createdAt: n.clk.Now().Truncate(time.Second)}
	if creator != "" && creator != c.phone {
		g.owner = creator
		g.members = append(g.members, driver.Participant{Phone: creator, Role: driver.SuperAdmin})
	}
	g.members = append(g.members, driver.Participant{Phone: c.phone, Role: driver.Admin})
	c.groups[id] = g
	return g, nil
}

// memberGroup is lookup for the instance's own operations: a group it is
// not in is ErrNoGroup. Call with mu held.
func (n *Network) memberGroup(c *conn, id string) (*group, error) {
	g, err := n.lookup(c, id, "")
	if err != nil {
		return nil, err
	}
	if !g.has(c.phone) {
		return nil, driver.ErrNoGroup
	}
	return g, nil
}

// newGroupID makes an id like WhatsApp's current ones ("120363" and 12
// more digits), unused in c's world. Call with mu held.
func (n *Network) newGroupID(c *conn) string {
	for {
		id := fmt.Sprintf("120363%012d%s", n.rnd.Uint64N(1e12), chat.GroupSuffix)
		if c.groupMap()[id] == nil {
			return id
		}
	}
}

// newGroup makes a group of creator's with members: the numbers on
// WhatsApp, each once, the creator aside. Call with mu held.
func (n *Network) newGroup(c *conn, creator, subject string, members []string) (*group, error) {
	if reason := subjectRefusal(subject); reason != "" {
		return nil, &driver.RefusedError{Reason: reason}
	}
	g := &group{id: n.newGroupID(c), subject: subject, owner: creator, createdAt: n.clk.Now().Truncate(time.Second),
		members: []driver.Participant{{Phone: creator, Role: driver.SuperAdmin}}}
	for _, m := range members {
		if onWhatsApp(m) && !g.has(m) {
			g.members = append(g.members, driver.Participant{Phone: m})
		}
	}
	c.groupMap()[g.id] = g
	return g, nil
}

func subjectRefusal(s string) string {
	if s == "" || utf8.RuneCountInString(s) > maxSubject {
		return fmt.Sprintf("the subject must have 1 to %d characters", maxSubject)
	}
	return ""
}

// newInvite gives g a fresh invite code, revoking the one it had. Call
// with mu held.
func (n *Network) newInvite(g *group) {
	b := make([]byte, inviteLength)
	for i := range b {
		b[i] = inviteAlphabet[n.rnd.IntN(len(inviteAlphabet))]
	}
	g.invite = string(b)
}

// inviteLink is g's current link, issuing one on first use. Call with mu
// held.
func (n *Network) inviteLink(g *group) string {
	if g.invite == "" {
		n.newInvite(g)
	}
	return invitePrefix + g.invite
}

// byInvite finds the group whose current link is link. Call with mu held.
func (c *conn) byInvite(link string) (*group, bool) {
	code, ok := strings.CutPrefix(link, invitePrefix)
	if !ok || code == "" {
		return nil, false
	}
	for _, g := range c.groups {
		if g.invite == code {
			return g, true
		}
	}
	return nil, false
}

// sendRefusal says why the instance may not write to the group id, ""
// when it may: it is not in it, or only admins send there. A group never
// seen is one it is in (lookup). Call with mu held.
func (c *conn) sendRefusal(id string) string {
	g := c.groups[id]
	switch {
	case g == nil:
		return ""
	case !g.has(c.phone):
		return notMember
	case g.announce && !g.admin(c.phone):
		return "only admins can send messages to this group"
	}
	return ""
}
