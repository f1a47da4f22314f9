package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// AddReceived implements host.Store: the message and its event in one
// write. A redelivered message replaces the row (same content, a later
// expiry).
func (s *Store) AddReceived(ctx context.Context, r message.Received, ev outbox.Event) error {
	err := s.db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT OR REPLACE INTO received_messages(instance_name, wa_id, chat, from_number, type, text,
			received_at, expires_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Instance, r.WAMessageID, r.Chat, r.From, r.Type, r.Text, ms(r.ReceivedAt), ms(r.ExpiresAt()), nullBytes(r.Payload))
		if err != nil {
			return err
		}
		return insertEvent(tx, &ev)
	})
	if err != nil {
		return fmt.Errorf("store received message %s: %w", r.WAMessageID, err)
	}
	return nil
}

// GetReceived implements gateway.MessageStore. Expired rows housekeeping
// has not purged yet are not found either.
func (s *Store) GetReceived(ctx context.Context, instance, waID string, now time.Time) (message.Received, error) {
	r := message.Received{Instance: instance, WAMessageID: waID}
	var received int64
	err := s.db.queryRow(ctx, `SELECT chat, from_number, type, text, received_at, payload FROM received_messages
		WHERE instance_name = ? AND wa_id = ? AND expires_at > ?`, instance, waID, ms(now)).
		Scan(&r.Chat, &r.From, &r.Type, &r.Text, &received, &r.Payload)
	if errors.Is(err, sql.ErrNoRows) {
		return message.Received{}, fmt.Errorf("received message %s: %w", waID, fault.ErrNotFound)
	}
	if err != nil {
		return message.Received{}, fmt.Errorf("get received message %s: %w", waID, err)
	}
	r.ReceivedAt = time.UnixMilli(received).UTC()
	return r, nil
}

// PurgeReceived deletes the received messages that expired before now
// (housekeeping, beside PurgeIdempotency).
func (s *Store) PurgeReceived(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *Tx) error {
		var err error
		n, err = rowsChanged(tx.Exec(`DELETE FROM received_messages WHERE expires_at <= ?`, ms(now)))
		return err
	})
	return int(n), err
}

// nullBytes stores an empty payload as NULL, as rows from before it.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}
