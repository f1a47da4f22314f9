package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// The session host's side of the store: connection state and send results.

// SetConnection records an instance's connection state, linked phone
// ("" for none) and when it connected (zero for never).
// ev, if not nil, is the event the change causes, stored with it.
func (s *Store) SetConnection(ctx context.Context, name string, st instance.State, phone string, connectedAt time.Time, ev *outbox.Event) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE instances SET state = ?, phone_number = ?, connected_at = ? WHERE name = ?`,
			string(st), nullString(phone), nullMS(connectedAt), name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
		}
		return insertEvent(tx, ev)
	})
}

// ListLinked returns every instance with a linked phone, to reconnect
// after a restart.
func (s *Store) ListLinked(ctx context.Context) ([]instance.Instance, error) {
	return s.instances(ctx, `SELECT `+instanceColumns+` FROM instances WHERE phone_number IS NOT NULL ORDER BY name`)
}

// MarkSent records that a pending message went out at at with WhatsApp id
// waID, with its event; it reports false (and stores no event) if the
// message was no longer pending (flushed meanwhile).
func (s *Store) MarkSent(ctx context.Context, id, waID string, at time.Time, ev *outbox.Event) (bool, error) {
	return s.finish(ctx, ev, `UPDATE messages SET status = ?, sent_at = ?, wa_id = ?, updated_at = ? WHERE id = ? AND status = ?`,
		string(message.Sent), ms(at), nullString(waID), ms(at), id, string(message.Pending))
}

// ClaimSend implements host.Store: the claim is taken only while the
// message is pending, in the statement that checks it.
func (s *Store) ClaimSend(ctx context.Context, id string, until time.Time) (bool, error) {
	return s.finish(ctx, nil, `UPDATE messages SET sending_until = ? WHERE id = ? AND status = ?`,
		ms(until), id, string(message.Pending))
}

// ReleaseSend implements host.Store.
func (s *Store) ReleaseSend(ctx context.Context, id string) error {
	_, err := s.finish(ctx, nil, `UPDATE messages SET sending_until = NULL WHERE id = ? AND status = ?`,
		id, string(message.Pending))
	return err
}

// ReleaseSendClaims ends every send claim, and reports how many there
// were. Like Queue.ReleaseInFlight it is for a process that just took the
// database lock: the claims belonged to hosts that died with the previous
// process, and until they ran out those messages could not be withdrawn.
func (s *Store) ReleaseSendClaims(ctx context.Context) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE messages SET sending_until = NULL WHERE sending_until IS NOT NULL AND status = ?`,
			string(message.Pending))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("release send claims: %w", err)
	}
	return int(n), nil
}

// MarkFailed fails a pending message with reason, with its event; false if
// it was no longer pending.
func (s *Store) MarkFailed(ctx context.Context, id, reason string, at time.Time, ev *outbox.Event) (bool, error) {
	return s.finish(ctx, ev, `UPDATE messages SET status = ?, error = ?, updated_at = ? WHERE id = ? AND status = ?`,
		string(message.Failed), reason, ms(at), id, string(message.Pending))
}

func (s *Store) finish(ctx context.Context, ev *outbox.Event, query string, args ...any) (bool, error) {
	var changed bool
	err := s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if changed = n == 1; !changed || err != nil {
			return err
		}
		return insertEvent(tx, ev)
	})
	return changed, err
}

// SentSince returns an instance's send times since since, per lane, to
// rebuild its rolling windows.
func (s *Store) SentSince(ctx context.Context, name string, since time.Time) (map[lane.Lane][]time.Time, error) {
	rows, err := s.db.query(ctx, `SELECT lane, sent_at FROM messages
		WHERE instance_name = ? AND status = 'sent' AND sent_at >= ?`, name, ms(since))
	if err != nil {
		return nil, fmt.Errorf("sends of %s: %w", name, err)
	}
	defer rows.Close()
	out := map[lane.Lane][]time.Time{}
	for rows.Next() {
		var l string
		var at int64
		if err := rows.Scan(&l, &at); err != nil {
			return nil, err
		}
		out[lane.Lane(l)] = append(out[lane.Lane(l)], time.UnixMilli(at).UTC())
	}
	return out, rows.Err()
}
