package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// maxWAIDLen bounds the WhatsApp ids looked up: ours are 22 characters, so
// a longer one cannot name our message, and an oversized key would make
// the whole batch read fail (and WhatsApp resend the receipt forever).
const maxWAIDLen = 128

// RecordReceipt implements host.Store: one strongly consistent batch read
// of the WhatsApp id lookup items MarkSent put (scoped to inst by their
// key), then per message found a read and one transaction: the update,
// conditioned on the receipt times being as read, with the events decided
// on what was read. A refused condition (another receipt came between)
// is read and decided again, so each event goes out once. A time only
// moves earlier: a duplicate changes nothing. Every message is tried;
// their errors are joined.
func (s *Store) RecordReceipt(ctx context.Context, inst string, waIDs []string, status driver.ReceiptStatus, at time.Time,
	events func(before message.Message) []outbox.Event) (int, error) {
	if status != driver.Delivered && status != driver.Read {
		return 0, fmt.Errorf("receipt of %s: unknown status %q", inst, status)
	}
	keys := make([]item, 0, len(waIDs))
	seen := make(map[string]bool, len(waIDs))
	for _, id := range waIDs {
		if id != "" && len(id) <= maxWAIDLen && !seen[id] {
			seen[id] = true
			keys = append(keys, waKey(inst, id))
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	found, err := s.batchGet(ctx, keys)
	if err != nil {
		return 0, fmt.Errorf("look up receipt ids of %s: %w", inst, err)
	}
	changed := 0
	var errs []error
	for _, it := range found {
		id := getStr(it, attrMessageID)
		ok, err := s.receipt(ctx, id, status == driver.Read, at, events)
		if err != nil {
			errs = append(errs, fmt.Errorf("record %s receipt of message %s: %w", status, id, err))
		} else if ok {
			changed++
		}
	}
	return changed, errors.Join(errs...)
}

// receiptAttempts bounds the re-reads of one message whose receipt times
// keep changing under a receipt: each refusal means another receipt was
// recorded, so a few always suffice.
const receiptAttempts = 4

// receipt applies one receipt to message id; false if it changes nothing.
func (s *Store) receipt(ctx context.Context, id string, read bool, at time.Time, events func(message.Message) []outbox.Event) (bool, error) {
	for range receiptAttempts {
		m, err := s.GetMessage(ctx, id)
		if errors.Is(err, fault.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if m.Status != message.Sent {
			return false, nil // a lookup put before a send that was not recorded (MarkSent)
		}
		u := newUpdate()
		var conds []string
		moveEarlier := func(attr string, was time.Time) bool {
			if !was.IsZero() && !was.After(at) {
				return false
			}
			u.set(attr, ms(at))
			if was.IsZero() {
				conds = append(conds, "attribute_not_exists(#"+attr+")")
			} else {
				u.when(item{":was" + attr: ms(was)})
				conds = append(conds, "#"+attr+" = :was"+attr)
			}
			return true
		}
		if read {
			if !moveEarlier(attrReadAt, m.ReadAt) {
				return false, nil
			}
			if m.DeliveredAt.IsZero() {
				moveEarlier(attrDeliveredAt, m.DeliveredAt)
			}
		} else if !moveEarlier(attrDeliveredAt, m.DeliveredAt) {
			return false, nil
		}
		items := []types.TransactWriteItem{s.upd(u, messageKey(id), exists+" AND "+strings.Join(conds, " AND "))}
		if events != nil {
			for _, ev := range events(m) {
				items = append(items, s.put(s.eventItem(ev), notExists, nil))
			}
		}
		err = s.write(ctx, items...)
		var c *canceled
		switch {
		case err == nil:
			return true, nil
		case errors.As(err, &c) && c.failed(0):
			continue // changed meanwhile: read and decide again
		default:
			return false, err
		}
	}
	return false, fmt.Errorf("receipt times of message %s kept changing", id)
}

// SentByWAID implements host.Store: the lookup item MarkSent put, then
// the message, if it is sent (see MarkSent).
func (s *Store) SentByWAID(ctx context.Context, inst, waID string) (message.Message, error) {
	if waID == "" || len(waID) > maxWAIDLen {
		return message.Message{}, fmt.Errorf("message %s of %s: %w", waID, inst, fault.ErrNotFound)
	}
	it, ok, err := s.get(ctx, waKey(inst, waID))
	if err != nil {
		return message.Message{}, fmt.Errorf("look up message %s of %s: %w", waID, inst, err)
	}
	if !ok {
		return message.Message{}, fmt.Errorf("message %s of %s: %w", waID, inst, fault.ErrNotFound)
	}
	m, err := s.GetMessage(ctx, getStr(it, attrMessageID))
	if err == nil && m.Status != message.Sent {
		return message.Message{}, fmt.Errorf("message %s of %s is %s: %w", waID, inst, m.Status, fault.ErrNotFound)
	}
	return m, err
}
