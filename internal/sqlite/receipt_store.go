package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// Receipts move a sent message's delivery and read times, found by the
// WhatsApp id MarkSent recorded. Each update changes a row only when it
// makes the time earlier (or sets it), so duplicates are no-ops and the
// count reports real changes. A read also fills a missing delivery time:
// a message read was delivered.
const (
	deliveredUpdate = `UPDATE messages SET delivered_at = ?
		WHERE id = ? AND (delivered_at IS NULL OR delivered_at > ?)`
	readUpdate = `UPDATE messages SET read_at = ?, delivered_at = COALESCE(delivered_at, ?)
		WHERE id = ? AND (read_at IS NULL OR read_at > ?)`
)

// RecordReceipt implements host.Store: one statement per id (receipts
// name a handful), all in one write, each preceded by a read of the
// message as it was, for events to decide on.
func (s *Store) RecordReceipt(ctx context.Context, instance string, waIDs []string, status driver.ReceiptStatus, at time.Time,
	events func(before message.Message) []outbox.Event) (int, error) {
	if status != driver.Delivered && status != driver.Read {
		return 0, fmt.Errorf("receipt of %s: unknown status %q", instance, status)
	}
	t := ms(at)
	var changed int
	err := s.db.Write(ctx, func(tx *Tx) error {
		changed = 0 // the write may run again
		for _, id := range waIDs {
			before, found, err := receiptTarget(tx, instance, id)
			if err != nil {
				return err
			}
			if !found {
				continue // another instance's, or not ours at all
			}
			var n int64
			if status == driver.Read {
				n, err = rowsChanged(tx.Exec(readUpdate, t, t, before.ID, t))
			} else {
				n, err = rowsChanged(tx.Exec(deliveredUpdate, t, before.ID, t))
			}
			if err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			changed++
			if events == nil {
				continue
			}
			for _, ev := range events(before) {
				if err := insertEvent(tx, &ev); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("record %s receipt of %s: %w", status, instance, err)
	}
	return changed, nil
}

// receiptTarget reads what receipt events need of the message instance
// sent with WhatsApp id waID; found is false for an unknown id.
func receiptTarget(tx *Tx, instance, waID string) (m message.Message, found bool, err error) {
	var delivered, read sql.NullInt64
	err = tx.QueryRow(`SELECT id, tenant_id, instance_name, to_number, type, delivered_at, read_at
		FROM messages WHERE instance_name = ? AND wa_id = ?`, instance, waID).
		Scan(&m.ID, &m.Tenant, &m.Instance, &m.To, &m.Type, &delivered, &read)
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	m.DeliveredAt, m.ReadAt = fromMS(delivered), fromMS(read)
	return m, true, nil
}

func rowsChanged(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SentByWAID implements host.Store.
func (s *Store) SentByWAID(ctx context.Context, instance, waID string) (message.Message, error) {
	var id string
	err := s.db.queryRow(ctx, `SELECT id FROM messages WHERE instance_name = ? AND wa_id = ?`, instance, waID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return message.Message{}, fmt.Errorf("message %s of %s: %w", waID, instance, fault.ErrNotFound)
	}
	if err != nil {
		return message.Message{}, fmt.Errorf("look up message %s of %s: %w", waID, instance, err)
	}
	return s.GetMessage(ctx, id)
}
