package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
)

// Receipts move a sent message's delivery and read times, found by the
// WhatsApp id MarkSent recorded. Each update changes a row only when it
// makes the time earlier (or sets it), so duplicates are no-ops and the
// count reports real changes. A read also fills a missing delivery time:
// a message read was delivered.
const (
	deliveredUpdate = `UPDATE messages SET delivered_at = ?
		WHERE instance_name = ? AND wa_id = ? AND (delivered_at IS NULL OR delivered_at > ?)`
	readUpdate = `UPDATE messages SET read_at = ?, delivered_at = COALESCE(delivered_at, ?)
		WHERE instance_name = ? AND wa_id = ? AND (read_at IS NULL OR read_at > ?)`
)

// RecordReceipt implements host.Store: one statement per id (receipts
// name a handful), all in one write.
func (s *Store) RecordReceipt(ctx context.Context, instance string, waIDs []string, status driver.ReceiptStatus, at time.Time) (int, error) {
	if status != driver.Delivered && status != driver.Read {
		return 0, fmt.Errorf("receipt of %s: unknown status %q", instance, status)
	}
	t := ms(at)
	var changed int
	err := s.db.Write(ctx, func(tx *Tx) error {
		changed = 0 // the write may run again
		for _, id := range waIDs {
			var err error
			var n int64
			if status == driver.Read {
				n, err = rowsChanged(tx.Exec(readUpdate, t, t, instance, id, t))
			} else {
				n, err = rowsChanged(tx.Exec(deliveredUpdate, t, instance, id, t))
			}
			if err != nil {
				return err
			}
			changed += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("record %s receipt of %s: %w", status, instance, err)
	}
	return changed, nil
}

func rowsChanged(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
