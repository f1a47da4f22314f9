package whatsapptest

import (
	"context"
	"fmt"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// Sent is a message a device sent, as the server received it.
type Sent struct {
	ID        string    // the message id the client chose
	From      types.JID // the sending device
	To        types.JID // the chat as addressed on the wire (whatsmeow sends to LIDs; a group's JID)
	Phone     string    // the recipient's phone number; "" for a group
	Type      string    // the stanza type: "text", "media", "reaction", ...
	MediaType string    // the enc mediatype: "image", "video", "ptt", "document", ...
	// Message is the content decrypted with the recipient phone's keys;
	// nil when it could not be decrypted (see Err).
	Message *waE2E.Message
	// Media is the decrypted attachment, when the message carries one that
	// was uploaded to this server.
	Media []byte
	// Err says why Message or Media is missing.
	Err error
	// Group messages only (groupmsg.go): the devices the message carried
	// the sender's sender key to, each decrypted and kept by its phone,
	// and the id of the sender key the message is encrypted with.
	SenderKeyTo []types.JID
	SenderKeyID uint32
}

// Sent lists the messages the device jid (or, without a device part,
// every device of the user) sent, oldest first.
func (s *Server) Sent(jid types.JID) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, d := range s.devicesLocked(jid) {
		out = append(out, d.sent...)
	}
	return out
}

// handleMessage records a message from the client, decrypts the copy for
// the recipient's phone (for a group: the copy every member's phone
// reads) and acknowledges it, as the server does once it has taken a
// message over.
func (c *conn) handleMessage(node *waBinary.Node) {
	ag := node.AttrGetter()
	if ag.OptionalString("category") == "peer" {
		c.ackMessage(ag.OptionalString("id"), types.EmptyJID) // to its own devices, not a chat message
		return
	}
	msg := Sent{ID: ag.OptionalString("id"), To: ag.OptionalJIDOrEmpty("to"), Type: ag.OptionalString("type")}
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	s := c.s
	s.mu.Lock()
	dev := c.dev
	if dev == nil {
		s.mu.Unlock()
		return
	}
	msg.From = dev.jid
	if pn, ok := node.Attrs["peer_recipient_pn"].(types.JID); ok {
		msg.Phone = pn.User
	} else if p := s.userLocked(msg.To); p != nil {
		msg.Phone = p.number
	}
	var plain []byte
	if msg.To.Server == types.GroupServer {
		plain, msg.Err = s.openGroupLocked(ctx, node, dev, &msg)
	} else if enc, ok := recipientEnc(node, msg.To); !ok {
		msg.Err = fmt.Errorf("no copy encrypted for %s", msg.To)
	} else if p := s.userLocked(msg.To); p == nil {
		msg.Err = fmt.Errorf("recipient %s unknown", msg.To)
	} else {
		msg.MediaType, _ = enc.Attrs["mediatype"].(string)
		encType, _ := enc.Attrs["type"].(string)
		data, _ := enc.Content.([]byte)
		plain, msg.Err = p.signal.decrypt(ctx, dev.jid.SignalAddress(), encType, data)
	}
	s.mu.Unlock()

	if msg.Err == nil {
		msg.Message = &waE2E.Message{}
		if err := proto.Unmarshal(plain, msg.Message); err != nil {
			msg.Message, msg.Err = nil, fmt.Errorf("unmarshal message: %w", err)
		} else {
			msg.Media, msg.Err = s.attachment(msg.Message)
		}
	}
	s.mu.Lock()
	dev.sent = append(dev.sent, msg)
	s.mu.Unlock()
	c.ackMessage(msg.ID, msg.To)
}

// ackMessage confirms the server took a message over; SendMessage
// returns on it.
func (c *conn) ackMessage(id string, chat types.JID) {
	attrs := waBinary.Attrs{"class": "message", "id": id, "t": unixAttr(time.Now())}
	if !chat.IsEmpty() {
		attrs["from"] = chat
	}
	if err := c.send(waBinary.Node{Tag: "ack", Attrs: attrs}); err != nil {
		c.s.log.Debug("message ack", "err", err)
	}
}

// recipientEnc finds the enc node addressed to the recipient's phone
// (device 0 of to) among the participants.
func recipientEnc(node *waBinary.Node, to types.JID) (waBinary.Node, bool) {
	participants := node.GetChildByTag("participants")
	for _, p := range participants.GetChildren() {
		jid, ok := p.Attrs["jid"].(types.JID)
		if p.Tag == "to" && ok && jid.User == to.User && jid.Server == to.Server && jid.Device == 0 {
			return p.GetOptionalChildByTag("enc")
		}
	}
	return waBinary.Node{}, false
}
