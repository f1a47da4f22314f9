package lease

import (
	"context"
	"time"
)

// Store keeps one lease per instance and changes it only as the rules of
// this package decide, atomically: of concurrent calls on one instance
// each sees the result of the others, so two holders never both hold it.
// Reads are strongly consistent. now is always the caller's clock.
//
// It is the port of the stores (adapters: sqlite.LeaseStore and
// dynamo.LeaseStore, both held to leasetest.Run); the session host
// declares the part it uses (host.Leases).
type Store interface {
	// Acquire applies the rule Acquire: the granted lease, or a
	// *HeldError (ErrHeld) when another holder has it.
	Acquire(ctx context.Context, instance, holder string, ttl time.Duration, now time.Time) (Lease, error)
	// Renew applies the rule Renew to l, the lease as last granted to the
	// caller: the extended lease, or ErrLost.
	Renew(ctx context.Context, l Lease, ttl time.Duration, now time.Time) (Lease, error)
	// Release applies the rule Release: nil once the lease is free, or
	// ErrLost when it was granted anew since l (and is left alone).
	Release(ctx context.Context, l Lease) error
	// Current returns the instance's stored lease, which may be free
	// (released or expired: see Lease.HeldAt); the zero Lease with
	// Instance set when it never had one.
	Current(ctx context.Context, instance string) (Lease, error)
	// List returns every stored lease, free ones included, in no order:
	// what hosts decide their claims on (Claims). It may lag the last
	// writes slightly; every change still goes through the rules.
	List(ctx context.Context) ([]Lease, error)
}
