package devicestore

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A decryption transaction (whatsmeow's DoDecryptionTxn) buffers the
// single-item writes made inside it — sessions, identities, prekey
// removals, sender keys, the buffered event — and commits them with one
// TransactWriteItems, so that a ratchet never advances without its
// plaintext being buffered, nor the reverse. Single-item reads inside it
// see its writes. Writes that are not single-item puts or deletes (updates,
// prefix deletes) go straight to the table, as they are not part of
// decrypting; so do queries.
type txn struct {
	c     *Container
	mu    sync.Mutex
	ops   map[[2]string]*txOp
	order [][2]string
}

// txOp is the net effect of a transaction on one item.
type txOp struct {
	it     item // nil: delete
	absent bool // the item must not have existed before the transaction
}

type txnKey struct{}

// txnFrom returns the decryption transaction of ctx if it is this
// container's.
func (c *Container) txnFrom(ctx context.Context) *txn {
	tx, _ := ctx.Value(txnKey{}).(*txn)
	if tx != nil && tx.c == c {
		return tx
	}
	return nil
}

// doTxn runs fn in a decryption transaction; nested calls join the outer
// one, as SQL transactions in whatsmeow's store do.
func (c *Container) doTxn(ctx context.Context, fn func(context.Context) error) error {
	if c.txnFrom(ctx) != nil {
		return fn(ctx)
	}
	tx := &txn{c: c, ops: make(map[[2]string]*txOp)}
	if err := fn(context.WithValue(ctx, txnKey{}, tx)); err != nil {
		return err
	}
	return tx.commit(ctx)
}

func (tx *txn) lookup(pk, sk string) (item, bool) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	op, ok := tx.ops[[2]string{pk, sk}]
	if !ok {
		return nil, false
	}
	return op.it, true
}

func (tx *txn) put(it item, absent bool) {
	pk, sk := keyOf(it)
	tx.set([2]string{pk, sk}, it, absent)
}

func (tx *txn) delete(pk, sk string) {
	tx.set([2]string{pk, sk}, nil, false)
}

// set records the new state of an item. A condition on the state before
// the transaction stays with the item whatever is written after it.
func (tx *txn) set(k [2]string, it item, absent bool) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if op, ok := tx.ops[k]; ok {
		op.it = it
		return
	}
	tx.ops[k] = &txOp{it: it, absent: absent}
	tx.order = append(tx.order, k)
}

func (tx *txn) commit(ctx context.Context) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	c := tx.c
	items := make([]ddb.TransactWriteItem, 0, len(tx.order))
	for _, k := range tx.order {
		op := tx.ops[k]
		var cond *string
		if op.absent {
			cond = aws.String(condAbsent)
		}
		if op.it == nil {
			items = append(items, ddb.TransactWriteItem{Delete: &ddb.Delete{
				TableName: aws.String(c.table), Key: keyItem(k[0], k[1]), ConditionExpression: cond,
			}})
			continue
		}
		items = append(items, ddb.TransactWriteItem{Put: &ddb.Put{
			TableName: aws.String(c.table), Item: op.it, ConditionExpression: cond,
		}})
	}
	if len(items) > maxTransact {
		// Not seen in practice: one decryption writes a handful of items.
		c.log.Warnf("Decryption transaction of %d writes is committed in parts", len(items))
	}
	err := c.transactChunks(ctx, items)
	if isConditionFailed(err) {
		return fmt.Errorf("commit decryption: %w", errExists)
	}
	if err != nil {
		return fmt.Errorf("commit decryption: %w", err)
	}
	return nil
}
