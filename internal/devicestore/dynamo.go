package devicestore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/fault"
)

// errExists is what an insert-once write returns when the item is there:
// the SQL store fails the same way on its primary key.
var errExists = fmt.Errorf("item already exists: %w", fault.ErrConflict)

// condAbsent is the condition of an insert-once write.
const condAbsent = "attribute_not_exists(sk)"

// getItem reads one item, strongly consistent like the SQL store; nil when
// absent. Inside a decryption transaction its own writes are seen first.
func (c *Container) getItem(ctx context.Context, pk, sk string) (item, error) {
	if tx := c.txnFrom(ctx); tx != nil {
		if it, ok := tx.lookup(pk, sk); ok {
			return it, nil
		}
	}
	out, err := c.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(c.table), Key: keyItem(pk, sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

// putItem writes a whole item, replacing any; buffered inside a decryption
// transaction.
func (c *Container) putItem(ctx context.Context, it item) error {
	if tx := c.txnFrom(ctx); tx != nil {
		tx.put(it, false)
		return nil
	}
	_, err := c.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(c.table), Item: it})
	return err
}

// putNew writes an item that must not exist yet, or returns errExists.
// Inside a decryption transaction the check is made now (as SQL would fail
// the insert now) and again atomically at commit.
func (c *Container) putNew(ctx context.Context, it item) error {
	if tx := c.txnFrom(ctx); tx != nil {
		pk, sk := keyOf(it)
		existing, err := c.getItem(ctx, pk, sk)
		if err != nil {
			return err
		}
		if existing != nil {
			return errExists
		}
		tx.put(it, true)
		return nil
	}
	_, err := c.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(c.table), Item: it, ConditionExpression: aws.String(condAbsent),
	})
	if isConditionFailed(err) {
		return errExists
	}
	return err
}

// deleteItem deletes one item if it exists; buffered inside a decryption
// transaction.
func (c *Container) deleteItem(ctx context.Context, pk, sk string) error {
	if tx := c.txnFrom(ctx); tx != nil {
		tx.delete(pk, sk)
		return nil
	}
	_, err := c.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(c.table), Key: keyItem(pk, sk)})
	return err
}

// keyOf returns the partition and sort key of an item.
func keyOf(it item) (string, string) {
	r := reader{it: it}
	return r.s(attrPK), r.s(attrSK)
}

// prefixQuery selects the items of one partition whose sort key starts with
// prefix.
func prefixQuery(pk, prefix string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: item{":pk": avS(pk), ":prefix": avS(prefix)},
	}
}

// queryEach runs a query page by page (strongly consistent), calling each
// for every item until it returns false.
func (c *Container) queryEach(ctx context.Context, in *dynamodb.QueryInput, each func(item) bool) error {
	in.TableName = aws.String(c.table)
	in.ConsistentRead = aws.Bool(true)
	pages := dynamodb.NewQueryPaginator(c.db, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, it := range page.Items {
			if !each(it) {
				return nil
			}
		}
	}
	return nil
}

// deletePrefix deletes every item of a partition whose sort key starts with
// prefix, and returns how many there were.
func (c *Container) deletePrefix(ctx context.Context, pk, prefix string) (int, error) {
	in := prefixQuery(pk, prefix)
	in.ProjectionExpression = aws.String("pk, sk")
	return c.deleteMatching(ctx, in)
}

// deleteMatching deletes what a query (projecting the keys) finds, one
// page at a time so that memory stays flat however much there is.
func (c *Container) deleteMatching(ctx context.Context, in *dynamodb.QueryInput) (int, error) {
	in.TableName = aws.String(c.table)
	in.ConsistentRead = aws.Bool(true)
	pages := dynamodb.NewQueryPaginator(c.db, in)
	n := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return n, err
		}
		reqs := make([]ddb.WriteRequest, 0, len(page.Items))
		for _, it := range page.Items {
			reqs = append(reqs, deleteRequest(keyOf(it)))
		}
		if err := c.batchWrite(ctx, reqs); err != nil {
			return n, err
		}
		n += len(reqs)
	}
	return n, nil
}

func deleteRequest(pk, sk string) ddb.WriteRequest {
	return ddb.WriteRequest{DeleteRequest: &ddb.DeleteRequest{Key: keyItem(pk, sk)}}
}

func putRequest(it item) ddb.WriteRequest {
	return ddb.WriteRequest{PutRequest: &ddb.PutRequest{Item: it}}
}

// isConditionFailed tells whether a write failed its condition, alone or
// as part of a transaction.
func isConditionFailed(err error) bool {
	var ccf *ddb.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true
	}
	return cancelReason(err, "ConditionalCheckFailed") >= 0
}

// cancelReason returns the index of the first transaction item cancelled
// for the given reason code, or -1.
func cancelReason(err error, code string) int {
	var tce *ddb.TransactionCanceledException
	if !errors.As(err, &tce) {
		return -1
	}
	for i, r := range tce.CancellationReasons {
		if aws.ToString(r.Code) == code {
			return i
		}
	}
	return -1
}
