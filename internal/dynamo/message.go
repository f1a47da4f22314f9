package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
)

// pendingKeyOf is a pending message's sort key in the pending index: by
// lane (so a COUNT query per lane is a key condition), then by age.
func pendingKeyOf(l lane.Lane, created time.Time, id string) string {
	return string(l) + "#" + sortTime(created) + "#" + id
}

func encodeMessage(m message.Message) (item, error) {
	content, err := json.Marshal(m.Content)
	if err != nil {
		return nil, fmt.Errorf("encode content: %w", err)
	}
	it := messageKey(m.ID)
	it[attrTenantID], it[attrInstance], it[attrLane] = str(m.Tenant), str(m.Instance), str(string(m.Lane))
	it[attrTo], it[attrType], it[attrContent] = str(m.To), str(string(m.Type)), str(string(content))
	it[attrStatus], it[attrCreatedAt], it[attrUpdatedAt] = str(string(m.Status)), ms(m.CreatedAt), ms(m.CreatedAt)
	setStr(it, attrError, m.Error)
	setTime(it, attrSentAt, m.SentAt)
	setTime(it, attrDeliveredAt, m.DeliveredAt)
	setTime(it, attrReadAt, m.ReadAt)
	setTime(it, attrEditedAt, m.EditedAt)
	setTime(it, attrRevokedAt, m.RevokedAt)
	it[attrListOf], it[attrListKey] = str(m.Instance), str(listKeyOf(m.CreatedAt, message.Out, m.ID))
	switch m.Status {
	case message.Pending:
		it[attrPendingOf], it[attrPendingKey] = str(m.Instance), str(pendingKeyOf(m.Lane, m.CreatedAt, m.ID))
	case message.Sent:
		it[attrSentOf] = str(m.Instance)
	}
	return it, nil
}

func decodeMessage(it item) (message.Message, error) {
	m := message.Message{ID: idOf(it, "M#"), Tenant: getStr(it, attrTenantID), Instance: getStr(it, attrInstance),
		Lane: lane.Lane(getStr(it, attrLane)), To: getStr(it, attrTo), Type: message.Type(getStr(it, attrType)),
		Status: message.Status(getStr(it, attrStatus)), Error: getStr(it, attrError),
		CreatedAt: getTime(it, attrCreatedAt), SentAt: getTime(it, attrSentAt),
		DeliveredAt: getTime(it, attrDeliveredAt), ReadAt: getTime(it, attrReadAt), SendingUntil: getTime(it, attrSendingTo),
		EditedAt: getTime(it, attrEditedAt), RevokedAt: getTime(it, attrRevokedAt)}
	if err := json.Unmarshal([]byte(getStr(it, attrContent)), &m.Content); err != nil {
		return message.Message{}, fmt.Errorf("decode message %s: %w", m.ID, err)
	}
	return m, nil
}

// CreateMessage implements gateway.MessageStore: a consistent read of the
// instance, then the message (and idempotency record) in one write. The
// instance is read rather than condition-checked in the transaction: a
// read unit instead of two write units, at the price of the race with
// DeleteInstance described in the package doc.
func (s *Store) CreateMessage(ctx context.Context, m message.Message, idem *gateway.Idempotency) error {
	if _, err := s.instanceItem(ctx, m.Instance); err != nil {
		return err
	}
	it, err := encodeMessage(m)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{s.put(it, notExists, nil)}
	if idem != nil {
		rec := idemKey(idem.TenantID, idem.Key)
		rec[attrStatusCode], rec[attrBody] = num(int64(idem.Status)), bin(idem.Body)
		rec[attrExpiresAt], rec[attrTTL] = ms(idem.ExpiresAt), epoch(idem.ExpiresAt)
		// An expired record (not yet removed by TTL) is replaced.
		items = append(items, s.put(rec, "attribute_not_exists(#pk) OR #expiresAt <= :now",
			item{":now": ms(m.CreatedAt)}))
	}
	err = s.write(ctx, items...)
	var c *canceled
	switch {
	case idem != nil && errors.As(err, &c) && c.failed(1):
		return gateway.ErrIdempotencyReplay
	case errors.As(err, &c) && c.failed(0):
		return fmt.Errorf("message %s: %w", m.ID, fault.ErrConflict)
	case err != nil:
		return fmt.Errorf("store message %s: %w", m.ID, err)
	}
	return nil
}

