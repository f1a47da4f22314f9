package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
)

// notReceived is the issue of a messageIds entry that names no message the
// instance received and still keeps: WhatsApp routes a read receipt by
// the message's chat and writer, which only the kept message tells.
const notReceived = "Not a message this instance received, or past its retention"

// errNotOpenForRead: read receipts go out over the instance's connection
// at once; unlike a send there is no queue for them to wait in.
var errNotOpenForRead = fault.New(fault.ErrConflict,
	"Instance is not open: read receipts need its connection to WhatsApp (see GET /instance/{name}/status)")

// MarkRead sends read receipts (blue ticks) for messages the instance
// received, named by their WhatsApp ids. Every id must name a message kept
// for the instance (a 400 lists each one that does not, by its index);
// a repeated id is marked once. The ids go out in one receipt per chat
// and writer, in the order they first appear. Receipts are idempotent on
// WhatsApp, so a failure part way, after some went out, is answered as a
// failure and the client sends the same list again.
func (h *Host) MarkRead(ctx context.Context, name string, waIDs []string) error {
	if len(waIDs) == 0 {
		return fault.Invalid("Must have at least 1 item", "messageIds")
	}
	now := h.cfg.Clock.Now()
	type key struct{ chat, sender string }
	var (
		order  []key
		groups = map[key][]string{}
		seen   = map[string]bool{}
		issues fault.Issues
	)
	for i, id := range waIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		r, err := h.cfg.Store.GetReceived(ctx, name, id, now)
		if errors.Is(err, fault.ErrNotFound) {
			issues.Add(notReceived, "messageIds", i)
			continue
		}
		if err != nil {
			return fmt.Errorf("read receipt: get received message %s of %s: %w", id, name, err)
		}
		k := key{chat: r.Chat, sender: r.From}
		if k.chat == "" { // kept before messages had their chat: a direct one
			k.chat = r.From
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], id)
	}
	if err := issues.Err(); err != nil {
		return err
	}
	for _, k := range order {
		err := h.cfg.Driver.MarkRead(ctx, name, driver.ReadReceipt{Chat: k.chat, Sender: k.sender, WAMessageIDs: groups[k], At: now})
		if errors.Is(err, driver.ErrNotConnected) {
			return errNotOpenForRead
		}
		if err != nil {
			return h.sessionError(name, "send read receipts", err)
		}
	}
	h.log.Debug("read receipts sent", "instance", name, "messages", len(seen), "receipts", len(order))
	return nil
}
