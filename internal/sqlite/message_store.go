package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// CreateMessage implements gateway.MessageStore.
func (s *Store) CreateMessage(ctx context.Context, m message.Message, idem *gateway.Idempotency) error {
	row, err := newMessageRow(m)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *Tx) error { return insertMessage(tx, row, idem) })
}

// CreateAndEnqueue implements gateway.AtomicEnqueuer: the message, its
// idempotency record and its lane queue entry commit together, so a crash
// can never leave a stored message unqueued. Sends without an idempotency
// key, the common case, are written together with the other such sends of
// the same batch (see enqueueGroup).
func (s *Store) CreateAndEnqueue(ctx context.Context, m message.Message, idem *gateway.Idempotency, body []byte) error {
	q := s.queues[m.Lane]
	if q == nil {
		return fmt.Errorf("no queue for lane %q", m.Lane)
	}
	row, err := newMessageRow(m)
	if err != nil {
		return err
	}
	if body == nil {
		body = []byte{} // a nil slice would bind as NULL
	}
	alone := func(tx *Tx) error {
		if err := insertMessage(tx, row, idem); err != nil {
			return err
		}
		// The message's primary key already makes its id unique, so the
		// queue entry is always added.
		_, err := q.sendTx(tx, m.Instance, m.ID, body, false)
		return err
	}
	if idem == nil {
		err = s.db.WriteGrouped(ctx, s.enqueues, enqueueItem{row: row, q: q, body: body}, alone)
	} else {
		err = s.db.Write(ctx, alone)
	}
	if err == nil {
		q.wake()
	}
	return err
}

// messageRow is a message as its insert binds it, encoded before the
// write so that the single writer does not spend its time on JSON.
type messageRow struct {
	m       message.Message
	content string
}

func newMessageRow(m message.Message) (messageRow, error) {
	content, err := json.Marshal(m.Content)
	if err != nil {
		return messageRow{}, fmt.Errorf("encode content of %s: %w", m.ID, err)
	}
	return messageRow{m: m, content: string(content)}, nil
}

// messageColumns are the columns args binds, in order.
const messageColumns = `id, tenant_id, instance_name, lane, to_number, type, content,
	status, error, created_at, sent_at, updated_at`

// args appends the row's values in messageColumns order; plain values and
// nil rather than sql.Null*, which the driver converts without reflection.
func (r messageRow) args(dst []any) []any {
	m := r.m
	var errText any
	if m.Error != "" {
		errText = m.Error
	}
	return append(dst, m.ID, m.Tenant, m.Instance, string(m.Lane), m.To, string(m.Type), r.content,
		string(m.Status), errText, ms(m.CreatedAt), msOrNil(m.SentAt), ms(m.CreatedAt))
}