// GetIdempotency implements gateway.MessageStore. TTL deletes expired
// records only eventually, so expiry is checked here.
func (s *Store) GetIdempotency(ctx context.Context, tenantID, key string, now time.Time) (gateway.Idempotency, bool, error) {
	it, ok, err := s.get(ctx, idemKey(tenantID, key))
	if err != nil {
		return gateway.Idempotency{}, false, fmt.Errorf("get idempotency key: %w", err)
	}
	rec := gateway.Idempotency{TenantID: tenantID, Key: key, Status: int(getInt(it, attrStatusCode)),
		Body: getBin(it, attrBody), ExpiresAt: getTime(it, attrExpiresAt)}
	if !ok || !rec.ExpiresAt.After(now) {
		return gateway.Idempotency{}, false, nil
	}
	return rec, true, nil
}

// GetMessage implements gateway.MessageStore and host.Store.
func (s *Store) GetMessage(ctx context.Context, id string) (message.Message, error) {
	it, ok, err := s.get(ctx, messageKey(id))
	if err != nil {
		return message.Message{}, fmt.Errorf("get message %s: %w", id, err)
	}
	if !ok {
		return message.Message{}, fmt.Errorf("message %s: %w", id, fault.ErrNotFound)
	}
	return decodeMessage(it)
}

// AbandonMessage implements gateway.MessageStore.
func (s *Store) AbandonMessage(ctx context.Context, id, reason string, at time.Time, tenantID, key string) error {
	m, err := s.GetMessage(ctx, id)
	if err != nil && !errors.Is(err, fault.ErrNotFound) {
		return err
	}
	var extra []types.TransactWriteItem
	if key != "" {
		extra = append(extra, s.del(idemKey(tenantID, key), "", nil))
	}
	if err == nil && m.Status == message.Pending {
		changed, err := s.settle(ctx, m, failUpdate(reason, at), attrFailedCount, extra)
		if err != nil || changed {
			return err
		}
	}
	if len(extra) == 0 {
		return nil
	}
	if err := s.write(ctx, extra...); err != nil {
		return fmt.Errorf("drop idempotency key of %s: %w", id, err)
	}
	return nil
}

// failUpdate fails a message with reason; it leaves the pending index.
func failUpdate(reason string, at time.Time) *update {
	return newUpdate().set(attrStatus, str(string(message.Failed))).set(attrError, str(reason)).
		set(attrUpdatedAt, ms(at)).remove(attrPendingOf, attrPendingKey)
}

// ifPending applies u to message id only while it is pending.
func (s *Store) ifPending(u *update, id string) types.TransactWriteItem {
	u.when(item{":pending": str(string(message.Pending))})
	return s.upd(u, messageKey(id), "#status = :pending")
}

// ifWithdrawable applies u to message id only while message.Withdrawable
// holds at at: pending, and not claimed by a send.
func (s *Store) ifWithdrawable(u *update, id string, at time.Time) types.TransactWriteItem {
	u.when(item{":pending": str(string(message.Pending)), ":at": ms(at)})
	return s.upd(u, messageKey(id), "#status = :pending AND (attribute_not_exists(#"+attrSendingTo+") OR #"+attrSendingTo+" <= :at)")
}

// ClaimSend implements host.Store.
func (s *Store) ClaimSend(ctx context.Context, id string, until time.Time) (bool, error) {
	return s.ifPendingWrite(ctx, id, newUpdate().set(attrSendingTo, ms(until)))
}

// ReleaseSend implements host.Store.
func (s *Store) ReleaseSend(ctx context.Context, id string) error {
	_, err := s.ifPendingWrite(ctx, id, newUpdate().remove(attrSendingTo))
	return err
}

// ifPendingWrite applies u to message id alone if it is pending; false if
// it is not (or does not exist).
func (s *Store) ifPendingWrite(ctx context.Context, id string, u *update) (bool, error) {
	err := s.write(ctx, s.ifPending(u, id))
	var c *canceled
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &c) && c.failed(0):
		return false, nil
	default:
		return false, fmt.Errorf("update message %s: %w", id, err)
	}
}

// settle applies u to pending message m, adds one to the counter attribute
// of its instance and writes extra, in one transaction. It reports false,
// writing nothing, if m was no longer pending. If the instance is gone
// (deleted meanwhile) the message changes all the same, without counter.
func (s *Store) settle(ctx context.Context, m message.Message, u *update, counter string, extra []types.TransactWriteItem) (bool, error) {
	msg := s.ifPending(u, m.ID)
	inst, withCounter := instanceKey(m.Instance)
	for {
		items := []types.TransactWriteItem{msg}
		if withCounter {
			items = append(items, s.upd(newUpdate().add(counter, 1), inst, exists))
		}
		err := s.write(ctx, append(items, extra...)...)
		var c *canceled
		switch {
		case err == nil:
			return true, nil
		case errors.As(err, &c) && c.failed(0):
			return false, nil
		case errors.As(err, &c) && withCounter && c.failed(1):
			withCounter = false
		default:
			return false, fmt.Errorf("update message %s: %w", m.ID, err)
		}
	}
}
