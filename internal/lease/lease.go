// Package lease is the per-instance lease that lets exactly one session
// host connect a WhatsApp instance at a time (a device may have only one
// live connection): the Lease value, the rules that grant, renew and
// release it (rules.go, the one definition both stores apply), and the
// store port (store.go).
//
// A host connects an instance only while it holds its lease, renews it
// well before it expires, and drops that instance alone the moment it
// cannot prove it still holds it. Everything it writes for the instance
// carries the lease's fencing token, and stores refuse a token that Check
// says is no longer current, so a host that was paused (GC, network
// partition) past its expiry cannot overwrite what its successor did.
//
// Time is always the caller's: every rule takes now. Stores never read a
// clock, so hosts' clocks must roughly agree; a skew of s between two
// hosts shortens the real exclusivity of a lease by s, which is why the
// ttl should be many times any plausible skew (tens of seconds).
package lease

import (
	"errors"
	"fmt"
	"time"
)

// Lease is an instance's lease as a store keeps it: who holds it, with
// which fencing token, until when. A store keeps one per instance, ever:
// after a release Holder is empty and Expires zero, but Token stays, so
// the next grant continues the count.
type Lease struct {
	Instance string
	// Holder identifies the process holding the lease; empty once
	// released. It must be unique per process incarnation (a random id
	// made at start): a restarted host reusing its predecessor's id would
	// be taken for it by Acquire.
	Holder string
	// Token is the fencing token: it strictly increases every time the
	// lease is granted anew (to another holder, or to anyone after an
	// expiry or a release) and is never reused, even across restarts of
	// the store. 0 means the instance never had a lease.
	Token int64
	// Expires is the first instant at which the lease no longer holds,
	// to the millisecond (what every store keeps).
	Expires time.Time
}

// HeldAt reports whether someone holds the lease at now: it was not
// released and has not expired.
func (l Lease) HeldAt(now time.Time) bool {
	return l.Holder != "" && now.Before(l.Expires)
}

// ErrHeld is an Acquire refused because another holder has the lease and
// it has not expired; the error is a *HeldError saying until when.
var ErrHeld = errors.New("lease held by another holder")

// ErrLost is a Renew, Release or fencing Check by someone who no longer
// holds the lease: it expired, was released, or was granted anew (a
// higher token). The holder must stop acting for the instance at once.
var ErrLost = errors.New("lease lost")

// HeldError is ErrHeld with the holder and the time its lease expires,
// the earliest moment another Acquire can succeed.
type HeldError struct {
	Holder string
	Until  time.Time
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s: %s until %s", ErrHeld, e.Holder, e.Until.UTC().Format(time.RFC3339Nano))
}

// Unwrap makes errors.Is(err, ErrHeld) true.
func (e *HeldError) Unwrap() error { return ErrHeld }
