package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// maxTransactItems is DynamoDB's limit on items in one transaction.
const maxTransactItems = 100

// FlushPending implements gateway.MessageStore, in transactions of at most
// 100 items: the messages, their events and the instance's failed counter.
// Each batch is atomic; the flush as a whole is not.
func (s *Store) FlushPending(ctx context.Context, instanceName string, at time.Time, event func(message.Message) *outbox.Event) (int, error) {
	n, err := s.failPending(ctx, instanceName, message.ErrorFlushed, at, event, true)
	if err != nil {
		return n, fmt.Errorf("flush %s: %w", instanceName, err)
	}
	return n, nil
}

// failPending fails every pending message of an instance with reason,
// page by page of the pending index, with the event of each (if event is
// not nil) and, if count, the instance's failed counter.
func (s *Store) failPending(ctx context.Context, name, reason string, at time.Time, event func(message.Message) *outbox.Event, count bool) (int, error) {
	per := maxTransactItems - 1 // one item for the counter
	if event != nil {
		per = (maxTransactItems - 1) / 2
	}
	total := 0
	batch := make([]message.Message, 0, per)
	flush := func() error {
		n, err := s.failBatch(ctx, name, batch, reason, at, event, count)
		total += n
		batch = batch[:0]
		return err
	}
	err := s.query(ctx, &dynamodb.QueryInput{
		IndexName:                 aws.String(indexPending),
		KeyConditionExpression:    aws.String("#pendingOf = :inst"),
		ExpressionAttributeNames:  names(attrPendingOf),
		ExpressionAttributeValues: item{":inst": str(name)},
	}, func(it item) error {
		batch = append(batch, message.Message{ID: idOf(it, "M#"), Tenant: getStr(it, attrTenantID), Instance: name,
			Lane: lane.Lane(getStr(it, attrLane)), To: getStr(it, attrTo), Type: message.Type(getStr(it, attrType))})
		if len(batch) == per {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return total, err
}

// failBatch fails msgs in one transaction. A message that stopped being
// withdrawable (sent meanwhile, the index lagging the table, or claimed by
// a send) is dropped from the batch, and the counter if the instance is gone, and the rest is retried.
func (s *Store) failBatch(ctx context.Context, name string, msgs []message.Message, reason string, at time.Time,
	event func(message.Message) *outbox.Event, count bool) (int, error) {
	type entry struct {
		id string
		ev *outbox.Event
	}
	entries := make([]entry, 0, len(msgs))
	for _, m := range msgs {
		e := entry{id: m.ID}
		if event != nil {
			e.ev = event(m)
		}
		entries = append(entries, e)
	}
	inst, withCounter := instanceKey(name)
	withCounter = withCounter && count
	for len(entries) > 0 {
		var items []types.TransactWriteItem
		pos := make([]int, len(entries)) // item index of each entry's message
		for i, e := range entries {
			pos[i] = len(items)
			items = append(items, s.ifWithdrawable(failUpdate(reason, at), e.id, at))
			if e.ev != nil {
				items = append(items, s.put(s.eventItem(*e.ev), notExists, nil))
			}
		}
		counterAt := len(items)
		if withCounter {
			items = append(items, s.upd(newUpdate().add(attrFailedCount, int64(len(entries))), inst, exists))
		}
		err := s.write(ctx, items...)
		var c *canceled
		if err == nil {
			return len(entries), nil
		}
		if !errors.As(err, &c) {
			return 0, err
		}
		kept := entries[:0]
		for i, e := range entries {
			if !c.failed(pos[i]) {
				kept = append(kept, e)
			}
		}
		dropped := len(kept) < len(entries) || (withCounter && c.failed(counterAt))
		if withCounter && c.failed(counterAt) {
			withCounter = false
		}
		if !dropped {
			return 0, err // not a pending check: e.g. an event id that exists
		}
		entries = kept
	}
	return 0, nil
}
