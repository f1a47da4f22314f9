package devicestore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB's limits per call.
const (
	maxBatchWrite = 25
	maxBatchGet   = 100
	maxTransact   = 100
)

// maxAttempts bounds the retries of unprocessed batch items and of
// transactions that collided with another one.
const maxAttempts = 8

// backoff waits before retry attempt n (1-based) on the injected clock:
// 25 ms doubling, at most 1.6 s.
func (c *Container) backoff(ctx context.Context, n int) error {
	d := 25 * time.Millisecond << min(n-1, 6)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.clock.After(d):
		return nil
	}
}

// batchWrite writes in batches of 25, retrying what DynamoDB leaves
// unprocessed. Not atomic: callers use it where the SQL store's atomicity
// does not matter to whatsmeow (independent rows, or deletions).
func (c *Container) batchWrite(ctx context.Context, reqs []ddb.WriteRequest) error {
	for len(reqs) > 0 {
		n := min(len(reqs), maxBatchWrite)
		pending := map[string][]ddb.WriteRequest{c.table: reqs[:n]}
		for attempt := 1; len(pending[c.table]) > 0; attempt++ {
			if attempt > 1 {
				if attempt > maxAttempts {
					return fmt.Errorf("batch write: %d items still unprocessed", len(pending[c.table]))
				}
				if err := c.backoff(ctx, attempt-1); err != nil {
					return err
				}
			}
			out, err := c.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("batch write: %w", err)
			}
			pending = out.UnprocessedItems
		}
		reqs = reqs[n:]
	}
	return nil
}

// batchGet reads items by key in batches of 100, strongly consistent,
// retrying unprocessed keys. Duplicate keys are read once; the order of
// the result is unspecified.
func (c *Container) batchGet(ctx context.Context, keys []item) ([]item, error) {
	seen := make(map[[2]string]bool, len(keys))
	unique := make([]item, 0, len(keys))
	for _, k := range keys {
		pk, sk := keyOf(k)
		if !seen[[2]string{pk, sk}] {
			seen[[2]string{pk, sk}] = true
			unique = append(unique, k)
		}
	}
	var out []item
	for len(unique) > 0 {
		n := min(len(unique), maxBatchGet)
		pending := map[string]ddb.KeysAndAttributes{c.table: {Keys: unique[:n], ConsistentRead: aws.Bool(true)}}
		for attempt := 1; len(pending[c.table].Keys) > 0; attempt++ {
			if attempt > 1 {
				if attempt > maxAttempts {
					return nil, fmt.Errorf("batch get: %d keys still unprocessed", len(pending[c.table].Keys))
				}
				if err := c.backoff(ctx, attempt-1); err != nil {
					return nil, err
				}
			}
			res, err := c.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return nil, fmt.Errorf("batch get: %w", err)
			}
			out = append(out, res.Responses[c.table]...)
			pending = res.UnprocessedKeys
		}
		unique = unique[n:]
	}
	return out, nil
}

// transact writes up to 100 items atomically, retrying when DynamoDB
// cancels the transaction only because another one touched the same
// items. A failed condition is returned as is (see isConditionFailed).
func (c *Container) transact(ctx context.Context, items []ddb.TransactWriteItem) error {
	if len(items) > maxTransact {
		return fmt.Errorf("transaction of %d items exceeds %d", len(items), maxTransact)
	}
	for attempt := 1; ; attempt++ {
		_, err := c.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil || !retryableTxn(err) || attempt == maxAttempts {
			return err
		}
		if err := c.backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// transactChunks writes items in atomic chunks of up to 100: each chunk
// all or nothing, the whole not.
func (c *Container) transactChunks(ctx context.Context, items []ddb.TransactWriteItem) error {
	for len(items) > 0 {
		n := min(len(items), maxTransact)
		if err := c.transact(ctx, items[:n]); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// retryableTxn tells a transaction cancelled by contention (and nothing
// else) from one whose conditions failed.
func retryableTxn(err error) bool {
	var tce *ddb.TransactionCanceledException
	if errors.As(err, &tce) {
		contention := false
		for _, r := range tce.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "", "None":
			case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded":
				contention = true
			default:
				return false
			}
		}
		return contention
	}
	var inProgress *ddb.TransactionInProgressException
	return errors.As(err, &inProgress)
}

func (c *Container) txPut(it item, cond string) ddb.TransactWriteItem {
	p := &ddb.Put{TableName: aws.String(c.table), Item: it}
	if cond != "" {
		p.ConditionExpression = aws.String(cond)
	}
	return ddb.TransactWriteItem{Put: p}
}

func (c *Container) txDelete(pk, sk string) ddb.TransactWriteItem {
	return ddb.TransactWriteItem{Delete: &ddb.Delete{TableName: aws.String(c.table), Key: keyItem(pk, sk)}}
}
