package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/lease"
)

// Conditions on an item's existence.
const (
	exists    = "attribute_exists(#pk)"
	notExists = "attribute_not_exists(#pk)"
)

// put writes it, guarded by cond ("" for none) whose :values are vals.
func (s *Store) put(it item, cond string, vals item) types.TransactWriteItem {
	p := &types.Put{TableName: s.tableName(), Item: it}
	if cond != "" {
		p.ConditionExpression, p.ExpressionAttributeNames = &cond, namesIn(cond)
		if len(vals) > 0 {
			p.ExpressionAttributeValues = vals
		}
	}
	return types.TransactWriteItem{Put: p}
}

// del deletes the item at k, guarded by cond as in put.
func (s *Store) del(k item, cond string, vals item) types.TransactWriteItem {
	d := &types.Delete{TableName: s.tableName(), Key: k}
	if cond != "" {
		d.ConditionExpression, d.ExpressionAttributeNames = &cond, namesIn(cond)
		if len(vals) > 0 {
			d.ExpressionAttributeValues = vals
		}
	}
	return types.TransactWriteItem{Delete: d}
}

// check makes the transaction depend on cond holding for the item at k.
func (s *Store) check(k item, cond string) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: s.tableName(), Key: k,
		ConditionExpression: &cond, ExpressionAttributeNames: namesIn(cond)}}
}

// upd applies u to the item at k, guarded by cond (its :values added to u
// with when).
func (s *Store) upd(u *update, k item, cond string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: u.on(s.table, k, cond)}
}

// conflictRetries bounds how often a write that collided with another
// transaction on one of its items is tried again.
const conflictRetries = 8

// write runs items as one TransactWriteItems (a single item as a plain
// write, at half the cost) and retries while another transaction holds one
// of its items. A write refused by its conditions is a *canceled.
//
// A write whose ctx carries a lease.Fence (made by a session host for an
// instance) also checks that fence, in the same transaction: the lease's
// condition check goes last, so callers' item indexes stay as they are,
// and when it fails the write fails with lease.ErrLost.
func (s *Store) write(ctx context.Context, items ...types.TransactWriteItem) error {
	fenced := false
	if f, ok := lease.FenceFrom(ctx); ok && len(items) > 0 {
		check, err := s.leaseFence(ctx, f.Instance, f.Token, f.Now)
		if err != nil {
			return err
		}
		items, fenced = append(slices.Clip(items), check), true
	}
	for attempt := 0; ; attempt++ {
		err := s.writeOnce(ctx, items)
		var c *canceled
		if fenced && errors.As(err, &c) && c.failed(len(items)-1) {
			return fmt.Errorf("write under lease token: %w", lease.ErrLost)
		}
		if !errors.As(err, &c) || !c.conflict() || attempt == conflictRetries {
			return err
		}
		if err := s.pause(ctx, attempt); err != nil {
			return err
		}
	}
}

// pause waits before retry attempt+1: exponential backoff with jitter, so
// colliding writers spread out.
func (s *Store) pause(ctx context.Context, attempt int) error {
	d := min(5*time.Millisecond<<attempt, 250*time.Millisecond)
	select {
	case <-s.clock.After(d/2 + rand.N(d)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) writeOnce(ctx context.Context, items []types.TransactWriteItem) error {
	if len(items) == 1 {
		return single(s.writeSingle(ctx, items[0]))
	}
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return err
	}
	c := &canceled{codes: make([]string, len(items))}
	for i, r := range tce.CancellationReasons {
		if i < len(c.codes) && r.Code != nil {
			c.codes[i] = *r.Code
		}
	}
	if len(tce.CancellationReasons) == 0 {
		c.codes = reasonsFromMessage(tce.ErrorMessage(), len(items))
	}
	return c
}

func (s *Store) writeSingle(ctx context.Context, it types.TransactWriteItem) error {
	var err error
	switch {
	case it.Put != nil:
		p := it.Put
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression,
			ExpressionAttributeNames: p.ExpressionAttributeNames, ExpressionAttributeValues: p.ExpressionAttributeValues})
	case it.Update != nil:
		u := it.Update
		_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression,
			ConditionExpression: u.ConditionExpression, ExpressionAttributeNames: u.ExpressionAttributeNames,
			ExpressionAttributeValues: u.ExpressionAttributeValues})
	case it.Delete != nil:
		d := it.Delete
		_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: d.TableName, Key: d.Key, ConditionExpression: d.ConditionExpression,
			ExpressionAttributeNames: d.ExpressionAttributeNames, ExpressionAttributeValues: d.ExpressionAttributeValues})
	default:
		err = errors.New("dynamo: a lone condition check writes nothing")
	}
	return err
}

// single turns the errors of a plain write into the *canceled of a
// one-item transaction, so callers handle both alike.
func single(err error) error {
	var ccf *types.ConditionalCheckFailedException
	var tc *types.TransactionConflictException
	switch {
	case errors.As(err, &ccf):
		return &canceled{codes: []string{reasonConditionFailed}}
	case errors.As(err, &tc):
		return &canceled{codes: []string{reasonConflict}}
	}
	return err
}

// Cancellation reason codes of TransactWriteItems.
const (
	reasonConditionFailed = "ConditionalCheckFailed"
	reasonConflict        = "TransactionConflict"
)

// canceled is a write that DynamoDB refused: codes[i] is the reason for
// item i ("None" or "" when that item was not the cause).
type canceled struct{ codes []string }

func (c *canceled) Error() string { return "write canceled: [" + strings.Join(c.codes, ", ") + "]" }

// failed reports whether item i's condition did not hold.
func (c *canceled) failed(i int) bool { return i < len(c.codes) && c.codes[i] == reasonConditionFailed }

func (c *canceled) conflict() bool {
	for _, code := range c.codes {
		if code == reasonConflict {
			return true
		}
	}
	return false
}

// reasonsFromMessage reads the reasons from the error text ("... reasons
// [ConditionalCheckFailed, None]") for servers that send no structured list.
func reasonsFromMessage(msg string, n int) []string {
	codes := make([]string, n)
	open, end := strings.LastIndex(msg, "["), strings.LastIndex(msg, "]")
	if open < 0 || end < open {
		return codes
	}
	for i, c := range strings.Split(msg[open+1:end], ",") {
		if i < n {
			codes[i] = strings.TrimSpace(c)
		}
	}
	return codes
}
