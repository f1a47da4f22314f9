package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// ReplacePending implements gateway.MessageStore: the content changes in
// the statement that checks the message is withdrawable, so an edit never
// lands after a host claimed the message for its send.
func (s *Store) ReplacePending(ctx context.Context, id string, c message.Content, at time.Time) (bool, error) {
	content, err := json.Marshal(c)
	if err != nil {
		return false, fmt.Errorf("encode content of %s: %w", id, err)
	}
	return s.finish(ctx, nil, `UPDATE messages SET content = ?, updated_at = ? WHERE id = ? AND `+withdrawable,
		string(content), ms(at), id, string(message.Pending), ms(at))
}

// CancelPending implements gateway.MessageStore, under the same condition
// as a flush.
func (s *Store) CancelPending(ctx context.Context, id string, at time.Time, ev *outbox.Event) (bool, error) {
	return s.finish(ctx, ev, `UPDATE messages SET status = ?, error = ?, updated_at = ? WHERE id = ? AND `+withdrawable,
		string(message.Failed), message.ErrorCancelled, ms(at), id, string(message.Pending), ms(at))
}

// MarkEdited implements host.Store: the edit of sent message id went out
// at at with content c, which the message shows from now on.
func (s *Store) MarkEdited(ctx context.Context, id string, c message.Content, at time.Time) error {
	content, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode content of %s: %w", id, err)
	}
	_, err = s.finish(ctx, nil, `UPDATE messages SET content = ?, edited_at = ?, updated_at = ? WHERE id = ? AND status = ?`,
		string(content), ms(at), ms(at), id, string(message.Sent))
	return err
}

// MarkRevoked implements host.Store: sent message id was deleted for
// everyone at at. A repeated deletion keeps the first time.
func (s *Store) MarkRevoked(ctx context.Context, id string, at time.Time) error {
	_, err := s.finish(ctx, nil, `UPDATE messages SET revoked_at = COALESCE(revoked_at, ?), updated_at = ? WHERE id = ? AND status = ?`,
		ms(at), ms(at), id, string(message.Sent))
	return err
}
