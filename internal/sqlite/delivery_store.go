package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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

// claimed is what a claim read: the deliveries and their rows, to lease.
type claimed struct {
	deliveries []outbox.Delivery
	rows       []int64
	ids        []string
}

// claimTx reads up to limit due deliveries that no lease holds, oldest
// due first. It writes nothing: the caller leases what it read (see
// SettleAndClaim and leases). held is the leased rows as
// a JSON array; SQLite turns it into a lookup table once per statement,
// so the rows in flight at the head of the due index are skipped inside
// the scan instead of being read back. The limit is a CAST, not a bare
// parameter: see the note on LIMIT in stmt.go. A claim carries what an
// attempt needs — the event, its instance and the attempts so far.
func claimTx(tx *Tx, now time.Time, held string, limit int) (claimed, error) {
	rows, err := tx.Query(`SELECT rowid, id, tenant_id, instance_name, event, body, attempts, created_at
		FROM deliveries WHERE status = 'retrying' AND next_at <= ?
			AND rowid NOT IN (SELECT value FROM json_each(?))
		ORDER BY next_at LIMIT CAST(? AS INTEGER)`,
		ms(now), held, limit)
	if err != nil {
		return claimed{}, err
	}
	var c claimed
	c.deliveries, err = scanAll(rows, func(row rowScanner) (outbox.Delivery, error) {
		d := outbox.Delivery{Status: outbox.Retrying}
		var rowid, created int64
		if err := row.Scan(&rowid, &d.ID, &d.TenantID, &d.Instance, &d.Name, &d.Body, &d.Attempts, &created); err != nil {
			return outbox.Delivery{}, err
		}
		d.CreatedAt = time.UnixMilli(created).UTC()
		c.rows, c.ids = append(c.rows, rowid), append(c.ids, d.ID)
		return d, nil
	})
	return c, err
}

// RecordAttempts stores the outcomes of attempts, in one write: each
// delivery becomes delivered, due again at its Next, or dead (zero Next).
// Unknown ids are ignored; of several outcomes for one id the last wins.
//
// A relaxed write: a power cut can only undo it together with the process
// (and so its leases); the deliveries are then claimed again when the
// gateway restarts and attempted once more — a duplicate that
// at-least-once delivery allows (receivers deduplicate on the delivery
// id), never a lost event.
func (s *Store) RecordAttempts(ctx context.Context, outcomes []outbox.Outcome) error {
	if err := s.db.WriteRelaxed(ctx, func(tx *Tx) error { return recordTx(tx, outcomes, s.db.leases) }); err != nil {
		return err
	}
	s.db.leases.release(outcomeIDs(outcomes))
	return nil
}

// outcomeIDs lists the deliveries outcomes settle.
func outcomeIDs(outcomes []outbox.Outcome) []string {
	ids := make([]string, len(outcomes))
	for i, o := range outcomes {
		ids[i] = o.ID
	}
	return ids
}

