package whatsapptest

import (
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// ReadReceipt is a read receipt a device sent for messages it received:
// blue ticks on the writer's phone.
type ReadReceipt struct {
	From types.JID // the sending device
	To   types.JID // the chat as addressed: a user (LID or number) or a group
	// Phone is the direct chat's phone number ("" in a group, or if the
	// user is unknown).
	Phone string
	// Participant is who wrote the messages in a group (empty in a direct
	// chat, where the chat is the writer).
	Participant types.JID
	// Type is "read", or "read-self" from an account that hides its read
	// receipts (whatsmeow downgrades them itself).
	Type string
	IDs  []string  // the id attribute, then the list's items, in order
	At   time.Time // the t attribute: when the messages were read
}

// ReadReceipts lists the read receipts the device jid (or, without a
// device part, every device of the user) sent, oldest first.
func (s *Server) ReadReceipts(jid types.JID) []ReadReceipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ReadReceipt
	for _, d := range s.devicesLocked(jid) {
		out = append(out, d.reads...)
	}
	return out
}

// recordRead keeps a read receipt the client sent; delivery receipts and
// the rest are only acknowledged (handleReceipt).
func (c *conn) recordRead(node *waBinary.Node) {
	ag := node.AttrGetter()
	typ := ag.OptionalString("type")
	if typ != string(types.ReceiptTypeRead) && typ != string(types.ReceiptTypeReadSelf) {
		return
	}
	r := ReadReceipt{To: ag.OptionalJIDOrEmpty("to"), Participant: ag.OptionalJIDOrEmpty("participant"), Type: typ,
		IDs: []string{ag.OptionalString("id")}, At: ag.OptionalUnixTime("t").UTC()}
	if list, ok := node.GetOptionalChildByTag("list"); ok {
		for _, item := range list.GetChildren() {
			id, _ := item.Attrs["id"].(string)
			r.IDs = append(r.IDs, id)
		}
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.dev == nil {
		return
	}
	r.From = c.dev.jid
	if r.To.Server != types.GroupServer {
		if p := s.userLocked(r.To); p != nil {
			r.Phone = p.number
		}
	}
	c.dev.reads = append(c.dev.reads, r)
}

// privacySettings answers the client's privacy settings query: everything
// visible to everyone, read receipts included, which is what whatsmeow
// asks before it sends one (an account hiding them sends read-self).
func (c *conn) privacySettings(iq *waBinary.Node) {
	var cats []waBinary.Node
	for _, name := range []types.PrivacySettingType{types.PrivacySettingTypeReadReceipts, types.PrivacySettingTypeLastSeen,
		types.PrivacySettingTypeOnline, types.PrivacySettingTypeProfile, types.PrivacySettingTypeStatus} {
		cats = append(cats, waBinary.Node{Tag: "category", Attrs: waBinary.Attrs{"name": string(name), "value": string(types.PrivacySettingAll)}})
	}
	c.reply(iq, waBinary.Node{Tag: "privacy", Content: cats})
}
