package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/outbox"
)

// insertEvent adds an event's delivery to the outbox inside a write, so it
// commits (or not) with the change that caused it.
func insertEvent(tx *Tx, ev *outbox.Event) error {
	if ev == nil {
		return nil
	}
	_, err := tx.Exec(`INSERT INTO deliveries(id, tenant_id, instance_name, event, body, status, attempts, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, 'retrying', 0, ?, ?)`,
		ev.ID, ev.TenantID, ev.Instance, ev.Name, ev.Body, ms(ev.CreatedAt), ms(ev.CreatedAt))
	if err != nil {
		return fmt.Errorf("outbox %s: %w", ev.Name, err)
	}
	return nil
}

// AddEvent stores an event with no other change (an inbound message): once
// it returns, the event will be delivered even after a crash.
func (s *Store) AddEvent(ctx context.Context, ev outbox.Event) error {
	return s.db.Write(ctx, func(tx *Tx) error { return insertEvent(tx, &ev) })
}

const deliveryColumns = `id, tenant_id, instance_name, event, body, status, attempts, next_at,
	last_status_code, last_error, created_at, delivered_at`

func scanDelivery(row rowScanner) (outbox.Delivery, error) {
	var d outbox.Delivery
	var status string
	var next, code, delivered sql.NullInt64
	var lastErr sql.NullString
	var created int64
	if err := row.Scan(&d.ID, &d.TenantID, &d.Instance, &d.Name, &d.Body, &status, &d.Attempts, &next,
		&code, &lastErr, &created, &delivered); err != nil {
		return outbox.Delivery{}, err
	}
	d.Status, d.LastStatusCode, d.LastError = outbox.Status(status), int(code.Int64), lastErr.String
	d.NextAt, d.CreatedAt, d.DeliveredAt = fromMS(next), time.UnixMilli(created).UTC(), fromMS(delivered)
	return d, nil
}

// ClaimDue hands out up to limit deliveries whose next attempt is due,
// pushing their due time lease ahead so that no other dispatcher (or this
// one, if it crashes mid-attempt) takes them before the lease ends.
//
// The claim is a relaxed write: a power cut can only undo it together
// with the process that held it, and then the deliveries are simply due
// again, which at-least-once delivery already allows.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]outbox.Delivery, error) {
	var out []outbox.Delivery
	err := s.db.WriteRelaxed(ctx, func(tx *Tx) error {
		// One statement claims and returns the batch.
		rows, err := tx.Query(`UPDATE deliveries SET next_at = ? WHERE id IN
			(SELECT id FROM deliveries WHERE status = 'retrying' AND next_at <= ? ORDER BY next_at LIMIT ?)
			RETURNING `+deliveryColumns, ms(now.Add(lease)), ms(now), limit)
		if err != nil {
			return err
		}
		out, err = scanAll(rows, scanDelivery)
		for i := range out {
			out[i].NextAt = time.Time{} // RETURNING shows the lease, not the due time
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim due deliveries: %w", err)
	}
	return out, nil
}

// RecordAttempts stores the outcomes of attempts, in one write: each
// delivery becomes delivered, due again at its Next, or dead (zero Next).
//
// A relaxed write: if a power cut undoes it, the deliveries are claimed
// again once their lease ends and attempted once more — a duplicate that
// at-least-once delivery allows (receivers deduplicate on the delivery
// id), never a lost event.
func (s *Store) RecordAttempts(ctx context.Context, outcomes []outbox.Outcome) error {
	return s.db.WriteRelaxed(ctx, func(tx *Tx) error {
		for _, o := range outcomes {
			status, deliveredAt := outbox.Retrying, sql.NullInt64{}
			switch {
			case o.Delivered:
				status, deliveredAt = outbox.Delivered, nullMS(o.At)
			case o.Next.IsZero():
				status = outbox.Dead
			}
			if _, err := tx.Exec(`UPDATE deliveries SET status = ?, attempts = ?, next_at = ?, last_status_code = ?,
				last_error = ?, delivered_at = ? WHERE id = ?`, string(status), o.Attempts, nullMS(o.Next),
				sql.NullInt64{Int64: int64(o.StatusCode), Valid: o.StatusCode != 0}, nullString(o.LastError),
				deliveredAt, o.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListDeliveries returns an instance's deliveries, newest first; status ""
// means all.
func (s *Store) ListDeliveries(ctx context.Context, instance string, status outbox.Status, limit int) ([]outbox.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE instance_name = ?`
	args := []any{instance}
	if status != "" {
		q += ` AND status = ?`
		args = append(args, string(status))
	}
	rows, err := s.db.query(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	out, err := scanAll(rows, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return out, nil
}

// GetDelivery fails with fault.ErrNotFound.
func (s *Store) GetDelivery(ctx context.Context, id string) (outbox.Delivery, error) {
	d, err := scanDelivery(s.db.queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return outbox.Delivery{}, fmt.Errorf("delivery %s: %w", id, fault.ErrNotFound)
	}
	if err != nil {
		return outbox.Delivery{}, fmt.Errorf("get delivery %s: %w", id, err)
	}
	return d, nil
}

// Redeliver starts a delivery over: a fresh retry schedule, due now, the
// same delivery id.
func (s *Store) Redeliver(ctx context.Context, id string, now time.Time) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE deliveries SET status = 'retrying', attempts = 0, next_at = ?, delivered_at = NULL
			WHERE id = ?`, ms(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("delivery %s: %w", id, fault.ErrNotFound)
		}
		return nil
	})
}
