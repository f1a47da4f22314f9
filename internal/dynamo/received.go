package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// AddReceived implements host.Store: the message and its event in one
// transaction. The message is put unconditionally, so a redelivery
// replaces it; TTL removes it after message.ReceivedRetention.
func (s *Store) AddReceived(ctx context.Context, r message.Received, ev outbox.Event) error {
	it := receivedKey(r.Instance, r.WAMessageID)
	it[attrInstance], it[attrChat], it[attrFrom], it[attrType] = str(r.Instance), str(r.Chat), str(r.From), str(r.Type)
	it[attrText], it[attrCreatedAt] = str(r.Text), ms(r.ReceivedAt)
	it[attrExpiresAt], it[attrTTL] = ms(r.ExpiresAt()), epoch(r.ExpiresAt())
	// Also what DeleteInstance finds the instance's received messages by.
	it[attrListOf], it[attrListKey] = str(r.Instance), str(listKeyOf(r.ReceivedAt, message.In, r.WAMessageID))
	if len(r.Payload) > 0 {
		it[attrPayload] = str(string(r.Payload))
	}
	if err := s.write(ctx, withEvent(s, []types.TransactWriteItem{s.put(it, "", nil)}, &ev)...); err != nil {
		return fmt.Errorf("store received message %s: %w", r.WAMessageID, err)
	}
	return nil
}

// GetReceived implements gateway.MessageStore. TTL deletes lazily (up to
// days late), so expiresAt is checked here.
func (s *Store) GetReceived(ctx context.Context, inst, waID string, now time.Time) (message.Received, error) {
	it, ok, err := s.get(ctx, receivedKey(inst, waID))
	if err != nil {
		return message.Received{}, fmt.Errorf("get received message %s: %w", waID, err)
	}
	if !ok || !getTime(it, attrExpiresAt).After(now) {
		return message.Received{}, fmt.Errorf("received message %s: %w", waID, fault.ErrNotFound)
	}
	return decodeReceived(inst, waID, it), nil
}

// decodeReceived is the received message of item it (Expires left zero:
// readers check expiresAt themselves).
func decodeReceived(inst, waID string, it item) message.Received {
	r := message.Received{Instance: inst, WAMessageID: waID, Chat: getStr(it, attrChat), From: getStr(it, attrFrom),
		Type: getStr(it, attrType), Text: getStr(it, attrText), ReceivedAt: getTime(it, attrCreatedAt)}
	if p := getStr(it, attrPayload); p != "" {
		r.Payload = []byte(p)
	}
	return r
}
