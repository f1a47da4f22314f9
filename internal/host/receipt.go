package host

import (
	"fmt"
	"time"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// receiptTimeout bounds how long a receipt waits for the store: the
// driver's event goroutine waits on it, and an unacknowledged receipt
// simply comes again.
const receiptTimeout = 10 * time.Second

// Receipt implements driver.ReceiptEvents: the delivery or read time is
// recorded on the messages inst sent with those WhatsApp ids (ids of
// other instances' messages, or unknown ones, are ignored), with
// message.delivered and message.read the first time each is set. A store error
// is returned, so the driver leaves the receipt unacknowledged and
// WhatsApp sends it again; recording is idempotent, so duplicates are
// harmless. Status stays sent: deliveredAt and readAt are added to it.
func (h *Host) Receipt(inst string, r driver.Receipt) error {
	if r.Status != driver.Delivered && r.Status != driver.Read {
		h.log.Warn("receipt of unknown status ignored", "instance", inst, "status", string(r.Status))
		return nil
	}
	if len(r.WAMessageIDs) == 0 {
		return nil
	}
	at := r.At
	if at.IsZero() {
		at = h.cfg.Clock.Now()
	}
	ctx, cancel := h.own.callContext(receiptTimeout)
	defer cancel()
	ctx, herr := h.holding(ctx, inst)
	if herr != nil {
		return herr
	}
	n, err := h.cfg.Store.RecordReceipt(ctx, inst, r.WAMessageIDs, r.Status, at, func(before message.Message) []outbox.Event {
		return h.receiptEvents(inst, before, r.Status == driver.Read, at)
	})
	if err != nil {
		return fmt.Errorf("record %s receipt of %d messages: %w", r.Status, len(r.WAMessageIDs), err)
	}
	h.log.Debug("receipt recorded", "instance", inst, "status", string(r.Status), "ids", len(r.WAMessageIDs), "changed", n)
	if n > 0 {
		h.notify()
	}
	return nil
}

// receiptEvents are the events of a receipt on message before, as
// message.FirstReceipts decides them.
func (h *Host) receiptEvents(inst string, before message.Message, read bool, at time.Time) []outbox.Event {
	delivered, readFirst := before.FirstReceipts(read)
	var out []outbox.Event
	if delivered {
		if ev := h.event(inst, events.MessageDelivered, events.Delivered{ID: before.ID, To: before.To,
			DeliveredAt: events.FormatTime(at)}); ev != nil {
			out = append(out, *ev)
		}
	}
	if readFirst {
		if ev := h.event(inst, events.MessageRead, events.Read{ID: before.ID, To: before.To,
			ReadAt: events.FormatTime(at)}); ev != nil {
			out = append(out, *ev)
		}
	}
	return out
}
