package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/lease"
)

// Attributes of the lease item (see the package doc; expiresAt is
// attrExpiresAt).
const (
	attrHolder = "holder" // absent once released
	attrToken  = "token"  // the fencing token
)

// leaseAttempts bounds the read-decide-write rounds of one lease change.
// A lost round means another writer changed the lease, after which the
// next round nearly always ends (ErrHeld, ErrLost or granted); rounds run
// out only if the lease keeps changing hands faster than one round trip.
const leaseAttempts = 10

// Every lease is an item of one partition, so List is one Query whose
// cost is the leases' total size (about 100 bytes each: 300 instances
// read for 6 RRU) rather than one read per instance. One partition takes
// 1,000 writes a second: renewals every 8 s leave room for about 8,000
// instances, the most one table is meant to hold.
const leasePartition = "LEASES"

func leaseKey(instance string) item { return key(leasePartition, instance) }

// LeaseStore is the DynamoDB adapter of lease.Store, on the table's lease
// items. Every change reads the item (strongly consistent), applies the
// rule of package lease and puts the result on condition that the item
// is still exactly what was read (absent, or the same token, holder and
// expiry): of two hosts that read the same state only one put succeeds,
// and the other decides again from the new state, so two hosts never
// both hold a lease. The rules run on the caller's now; DynamoDB's own
// clock plays no part.
type LeaseStore struct{ s *Store }

var _ lease.Store = (*LeaseStore)(nil)

// NewLeaseStore returns the lease store on table (made by CreateTable).
func NewLeaseStore(client *dynamodb.Client, table string) *LeaseStore {
	return &LeaseStore{s: New(client, table)}
}

// Acquire implements lease.Store.
func (ls *LeaseStore) Acquire(ctx context.Context, instance, holder string, ttl time.Duration, now time.Time) (lease.Lease, error) {
	l, err := ls.change(ctx, instance, nil, func(cur lease.Lease) (lease.Lease, error) {
		return lease.Acquire(cur, instance, holder, ttl, now)
	})
	if err != nil {
		return lease.Lease{}, fmt.Errorf("acquire lease of %s for %s: %w", instance, holder, err)
	}
	return l, nil
}

// Renew implements lease.Store. It first assumes the item is still l,
// which it is unless the lease changed hands: a renewal is then one
// conditional put, without a read.
func (ls *LeaseStore) Renew(ctx context.Context, l lease.Lease, ttl time.Duration, now time.Time) (lease.Lease, error) {
	next, err := ls.change(ctx, l.Instance, &l, func(cur lease.Lease) (lease.Lease, error) {
		return lease.Renew(cur, l, ttl, now)
	})
	if err != nil {
		return lease.Lease{}, fmt.Errorf("renew lease of %s (token %d): %w", l.Instance, l.Token, err)
	}
	return next, nil
}

// Release implements lease.Store, assuming like Renew.
func (ls *LeaseStore) Release(ctx context.Context, l lease.Lease) error {
	_, err := ls.change(ctx, l.Instance, &l, func(cur lease.Lease) (lease.Lease, error) {
		return lease.Release(cur, l)
	})
	if err != nil {
		return fmt.Errorf("release lease of %s (token %d): %w", l.Instance, l.Token, err)
	}
	return nil
}

// Current implements lease.Store.
func (ls *LeaseStore) Current(ctx context.Context, instance string) (lease.Lease, error) {
	l, _, err := ls.s.readLease(ctx, instance)
	return l, err
}

// Check judges the fence f against the stored lease (lease.Check):
// lease.ErrLost once its token is no longer current. It is for writes
// that cannot carry the check in their own transaction (whatsmeow's
// device keys, devicestore.WithFences); the gateway's writes do
// (Store.write).
func (ls *LeaseStore) Check(ctx context.Context, f lease.Fence) error {
	cur, _, err := ls.s.readLease(ctx, f.Instance)
	if err != nil {
		return err
	}
	if err := lease.Check(cur, f.Token, f.Now); err != nil {
		return fmt.Errorf("lease of %s: %w", f.Instance, err)
	}
	return nil
}