func insertMessage(tx *Tx, row messageRow, idem *gateway.Idempotency) error {
	m := row.m
	if idem != nil {
		// An expired record is replaced; a live one means replay.
		res, err := tx.Exec(`INSERT INTO idempotency(tenant_id, key, status_code, body, expires_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(tenant_id, key) DO UPDATE SET status_code = excluded.status_code,
				body = excluded.body, expires_at = excluded.expires_at
			WHERE idempotency.expires_at <= ?`,
			idem.TenantID, idem.Key, idem.Status, idem.Body, ms(idem.ExpiresAt), ms(m.CreatedAt))
		if err != nil {
			return fmt.Errorf("store idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return gateway.ErrIdempotencyReplay
		}
	}
	// The instance check rides in the insert: no separate read, and no
	// window in which the instance could be deleted in between.
	res, err := tx.Exec(`INSERT INTO messages(`+messageColumns+`) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE EXISTS (SELECT 1 FROM instances WHERE name = ?)`, append(row.args(make([]any, 0, 13)), m.Instance)...)
	if isConstraint(err, "unique") {
		return fmt.Errorf("message %s: %w", m.ID, fault.ErrConflict)
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("instance %s: %w", m.Instance, fault.ErrNotFound)
	}
	return nil
}

// GetIdempotency implements gateway.MessageStore.
func (s *Store) GetIdempotency(ctx context.Context, tenantID, key string, now time.Time) (gateway.Idempotency, bool, error) {
	rec := gateway.Idempotency{TenantID: tenantID, Key: key}
	var expires int64
	err := s.db.queryRow(ctx, `SELECT status_code, body, expires_at FROM idempotency
		WHERE tenant_id = ? AND key = ? AND expires_at > ?`, tenantID, key, ms(now)).
		Scan(&rec.Status, &rec.Body, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return gateway.Idempotency{}, false, nil
	}
	if err != nil {
		return gateway.Idempotency{}, false, fmt.Errorf("get idempotency key: %w", err)
	}
	rec.ExpiresAt = time.UnixMilli(expires).UTC()
	return rec, true, nil
}

// GetMessage implements gateway.MessageStore.
func (s *Store) GetMessage(ctx context.Context, id string) (message.Message, error) {
	var m message.Message
	var l, typ, content, status string
	var errText sql.NullString
	var created int64
	var sent, delivered, read, sending, edited, revoked sql.NullInt64
	err := s.db.queryRow(ctx, `SELECT id, tenant_id, instance_name, lane, to_number, type, content,
		status, error, created_at, sent_at, delivered_at, read_at, sending_until, edited_at, revoked_at FROM messages WHERE id = ?`, id).
		Scan(&m.ID, &m.Tenant, &m.Instance, &l, &m.To, &typ, &content, &status, &errText, &created, &sent, &delivered, &read, &sending,
			&edited, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return message.Message{}, fmt.Errorf("message %s: %w", id, fault.ErrNotFound)
	}
	if err != nil {
		return message.Message{}, fmt.Errorf("get message %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(content), &m.Content); err != nil {
		return message.Message{}, fmt.Errorf("decode message %s: %w", id, err)
	}
	m.Lane, m.Type, m.Status, m.Error = lane.Lane(l), message.Type(typ), message.Status(status), errText.String
	m.CreatedAt, m.SentAt = time.UnixMilli(created).UTC(), fromMS(sent)
	m.DeliveredAt, m.ReadAt, m.SendingUntil = fromMS(delivered), fromMS(read), fromMS(sending)
	m.EditedAt, m.RevokedAt = fromMS(edited), fromMS(revoked)
	return m, nil
}

// AbandonMessage implements gateway.MessageStore.
func (s *Store) AbandonMessage(ctx context.Context, id, reason string, at time.Time, tenantID, idemKey string) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE messages SET status = ?, error = ?, updated_at = ? WHERE id = ? AND status = ?`,
			string(message.Failed), reason, ms(at), id, string(message.Pending)); err != nil {
			return fmt.Errorf("fail message %s: %w", id, err)
		}
		if idemKey == "" {
			return nil
		}
		_, err := tx.Exec(`DELETE FROM idempotency WHERE tenant_id = ? AND key = ?`, tenantID, idemKey)
		return err
	})
}

// withdrawable is message.Withdrawable as a condition on a messages row;
// it binds the pending status, then the time of the withdrawal.
const withdrawable = `status = ? AND (sending_until IS NULL OR sending_until <= ?)`

// FlushPending implements gateway.MessageStore.
func (s *Store) FlushPending(ctx context.Context, instanceName string, at time.Time, event func(message.Message) *outbox.Event) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *Tx) error {
		if event != nil {
			if err := flushEvents(tx, instanceName, at, event); err != nil {
				return err
			}
		}
		res, err := tx.Exec(`UPDATE messages SET status = ?, error = ?, updated_at = ? WHERE instance_name = ? AND `+withdrawable,
			string(message.Failed), message.ErrorFlushed, ms(at), instanceName, string(message.Pending), ms(at))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// flushEvents stores the event of every pending message of an instance.
func flushEvents(tx *Tx, instanceName string, at time.Time, event func(message.Message) *outbox.Event) error {
	rows, err := tx.Query(`SELECT id, tenant_id, lane, to_number, type FROM messages
		WHERE instance_name = ? AND `+withdrawable, instanceName, string(message.Pending), ms(at))
	if err != nil {
		return err
	}
	var pending []message.Message
	for rows.Next() {
		m := message.Message{Instance: instanceName}
		var l, typ string
		if err := rows.Scan(&m.ID, &m.Tenant, &l, &m.To, &typ); err != nil {
			_ = rows.Close()
			return err
		}
		m.Lane, m.Type = lane.Lane(l), message.Type(typ)
		pending = append(pending, m)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, m := range pending {
		if err := insertEvent(tx, event(m)); err != nil {
			return err
		}
	}
	return nil
}

// PendingByLane implements gateway.MessageStore.
func (s *Store) PendingByLane(ctx context.Context, instanceName string) (map[lane.Lane]int, error) {
	rows, err := s.db.query(ctx, `SELECT lane, COUNT(*) FROM messages
		WHERE instance_name = ? AND status = ? GROUP BY lane`, instanceName, string(message.Pending))
	if err != nil {
		return nil, fmt.Errorf("count pending: %w", err)
	}
	defer rows.Close()
	out := map[lane.Lane]int{}
	for rows.Next() {
		var l string
		var n int
		if err := rows.Scan(&l, &n); err != nil {
			return nil, err
		}
		out[lane.Lane(l)] = n
	}
	return out, rows.Err()
}

// TenantStats implements gateway.MessageStore.
func (s *Store) TenantStats(ctx context.Context, tenantID string) ([]gateway.InstanceStats, error) {
	rows, err := s.db.query(ctx, `SELECT i.name, m.status, m.lane, COUNT(m.id)
		FROM instances i LEFT JOIN messages m ON m.instance_name = i.name
		WHERE i.tenant_id = ? GROUP BY i.name, m.status, m.lane ORDER BY i.name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("tenant stats: %w", err)
	}
	defer rows.Close()
	out := []gateway.InstanceStats{}
	for rows.Next() {
		var name string
		var status, l sql.NullString
		var n int
		if err := rows.Scan(&name, &status, &l, &n); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].InstanceName != name {
			out = append(out, gateway.InstanceStats{InstanceName: name, Pending: map[lane.Lane]int{}})
		}
		st := &out[len(out)-1]
		switch message.Status(status.String) {
		case message.Pending:
			st.Pending[lane.Lane(l.String)] += n
		case message.Sent:
			st.Sent += n
		case message.Failed:
			st.Failed += n
		}
	}
	return out, rows.Err()
}

// Totals implements gateway.MessageStore.
func (s *Store) Totals(ctx context.Context) (gateway.Totals, error) {
	var t gateway.Totals
	err := s.db.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM tenants), (SELECT COUNT(*) FROM instances),
		(SELECT COUNT(*) FROM messages WHERE status = ?)`, string(message.Pending)).
		Scan(&t.Tenants, &t.Instances, &t.Pending)
	if err != nil {
		return gateway.Totals{}, fmt.Errorf("totals: %w", err)
	}
	return t, nil
}

// PurgeIdempotency deletes idempotency records that expired before now, so
// the table holds about one day of keys.
func (s *Store) PurgeIdempotency(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM idempotency WHERE expires_at <= ?`, ms(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
