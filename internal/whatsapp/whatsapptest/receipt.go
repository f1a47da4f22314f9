package whatsapptest

import (
	"context"
	"fmt"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// SendReceipt has the phone from tell every connected device of to (or
// the one device to names) that it received the messages ids, which the
// account sent to it, or with read that it read them: the grey and blue
// ticks. The receipt comes from the phone's LID with its number
// alongside, as Deliver's messages do, with the first id as its id and
// the rest listed. It returns once each device acknowledged it,
// ErrNotAcknowledged when one did not before ctx ended (5 s without a
// deadline) or refused it, and ErrNotConnected when no device is
// connected.
func (s *Server) SendReceipt(ctx context.Context, to types.JID, from string, ids []string, read bool) error {
	if len(ids) == 0 {
		return fmt.Errorf("receipt to %s: no message ids", to)
	}
	ctx, cancel := ackContext(ctx)
	defer cancel()
	var typ string
	if read {
		typ = string(types.ReceiptTypeRead)
	}
	s.mu.Lock()
	sender, err := s.phoneLocked(from)
	var conns []*conn
	if err == nil {
		for _, d := range s.devicesLocked(to) {
			if d.conn != nil {
				conns = append(conns, d.conn)
			}
		}
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("receipt %s: %w", ids[0], err)
	}
	if len(conns) == 0 {
		return fmt.Errorf("receipt %s to %s: %w", ids[0], to, ErrNotConnected)
	}
	node := receiptNode(sender, ids, typ, time.Now())
	for _, c := range conns {
		if err := c.sendReceipt(ctx, node); err != nil {
			return fmt.Errorf("receipt %s: %w", ids[0], err)
		}
	}
	return nil
}

// receiptNode is the receipt stanza WhatsApp sends for ids: no type for
// delivered, "read" for read.
func receiptNode(sender *phone, ids []string, typ string, at time.Time) waBinary.Node {
	attrs := waBinary.Attrs{
		"id": ids[0], "from": sender.lid, "sender_pn": types.NewJID(sender.number, types.DefaultUserServer),
		"t": unixAttr(at),
	}
	if typ != "" {
		attrs["type"] = typ
	}
	node := waBinary.Node{Tag: "receipt", Attrs: attrs}
	if len(ids) > 1 {
		items := make([]waBinary.Node, 0, len(ids)-1)
		for _, id := range ids[1:] {
			items = append(items, waBinary.Node{Tag: "item", Attrs: waBinary.Attrs{"id": id}})
		}
		node.Content = []waBinary.Node{{Tag: "list", Content: items}}
	}
	return node
}

// receiptAckKey is the waiter key of the client's ack of a receipt.
func receiptAckKey(id, typ string) string { return "ack:receipt:" + id + ":" + typ }

// sendReceipt sends a receipt node and waits for the client's ack of it.
func (c *conn) sendReceipt(ctx context.Context, node waBinary.Node) error {
	id, _ := node.Attrs["id"].(string)
	typ, _ := node.Attrs["type"].(string)
	ack, err := c.sendAndWait(ctx, receiptAckKey(id, typ), node)
	if err != nil {
		return err
	}
	if code, ok := ack.Attrs["error"]; ok {
		return fmt.Errorf("%w: the client refused it (error %v)", ErrNotAcknowledged, code)
	}
	return nil
}

// handleAck resolves a SendReceipt waiting for the client's ack of its
// receipt. Acks of other classes (messages, notifications) need nothing.
func (c *conn) handleAck(node *waBinary.Node) {
	ag := node.AttrGetter()
	if ag.OptionalString("class") != "receipt" {
		return
	}
	attrs := waBinary.Attrs{"id": receiptAckKey(ag.OptionalString("id"), ag.OptionalString("type"))}
	if code, ok := node.Attrs["error"]; ok {
		attrs["error"] = code
	}
	c.resolve(&waBinary.Node{Tag: node.Tag, Attrs: attrs})
}
