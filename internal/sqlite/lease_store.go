package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	instlease "github.com/wagateway/wagateway/internal/lease"
)

// LeaseStore is the SQLite adapter of lease.Store, on the instance_leases
// table. Package lease is imported as instlease: lease.go in this package
// is another thing, the in-memory claims on deliveries.
//
// Every change reads the row, applies the rule of package lease and
// writes its result in one write transaction; the single writer runs
// those one at a time, so of concurrent Acquires exactly one sees the
// lease free. Writes are durable (fsync): a token forgotten in a power
// cut could be granted twice.
type LeaseStore struct{ db *DB }

var _ instlease.Store = (*LeaseStore)(nil)

// NewLeaseStore returns the lease store on db.
func NewLeaseStore(db *DB) *LeaseStore { return &LeaseStore{db: db} }

// Acquire implements lease.Store.
func (s *LeaseStore) Acquire(ctx context.Context, instance, holder string, ttl time.Duration, now time.Time) (instlease.Lease, error) {
	l, err := s.change(ctx, instance, func(cur instlease.Lease) (instlease.Lease, error) {
		return instlease.Acquire(cur, instance, holder, ttl, now)
	})
	if err != nil {
		return instlease.Lease{}, fmt.Errorf("acquire lease of %s for %s: %w", instance, holder, err)
	}
	return l, nil
}

// Renew implements lease.Store.
func (s *LeaseStore) Renew(ctx context.Context, l instlease.Lease, ttl time.Duration, now time.Time) (instlease.Lease, error) {
	next, err := s.change(ctx, l.Instance, func(cur instlease.Lease) (instlease.Lease, error) {
		return instlease.Renew(cur, l, ttl, now)
	})
	if err != nil {
		return instlease.Lease{}, fmt.Errorf("renew lease of %s (token %d): %w", l.Instance, l.Token, err)
	}
	return next, nil
}

// Release implements lease.Store.
func (s *LeaseStore) Release(ctx context.Context, l instlease.Lease) error {
	_, err := s.change(ctx, l.Instance, func(cur instlease.Lease) (instlease.Lease, error) {
		return instlease.Release(cur, l)
	})
	if err != nil {
		return fmt.Errorf("release lease of %s (token %d): %w", l.Instance, l.Token, err)
	}
	return nil
}

// Current implements lease.Store. The read pool sees every committed
// write, and a write returns only once committed.
func (s *LeaseStore) Current(ctx context.Context, instance string) (instlease.Lease, error) {
	l, err := scanLease(instance, s.db.queryRow(ctx, selectLease, instance))
	if err != nil {
		return instlease.Lease{}, fmt.Errorf("read lease of %s: %w", instance, err)
	}
	return l, nil
}

// List implements lease.Store.
func (s *LeaseStore) List(ctx context.Context) ([]instlease.Lease, error) {
	rows, err := s.db.query(ctx, `SELECT instance_name, holder, token, expires_at FROM instance_leases`)
	if err != nil {
		return nil, fmt.Errorf("list leases: %w", err)
	}
	defer rows.Close()
	var out []instlease.Lease
	for rows.Next() {
		var l instlease.Lease
		var expires sql.NullInt64
		if err := rows.Scan(&l.Instance, &l.Holder, &l.Token, &expires); err != nil {
			return nil, fmt.Errorf("list leases: %w", err)
		}
		l.Expires = fromMS(expires)
		out = append(out, l)
	}
	return out, rows.Err()
}

// change runs decide on the instance's stored lease and stores what it
// returns, in one write transaction. A refusal writes nothing and is not
// the transaction's error, so it does not undo the writes batched with it.
func (s *LeaseStore) change(ctx context.Context, instance string, decide func(cur instlease.Lease) (instlease.Lease, error)) (instlease.Lease, error) {
	var next instlease.Lease
	var refused error
	err := s.db.Write(ctx, func(tx *Tx) error {
		next, refused = instlease.Lease{}, nil // fn may run more than once
		cur, err := readLease(tx, instance)
		if err != nil {
			return err
		}
		if next, refused = decide(cur); refused != nil {
			return nil
		}
		_, err = tx.Exec(`INSERT INTO instance_leases(instance_name, holder, token, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(instance_name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at`,
			instance, next.Holder, next.Token, nullMS(next.Expires))
		if err != nil {
			return fmt.Errorf("write lease: %w", err)
		}
		return nil
	})
	if err != nil {
		return instlease.Lease{}, err
	}
	return next, refused
}

// leaseFence is the fencing check for writes made for an instance under
// a lease (lease.Check), inside their write transaction: the single
// writer guarantees the lease cannot change before that write commits.
// It fails with lease.ErrLost once token is no longer current.
func leaseFence(tx *Tx, instance string, token int64, now time.Time) error {
	cur, err := readLease(tx, instance)
	if err != nil {
		return err
	}
	if err := instlease.Check(cur, token, now); err != nil {
		return fmt.Errorf("lease of %s: %w", instance, err)
	}
	return nil
}

const selectLease = `SELECT holder, token, expires_at FROM instance_leases WHERE instance_name = ?`

func readLease(tx *Tx, instance string) (instlease.Lease, error) {
	l, err := scanLease(instance, tx.QueryRow(selectLease, instance))
	if err != nil {
		return instlease.Lease{}, fmt.Errorf("read lease of %s: %w", instance, err)
	}
	return l, nil
}

// scanLease reads a lease row; no row is the zero Lease of instance.
func scanLease(instance string, row *sql.Row) (instlease.Lease, error) {
	l := instlease.Lease{Instance: instance}
	var expires sql.NullInt64
	err := row.Scan(&l.Holder, &l.Token, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil
	}
	l.Expires = fromMS(expires)
	return l, err
}
