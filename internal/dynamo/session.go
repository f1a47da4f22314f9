package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// The session host's side of the store: connection state and send
// results, each written in one transaction with the event it causes (the
// transactional outbox).

// SetConnection implements host.Store.
func (s *Store) SetConnection(ctx context.Context, name string, st instance.State, phone string, connectedAt time.Time, ev *outbox.Event) error {
	k, valid := instanceKey(name)
	if !valid {
		return fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	u := newUpdate().set(attrState, str(string(st))).setStrOrRemove(attrPhone, phone).setTimeOrRemove(attrConnectedAt, connectedAt)
	err := s.write(ctx, withEvent(s, []types.TransactWriteItem{s.upd(u, k, exists)}, ev)...)
	var c *canceled
	if errors.As(err, &c) && c.failed(0) {
		return fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("set connection of %s: %w", name, err)
	}
	return nil
}

// withEvent appends the write of ev, if any, to items.
func withEvent(s *Store, items []types.TransactWriteItem, ev *outbox.Event) []types.TransactWriteItem {
	if ev == nil {
		return items
	}
	return append(items, s.put(s.eventItem(*ev), notExists, nil))
}

// ListLinked implements host.Store: instances with a phone, by name, from
// the entity index (eventually consistent: it serves reconnects at start).
func (s *Store) ListLinked(ctx context.Context) ([]instance.Instance, error) {
	out := []instance.Instance{}
	err := s.query(ctx, &dynamodb.QueryInput{
		IndexName:                 aws.String(indexEntity),
		KeyConditionExpression:    aws.String("#kind = :kind"),
		FilterExpression:          aws.String("attribute_exists(#phone)"),
		ExpressionAttributeNames:  names(attrKind, attrPhone),
		ExpressionAttributeValues: item{":kind": str(kindInstance)},
	}, func(it item) error {
		in, err := decodeInstance(it)
		out = append(out, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list linked instances: %w", err)
	}
	return out, nil
}

// MarkSent implements host.Store: the message becomes sent (leaving the
// pending index for the sent one), its instance's sent counter grows and
// ev is stored, in one transaction; false, writing nothing more, if the
// message was no longer pending.
//
// The lookup item from its WhatsApp id to it (receipts name messages by
// that id) is put just before, alone: a plain write costs half of one in
// the transaction, and the order keeps the one promise that matters, that
// a sent message can be found by its WhatsApp id. A lookup left by a write
// that then found the message settled, or by a crash in between, points
// at a message that is not sent (or not yet), which SentByWAID and
// RecordReceipt pass over; the resend puts the same lookup again.
func (s *Store) MarkSent(ctx context.Context, id, waID string, at time.Time, ev *outbox.Event) (bool, error) {
	return s.finish(ctx, id, func(m message.Message) (*update, error) {
		if waID != "" {
			lookup := waKey(m.Instance, waID)
			lookup[attrMessageID] = str(m.ID)
			if err := s.write(ctx, s.put(lookup, "", nil)); err != nil {
				return nil, fmt.Errorf("put WhatsApp id of message %s: %w", m.ID, err)
			}
		}
		return newUpdate().set(attrStatus, str(string(message.Sent))).set(attrSentAt, ms(at)).set(attrUpdatedAt, ms(at)).
			set(attrSentOf, str(m.Instance)).remove(attrPendingOf, attrPendingKey), nil
	}, attrSentCount, withEvent(s, nil, ev))
}

// MarkFailed implements host.Store, like MarkSent.
func (s *Store) MarkFailed(ctx context.Context, id, reason string, at time.Time, ev *outbox.Event) (bool, error) {
	return s.finish(ctx, id, func(message.Message) (*update, error) { return failUpdate(reason, at), nil }, attrFailedCount,
		withEvent(s, nil, ev))
}

// finish reads the message (its instance names the counter to bump) and
// settles it, with the writes extra, if it is still pending. change
// returns the update to settle it with; it may first write what must land
// before the transaction (MarkSent's lookup), and its error ends finish.
func (s *Store) finish(ctx context.Context, id string, change func(message.Message) (*update, error), counter string,
	extra []types.TransactWriteItem) (bool, error) {
	m, err := s.GetMessage(ctx, id)
	if errors.Is(err, fault.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if m.Status != message.Pending {
		return false, nil
	}
	u, err := change(m)
	if err != nil {
		return false, err
	}
	return s.settle(ctx, m, u, counter, extra)
}

// AddEvent implements host.Store: an event with no other change (an
// inbound message).
func (s *Store) AddEvent(ctx context.Context, ev outbox.Event) error {
	err := s.write(ctx, withEvent(s, nil, &ev)...)
	var c *canceled
	if errors.As(err, &c) && c.failed(0) {
		return fmt.Errorf("event %s: %w", ev.ID, fault.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store event %s: %w", ev.ID, err)
	}
	return nil
}

// SentSince implements host.Store: a query of the sent index.
func (s *Store) SentSince(ctx context.Context, name string, since time.Time) (map[lane.Lane][]time.Time, error) {
	out := map[lane.Lane][]time.Time{}
	err := s.query(ctx, &dynamodb.QueryInput{
		IndexName:                 aws.String(indexSent),
		KeyConditionExpression:    aws.String("#sentOf = :inst AND #sentAt >= :since"),
		ProjectionExpression:      aws.String("#lane, #sentAt"),
		ExpressionAttributeNames:  names(attrSentOf, attrSentAt, attrLane),
		ExpressionAttributeValues: item{":inst": str(name), ":since": ms(since)},
	}, func(it item) error {
		l := lane.Lane(getStr(it, attrLane))
		out[l] = append(out[l], getTime(it, attrSentAt))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sends of %s: %w", name, err)
	}
	return out, nil
}
