package sandbox

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/phone"
)

// MarkRead records the receipt, stamped with the network's time as sends
// are, for GET /sandbox/{name}/read. The sandbox keeps no log of what it
// delivered to the instance, so it checks only the receipt's shape; which
// ids the instance may mark is the host's to say. A closed instance is
// ErrNotConnected, as for Send.
func (n *Network) MarkRead(ctx context.Context, instance string, r driver.ReadReceipt) error {
	if err := n.fenceOK(ctx, instance, "MarkRead"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkReceipt(r); err != nil {
		return fmt.Errorf("sandbox: read receipt of %s: %w", instance, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.conns[instance]
	if c == nil || c.state != open {
		return fmt.Errorf("sandbox: read receipt of %s: %w", instance, driver.ErrNotConnected)
	}
	r.WAMessageIDs = slices.Clone(r.WAMessageIDs) // the caller's slice is not ours to keep
	r.At = n.clk.Now()
	c.reads = append(c.reads, r)
	return nil
}

// checkReceipt refuses what WhatsApp could not route: a receipt without
// ids, for no chat, or (in a group) without the participant who wrote.
func checkReceipt(r driver.ReadReceipt) error {
	switch {
	case len(r.WAMessageIDs) == 0 || slices.Contains(r.WAMessageIDs, ""):
		return errors.New("no message ids, or an empty one")
	case !chat.Valid(r.Chat):
		return fmt.Errorf("chat %q is neither a number nor a group id", r.Chat)
	case chat.IsGroup(r.Chat) && !phone.Valid(r.Sender):
		return fmt.Errorf("group receipt without the writer's number (%q)", r.Sender)
	}
	return nil
}

// Reads returns the read receipts instance sent, oldest first.
func (n *Network) Reads(instance string) []driver.ReadReceipt {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []driver.ReadReceipt{}
	if c := n.conns[instance]; c != nil {
		for _, r := range c.reads {
			r.WAMessageIDs = slices.Clone(r.WAMessageIDs)
			out = append(out, r)
		}
	}
	return out
}
