package whatsapptest

import (
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// ChatState is a chatstate node a device sent: "typing…" or "recording
// audio…" (composing, with media audio for the latter) or paused.
type ChatState struct {
	From  types.JID // the sending device
	To    types.JID // the chat as addressed
	Phone string    // the chat's phone number ("" if unknown)
	State string    // the child's tag: "composing" or "paused"
	Media string    // composing's media attribute: "audio" for recording
	// Shown: the connection had announced itself available (a presence
	// node of type available, with the account's name) before, without
	// which WhatsApp shows the chat nothing.
	Shown bool
	At    time.Time
}

// ChatStates lists the chatstates the device jid (or, without a device
// part, every device of the user) sent, oldest first.
func (s *Server) ChatStates(jid types.JID) []ChatState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ChatState
	for _, d := range s.devicesLocked(jid) {
		out = append(out, d.chatStates...)
	}
	return out
}

// handlePresence takes a presence node (available or unavailable, for the
// whole connection) or a chatstate node (for one chat) from the client.
// Neither is answered.
func (c *conn) handlePresence(node *waBinary.Node) {
	ag := node.AttrGetter()
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.dev == nil {
		return
	}
	if node.Tag == "presence" {
		typ, name := ag.OptionalString("type"), ag.OptionalString("name")
		if typ == string(types.PresenceAvailable) && name == "" {
			s.log.Warn("presence available without the account's name", "device", c.dev.jid)
		}
		c.available = typ == string(types.PresenceAvailable) && name != ""
		return
	}
	kids := node.GetChildren()
	if len(kids) != 1 {
		s.log.Warn("chatstate without exactly one state", "device", c.dev.jid)
		return
	}
	st := ChatState{From: c.dev.jid, To: ag.OptionalJIDOrEmpty("to"), State: kids[0].Tag, Shown: c.available, At: time.Now()}
	st.Media, _ = kids[0].Attrs["media"].(string)
	if p := s.userLocked(st.To); p != nil {
		st.Phone = p.number
	}
	c.dev.chatStates = append(c.dev.chatStates, st)
}
