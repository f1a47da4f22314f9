package whatsapptest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/libsignal/ecc"
	"go.mau.fi/libsignal/keys/identity"
	"go.mau.fi/libsignal/keys/prekey"
	"go.mau.fi/libsignal/util/optional"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// defaultAckWait bounds Deliver when its context has no deadline.
const defaultAckWait = 5 * time.Second

// Inbound is a message someone writes to a linked number.
type Inbound struct {
	ID       string    // message id; generated when empty
	From     string    // the sender's phone number
	PushName string    // the sender's profile name
	Time     time.Time // server timestamp; now when zero
	Message  *waE2E.Message
}

// Deliver sends in to every connected device of to (or to the one device
// to names), Signal-encrypted by the sender's phone and addressed from its
// LID with its number alongside, as WhatsApp delivers messages today. It
// returns once each device confirmed it with a receipt, and
// ErrNotAcknowledged when one did not before ctx ended (5 s without a
// deadline). Messages for devices that are not connected are not queued:
// ErrNotConnected.
func (s *Server) Deliver(ctx context.Context, to types.JID, in Inbound) error {
	if in.Message == nil {
		return fmt.Errorf("deliver to %s: no message", to)
	}
	in = in.withDefaults()
	ctx, cancel := ackContext(ctx)
	defer cancel()
	plain, err := proto.Marshal(in.Message)
	if err != nil {
		return fmt.Errorf("deliver %s: %w", in.ID, err)
	}
	typ, mediaType := stanzaType(in.Message)
	var deliveries []delivery
	s.mu.Lock()
	sender, err := s.phoneLocked(in.From)
	for _, d := range s.devicesLocked(to) {
		if err != nil || d.conn == nil {
			continue
		}
		var encType string
		var ct []byte
		encType, ct, err = sender.signal.encrypt(ctx, d.jid.SignalAddress(), func() (*prekey.Bundle, error) {
			return deviceBundle(d)
		}, plain)
		deliveries = append(deliveries, delivery{d.conn, waBinary.Node{Tag: "message", Attrs: waBinary.Attrs{
			"id": in.ID, "from": sender.lid, "sender_pn": types.NewJID(sender.number, types.DefaultUserServer),
			"type": typ, "t": unixAttr(in.Time), "notify": in.PushName,
		}, Content: []waBinary.Node{{Tag: "enc", Attrs: waBinary.Attrs{
			"v": "2", "type": encType, "mediatype": mediaType,
		}, Content: ct}}}})
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("deliver %s: %w", in.ID, err)
	}
	return deliverAll(ctx, in.ID, to, deliveries)
}

// withDefaults fills an Inbound's id and time when the test left them out.
func (in Inbound) withDefaults() Inbound {
	if in.ID == "" {
		in.ID = newMessageID()
	}
	if in.Time.IsZero() {
		in.Time = time.Now()
	}
	return in
}

// ackContext bounds the wait for receipts: ctx's deadline, or 5 s.
func ackContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, defaultAckWait)
}

// delivery is one message node for one device's connection.
type delivery struct {
	c    *conn
	node waBinary.Node
}

// deliverAll sends each node and waits for every receipt.
func deliverAll(ctx context.Context, id string, to types.JID, deliveries []delivery) error {
	if len(deliveries) == 0 {
		return fmt.Errorf("deliver %s to %s: %w", id, to, ErrNotConnected)
	}
	for _, d := range deliveries {
		if err := d.c.deliver(ctx, id, d.node); err != nil {
			return fmt.Errorf("deliver %s: %w", id, err)
		}
	}
	return nil
}

// deliver sends a message node and waits for the client's receipt.
func (c *conn) deliver(ctx context.Context, id string, node waBinary.Node) error {
	r, err := c.sendAndWait(ctx, "receipt:"+id, node)
	if err != nil {
		return err
	}
	if r.Attrs["type"] == "retry" {
		return fmt.Errorf("%w: the client could not decrypt it", ErrNotAcknowledged)
	}
	return nil
}

// sendAndWait sends node and returns the client's answer that handle
// routes to key (a receipt of a message, an ack of a receipt):
// ErrNotAcknowledged when none comes before ctx ends or the connection
// closes.
func (c *conn) sendAndWait(ctx context.Context, key string, node waBinary.Node) (*waBinary.Node, error) {
	ch := make(chan *waBinary.Node, 1)
	c.waitMu.Lock()
	c.waiters[key] = ch
	c.waitMu.Unlock()
	defer func() {
		c.waitMu.Lock()
		delete(c.waiters, key)
		c.waitMu.Unlock()
	}()
	if err := c.send(node); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return nil, ErrNotAcknowledged
	case <-c.ctx.Done():
		return nil, fmt.Errorf("%w: connection closed", ErrNotAcknowledged)
	}
}

// handleReceipt resolves a Deliver waiting for it, keeps it if it is a
// read receipt, and acknowledges it.
func (c *conn) handleReceipt(node *waBinary.Node) {
	c.recordRead(node)
	id, _ := node.Attrs["id"].(string)
	c.resolve(&waBinary.Node{Tag: node.Tag, Attrs: waBinary.Attrs{"id": "receipt:" + id, "type": node.Attrs["type"]}})
	attrs := waBinary.Attrs{"class": "receipt", "id": id, "from": node.Attrs["to"]}
	if typ, ok := node.Attrs["type"].(string); ok {
		attrs["type"] = typ
	}
	if err := c.send(waBinary.Node{Tag: "ack", Attrs: attrs}); err != nil {
		c.s.log.Debug("receipt ack", "err", err)
	}
}

// deviceBundle is the prekey bundle of a companion from what it uploaded,
// using up one of its one-time prekeys when any is left.
func deviceBundle(d *device) (*prekey.Bundle, error) {
	sk := d.signedPreKey
	if sk.sig == nil {
		return nil, fmt.Errorf("device %s has no signed prekey", d.jid)
	}
	ident := identity.NewKey(ecc.NewDjbECPublicKey(d.identity))
	if len(d.preKeys) == 0 {
		return prekey.NewBundle(d.regID, uint32(d.jid.Device), optional.NewEmptyUint32(), sk.id,
			nil, ecc.NewDjbECPublicKey(sk.pub), *sk.sig, ident), nil
	}
	k := d.preKeys[0]
	d.preKeys = d.preKeys[1:]
	return prekey.NewBundle(d.regID, uint32(d.jid.Device), optional.NewOptionalUint32(k.id), sk.id,
		ecc.NewDjbECPublicKey(k.pub), ecc.NewDjbECPublicKey(sk.pub), *sk.sig, ident), nil
}

// stanzaType is the message stanza's type and the enc mediatype.
func stanzaType(m *waE2E.Message) (typ, mediaType string) {
	m = unwrap(m)
	switch {
	case m.GetImageMessage() != nil:
		return "media", "image"
	case m.GetVideoMessage() != nil:
		return "media", "video"
	case m.GetAudioMessage().GetPTT():
		return "media", "ptt"
	case m.GetAudioMessage() != nil:
		return "media", "audio"
	case m.GetDocumentMessage() != nil:
		return "media", "document"
	case m.GetStickerMessage() != nil:
		return "media", "sticker"
	}
	return "text", ""
}

// newMessageID makes an id in the form WhatsApp clients use.
func newMessageID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return "3EB0" + strings.ToUpper(hex.EncodeToString(b))
}