// SettleAndClaim records outcomes as RecordAttempts does, then hands out
// up to limit deliveries whose next attempt is due, leased until
// now+lease so that they are not handed out again before the lease ends
// or their outcome is recorded — in one write, so that a dispatcher
// settling the attempts that just ended while it claims the next ones
// pays for one transaction instead of two.
//
// Leases live in this process (see leases): after a crash every claimed
// delivery is due again at once. The write is relaxed: a power cut can
// only undo it together with the process that made it, and the recorded
// deliveries are then attempted once more (see RecordAttempts), which
// at-least-once delivery allows.
func (s *Store) SettleAndClaim(ctx context.Context, outcomes []outbox.Outcome, now time.Time, lease time.Duration, limit int) ([]outbox.Delivery, error) {
	var c claimed
	err := s.db.WriteRelaxed(ctx, func(tx *Tx) error {
		s.db.leases.release(c.ids) // a batch run again starts over
		c = claimed{}
		if err := recordTx(tx, outcomes, s.db.leases); err != nil {
			return err
		}
		// Leased inside the write, so that no other claim in this
		// process can hand the same rows out between this commit and
		// the lease. If the write then fails, the leases simply run out
		// and the rows come back.
		got, err := claimTx(tx, now, s.db.leases.held(now), limit)
		if err != nil {
			return err
		}
		c = got
		s.db.leases.take(c.rows, c.ids, now.Add(lease))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("settle and claim deliveries: %w", err)
	}
	// Settled outcomes are released only now: until this commit they
	// were still due in the table.
	s.db.leases.release(outcomeIDs(outcomes))
	return c.deliveries, nil
}

// recordChunk is the most outcomes one statement records; a batch is
// split into power-of-two chunks, so at most a handful of statement texts
// (one per size) are ever prepared.
const recordChunk = 64

// recordTx updates every outcome's delivery with one statement per chunk
// rather than one per outcome: the per-statement cost of the driver is
// most of a one-row update's. A delivery still leased is found by the
// rowid its lease remembers, the others by id.
func recordTx(tx *Tx, outcomes []outbox.Outcome, leased *leases) error {
	outcomes = lastPerID(outcomes)
	for len(outcomes) > 0 {
		n := recordChunk
		for n > len(outcomes) {
			n /= 2
		}
		// Plain values and nil, not sql.Null*: the driver converts those
		// without reflection.
		args := make([]any, 0, 8*n)
		for _, o := range outcomes[:n] {
			status := o.Status()
			var next, code, lastErr, deliveredAt any
			switch status {
			case outbox.Delivered:
				deliveredAt = msOrNil(o.At)
			case outbox.Retrying:
				next = msOrNil(o.Next)
			}
			if o.StatusCode != 0 {
				code = int64(o.StatusCode)
			}
			if o.LastError != "" {
				lastErr = o.LastError
			}
			args = append(args, leased.row(o.ID), o.ID, string(status), int64(o.Attempts), next, code, lastErr, deliveredAt)
		}
		if _, err := tx.Exec(recordQuery(n), args...); err != nil {
			return err
		}
		outcomes = outcomes[n:]
	}
	return nil
}

// recordQuery is the update of n outcomes, each bound as (rowid or NULL,
// id, status, attempts, next_at, last_status_code, last_error,
// delivered_at).
func recordQuery(n int) string {
	var b strings.Builder
	b.WriteString(`WITH o(r, id, status, attempts, next_at, code, err, delivered_at) AS (VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	b.WriteString(`) UPDATE OR FAIL deliveries SET status = o.status, attempts = o.attempts, next_at = o.next_at,
		last_status_code = o.code, last_error = o.err, delivered_at = o.delivered_at
		FROM o WHERE deliveries.rowid = coalesce(o.r, (SELECT rowid FROM deliveries WHERE id = o.id))`)
	return b.String()
}

// msOrNil is t in Unix milliseconds, or NULL for the zero time.
func msOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// lastPerID drops every outcome that a later one for the same delivery
// overrides, as one update per outcome in order would have. Batches
// almost never repeat an id, so the common case allocates nothing.
func lastPerID(outcomes []outbox.Outcome) []outbox.Outcome {
	if len(outcomes) < 2 {
		return outcomes
	}
	last := make(map[string]int, len(outcomes))
	for i, o := range outcomes {
		last[o.ID] = i
	}
	if len(last) == len(outcomes) {
		return outcomes
	}
	out := make([]outbox.Outcome, 0, len(last))
	for i, o := range outcomes {
		if last[o.ID] == i {
			out = append(out, o)
		}
	}
	return out
}

// ListDeliveries implements gateway.DeliveryStore.
func (s *Store) ListDeliveries(ctx context.Context, instance string, status outbox.Status, limit int) ([]outbox.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE instance_name = ?`
	args := []any{instance}
	if status != "" {
		q += ` AND status = ?`
		args = append(args, string(status))
	} else {
		q += ` AND status <> ?`
		args = append(args, string(outbox.Filtered))
	}
	rows, err := s.db.query(ctx, q+` ORDER BY created_at DESC, rowid DESC LIMIT CAST(? AS INTEGER)`, append(args, limit)...)
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
