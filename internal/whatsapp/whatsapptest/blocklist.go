package whatsapptest

import (
	"slices"
	"strings"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// Blocked lists the numbers the account of number blocked, in the order
// it blocked them.
func (s *Server) Blocked(number string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.blocked[number])
}

// blocklist answers the blocklist queries: get lists the account's
// blocked users, set blocks or unblocks one (whatsmeow's UpdateBlocklist
// names the user by LID, its number alongside when blocking) and answers
// the list as it is then. 404 item-not-found for a user the server does
// not know.
func (c *conn) blocklist(iq *waBinary.Node) {
	self := c.device().phone.number
	s := c.s
	s.mu.Lock()
	var refused *Refusal
	if iq.Attrs["type"] == "set" {
		refused = s.updateBlocklistLocked(self, iq.GetChildByTag("item"))
	}
	list := s.blocklistNodeLocked(self)
	s.mu.Unlock()
	if refused != nil {
		c.refuse(iq, refused)
		return
	}
	c.reply(iq, list)
}

func (s *Server) updateBlocklistLocked(self string, item waBinary.Node) *Refusal {
	ag := item.AttrGetter()
	user := ag.OptionalJIDOrEmpty("pn_jid")
	if user.IsEmpty() {
		user = ag.OptionalJIDOrEmpty("jid")
	}
	number := s.phoneOfLocked(user)
	if number == "" || s.userLocked(pnJID(number)) == nil {
		return refusedNotFound
	}
	action := ag.OptionalString("action")
	if action != "block" && action != "unblock" {
		return refusedBadRequest
	}
	list := slices.DeleteFunc(slices.Clone(s.blocked[self]), func(n string) bool { return n == number })
	if action == "block" {
		list = append(list, number)
	}
	s.blocked[self] = list
	return nil
}

// blocklistNodeLocked renders the account's blocklist as WhatsApp answers
// it: items by LID, and a hash of the list. The caller holds s.mu.
func (s *Server) blocklistNodeLocked(self string) waBinary.Node {
	items := make([]waBinary.Node, 0, len(s.blocked[self]))
	for _, number := range s.blocked[self] {
		items = append(items, waBinary.Node{Tag: "item", Attrs: waBinary.Attrs{
			"jid": types.NewJID(lidUser(number), types.HiddenUserServer),
		}})
	}
	return waBinary.Node{Tag: "list", Attrs: waBinary.Attrs{"dhash": pictureID(strings.Join(s.blocked[self], ","))},
		Content: items}
}