// List implements lease.Store: one strongly consistent Query of the
// lease partition.
func (ls *LeaseStore) List(ctx context.Context) ([]lease.Lease, error) {
	var out []lease.Lease
	err := ls.s.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  names(attrPK),
		ExpressionAttributeValues: item{":pk": str(leasePartition)},
		ConsistentRead:            aws.Bool(true),
	}, func(it item) error {
		out = append(out, lease.Lease{Instance: getStr(it, attrSK), Holder: getStr(it, attrHolder),
			Token: getInt(it, attrToken), Expires: getTime(it, attrExpiresAt)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list leases: %w", err)
	}
	return out, nil
}

// change stores what decide makes of the instance's lease. guess, when
// not nil, is taken for the stored lease in the first round instead of
// reading it; if decide refuses it or the put finds the item otherwise,
// the next round reads the real one, so a wrong guess costs a round but
// never changes the outcome.
func (ls *LeaseStore) change(ctx context.Context, instance string, guess *lease.Lease,
	decide func(cur lease.Lease) (lease.Lease, error)) (lease.Lease, error) {
	for attempt := 0; ; attempt++ {
		cur, found, guessed := lease.Lease{}, true, guess != nil && attempt == 0
		if guessed {
			cur = *guess
			cur.Expires = cur.Expires.Truncate(time.Millisecond) // as stored
		} else {
			var err error
			if cur, found, err = ls.s.readLease(ctx, instance); err != nil {
				return lease.Lease{}, err
			}
		}
		next, refused := decide(cur)
		switch {
		case refused != nil && guessed:
			continue
		case refused != nil:
			return lease.Lease{}, refused
		}
		cond, vals := leaseIs(cur, found)
		err := ls.s.write(ctx, ls.s.put(leaseItem(next), cond, vals))
		var c *canceled
		switch {
		case err == nil:
			return next, nil
		case !errors.As(err, &c) || !c.failed(0):
			return lease.Lease{}, fmt.Errorf("write lease: %w", err)
		case guessed:
			continue
		case attempt+1 == leaseAttempts:
			return lease.Lease{}, fmt.Errorf("lease still contended after %d attempts", leaseAttempts)
		}
		if err := ls.s.pause(ctx, attempt); err != nil {
			return lease.Lease{}, err
		}
	}
}

// readLease reads the lease of instance (strongly consistent); found is
// false when it never had one, and the lease is then the zero Lease.
func (s *Store) readLease(ctx context.Context, instance string) (lease.Lease, bool, error) {
	it, found, err := s.get(ctx, leaseKey(instance))
	if err != nil {
		return lease.Lease{}, false, fmt.Errorf("read lease of %s: %w", instance, err)
	}
	return lease.Lease{Instance: instance, Holder: getStr(it, attrHolder), Token: getInt(it, attrToken),
		Expires: getTime(it, attrExpiresAt)}, found, nil
}

func leaseItem(l lease.Lease) item {
	it := leaseKey(l.Instance)
	it[attrToken] = num(l.Token)
	setStr(it, attrHolder, l.Holder)
	setTime(it, attrExpiresAt, l.Expires)
	return it
}

// leaseIs is the condition that the lease item is still cur (absent when
// not found): every change moves its token, holder or expiry, and a
// state never comes back once left (tokens only grow), so an unchanged
// item means no other write came in between.
func leaseIs(cur lease.Lease, found bool) (string, item) {
	if !found {
		return notExists, nil
	}
	cond, vals := "#"+attrToken+" = :token", item{":token": num(cur.Token)}
	if cur.Holder == "" {
		cond += " AND attribute_not_exists(#" + attrHolder + ")"
	} else {
		cond += " AND #" + attrHolder + " = :holder"
		vals[":holder"] = str(cur.Holder)
	}
	if cur.Expires.IsZero() {
		cond += " AND attribute_not_exists(#" + attrExpiresAt + ")"
	} else {
		cond += " AND #" + attrExpiresAt + " = :expiresAt"
		vals[":expiresAt"] = ms(cur.Expires)
	}
	return cond, vals
}

// leaseFence is the fencing check for a write made for instance under
// token: it reads the lease, applies lease.Check (lease.ErrLost when the
// token is no longer current), and returns the condition check to add to
// the write's transaction, so the write lands only if that grant is still
// in place (same token, not released) when it commits. A cancellation on
// this item is lease.ErrLost. The condition leaves the expiry out on
// purpose: the holder renewing its lease meanwhile must not fail its own
// writes, and with the same token a renewal only moves the expiry later.
// Cost: 1 RRU, and the check is priced as a write in the transaction.
func (s *Store) leaseFence(ctx context.Context, instance string, token int64, now time.Time) (types.TransactWriteItem, error) {
	cur, _, err := s.readLease(ctx, instance)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	if err := lease.Check(cur, token, now); err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("lease of %s: %w", instance, err)
	}
	cond := "#" + attrToken + " = :token AND attribute_exists(#" + attrHolder + ")"
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: s.tableName(), Key: leaseKey(instance),
		ConditionExpression: &cond, ExpressionAttributeNames: namesIn(cond),
		ExpressionAttributeValues: item{":token": num(token)}}}, nil
}
