package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// get reads one item, strongly consistent: the API answers right after a
// write (send then status), so a stale read would be a visible bug.
func (s *Store) get(ctx context.Context, k item) (item, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.tableName(), Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, false, err
	}
	return out.Item, out.Item != nil, nil
}

// query calls fn with every item of every page of in.
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput, fn func(item) error) error {
	in.TableName = s.tableName()
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, it := range out.Items {
			if err := fn(it); err != nil {
				return err
			}
		}
	}
	return nil
}

// count runs in as a COUNT query over every page.
func (s *Store) count(ctx context.Context, in *dynamodb.QueryInput) (int, error) {
	in.TableName, in.Select = s.tableName(), types.SelectCount
	p := dynamodb.NewQueryPaginator(s.db, in)
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		n += int(out.Count)
	}
	return n, nil
}

// maxBatchGet is DynamoDB's limit on keys in one BatchGetItem.
const maxBatchGet = 100

// batchGet reads the items at keys (strongly consistent), in the order of
// keys; missing items are left out. Keys DynamoDB leaves unprocessed
// (throttling) are asked again after a pause.
func (s *Store) batchGet(ctx context.Context, keys []item) ([]item, error) {
	byPK := make(map[string]item, len(keys))
	for start := 0; start < len(keys); start += maxBatchGet {
		pending := keys[start:min(start+maxBatchGet, len(keys))]
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt > conflictRetries {
				return nil, fmt.Errorf("batch read: %d keys still unprocessed", len(pending))
			}
			if attempt > 0 {
				if err := s.pause(ctx, attempt-1); err != nil {
					return nil, err
				}
			}
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				s.table: {Keys: pending, ConsistentRead: aws.Bool(true)}}})
			if err != nil {
				return nil, err
			}
			for _, it := range out.Responses[s.table] {
				byPK[getStr(it, attrPK)] = it
			}
			pending = out.UnprocessedKeys[s.table].Keys
		}
	}
	out := make([]item, 0, len(keys))
	for _, k := range keys {
		if it, ok := byPK[getStr(k, attrPK)]; ok {
			out = append(out, it)
		}
	}
	return out, nil
}
