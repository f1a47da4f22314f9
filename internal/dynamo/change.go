package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// ReplacePending implements gateway.MessageStore: one conditional update,
// under the condition a flush uses (ifWithdrawable).
func (s *Store) ReplacePending(ctx context.Context, id string, c message.Content, at time.Time) (bool, error) {
	content, err := json.Marshal(c)
	if err != nil {
		return false, fmt.Errorf("encode content of %s: %w", id, err)
	}
	err = s.write(ctx, s.ifWithdrawable(newUpdate().set(attrContent, str(string(content))).set(attrUpdatedAt, ms(at)), id, at))
	var cc *canceled
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &cc) && cc.failed(0):
		return false, nil
	default:
		return false, fmt.Errorf("edit message %s: %w", id, err)
	}
}

// CancelPending implements gateway.MessageStore: a flush of one message,
// with its event and the instance's failed counter.
func (s *Store) CancelPending(ctx context.Context, id string, at time.Time, ev *outbox.Event) (bool, error) {
	m, err := s.GetMessage(ctx, id)
	if errors.Is(err, fault.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var event func(message.Message) *outbox.Event
	if ev != nil {
		event = func(message.Message) *outbox.Event { return ev }
	}
	n, err := s.failBatch(ctx, m.Instance, []message.Message{m}, message.ErrorCancelled, at, event, true)
	if err != nil {
		return false, fmt.Errorf("cancel message %s: %w", id, err)
	}
	return n == 1, nil
}

// MarkEdited implements host.Store.
func (s *Store) MarkEdited(ctx context.Context, id string, c message.Content, at time.Time) error {
	content, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode content of %s: %w", id, err)
	}
	return s.ifSent(ctx, id, newUpdate().set(attrContent, str(string(content))).set(attrEditedAt, ms(at)).set(attrUpdatedAt, ms(at)))
}

// MarkRevoked implements host.Store; a repeated deletion keeps the first
// time.
func (s *Store) MarkRevoked(ctx context.Context, id string, at time.Time) error {
	return s.ifSent(ctx, id, newUpdate().setIfMissing(attrRevokedAt, ms(at)).set(attrUpdatedAt, ms(at)))
}

// ifSent applies u to message id if it is sent; nothing otherwise.
func (s *Store) ifSent(ctx context.Context, id string, u *update) error {
	u.when(item{":sent": str(string(message.Sent))})
	err := s.write(ctx, s.upd(u, messageKey(id), "#status = :sent"))
	var c *canceled
	if err != nil && !(errors.As(err, &c) && c.failed(0)) {
		return fmt.Errorf("update message %s: %w", id, err)
	}
	return nil
}
