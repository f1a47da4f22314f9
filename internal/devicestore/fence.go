package devicestore

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/lease"
)

// LeaseChecker judges a lease fence against the stored lease
// (dynamo.LeaseStore): lease.ErrLost once its token is no longer current.
type LeaseChecker interface {
	Check(ctx context.Context, f lease.Fence) error
}

// WithFences makes the container check the writes of every device
// fenced with Fence against the instance's lease first: a session host
// that lost an instance's lease (paused past it, partitioned) cannot
// overwrite the keys and sessions its successor is using. whatsmeow calls
// the store with contexts of its own, so the fence is the device's, not
// the call's.
func WithFences(lc LeaseChecker) Option {
	return func(c *Container) { c.fences = &fences{check: lc, byPK: map[string]lease.Fence{}} }
}

type fences struct {
	check LeaseChecker
	mu    sync.Mutex
	byPK  map[string]lease.Fence
}

// Fence puts the device's writes (its partition: identities, sessions,
// pre-keys, sender keys, app state, contacts...) under f, the lease of the
// instance connected with it, until Unfence. Without WithFences it does
// nothing.
func (c *Container) Fence(jid types.JID, f lease.Fence) {
	if c.fences == nil {
		return
	}
	c.fences.mu.Lock()
	defer c.fences.mu.Unlock()
	c.fences.byPK[devicePK(jid)] = f
}

// Unfence ends Fence: the device is no longer connected by this process.
func (c *Container) Unfence(jid types.JID) {
	if c.fences == nil {
		return
	}
	c.fences.mu.Lock()
	defer c.fences.mu.Unlock()
	delete(c.fences.byPK, devicePK(jid))
}

// checkFences checks, before a write, the fence of every device partition
// it touches. The check reads the lease just before the write, not in its
// transaction (whatsmeow's writes include batches no transaction holds):
// a take-over in the milliseconds between the two is not caught, one
// before is. It costs a strongly consistent read per fenced write.
func (c *Container) checkFences(ctx context.Context, pks ...string) error {
	if c.fences == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, pk := range pks {
		if seen[pk] {
			continue
		}
		seen[pk] = true
		c.fences.mu.Lock()
		f, ok := c.fences.byPK[pk]
		c.fences.mu.Unlock()
		if !ok {
			continue
		}
		f.Now = c.clock.Now()
		if err := c.fences.check.Check(ctx, f); err != nil {
			return fmt.Errorf("device keys of %s: %w", f.Instance, err)
		}
	}
	return nil
}

// fencedDB is the DynamoDB client with every write checked by
// checkFences first; reads go straight through.
type fencedDB struct {
	*dynamodb.Client
	c *Container
}

func pk(it item) string { p, _ := keyOf(it); return p }

func (f fencedDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if err := f.c.checkFences(ctx, pk(in.Item)); err != nil {
		return nil, err
	}
	return f.Client.PutItem(ctx, in, opts...)
}

func (f fencedDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if err := f.c.checkFences(ctx, pk(in.Key)); err != nil {
		return nil, err
	}
	return f.Client.UpdateItem(ctx, in, opts...)
}

func (f fencedDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if err := f.c.checkFences(ctx, pk(in.Key)); err != nil {
		return nil, err
	}
	return f.Client.DeleteItem(ctx, in, opts...)
}

func (f fencedDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	var pks []string
	for _, reqs := range in.RequestItems {
		for _, r := range reqs {
			switch {
			case r.PutRequest != nil:
				pks = append(pks, pk(r.PutRequest.Item))
			case r.DeleteRequest != nil:
				pks = append(pks, pk(r.DeleteRequest.Key))
			}
		}
	}
	if err := f.c.checkFences(ctx, pks...); err != nil {
		return nil, err
	}
	return f.Client.BatchWriteItem(ctx, in, opts...)
}

func (f fencedDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	var pks []string
	for _, it := range in.TransactItems {
		pks = append(pks, txPK(it))
	}
	if err := f.c.checkFences(ctx, pks...); err != nil {
		return nil, err
	}
	return f.Client.TransactWriteItems(ctx, in, opts...)
}

func txPK(it ddb.TransactWriteItem) string {
	switch {
	case it.Put != nil:
		return pk(it.Put.Item)
	case it.Update != nil:
		return pk(it.Update.Key)
	case it.Delete != nil:
		return pk(it.Delete.Key)
	case it.ConditionCheck != nil:
		return pk(it.ConditionCheck.Key)
	}
	return ""
}
