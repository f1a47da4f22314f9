package lease

import (
	"errors"
	"fmt"
	"time"
)

// The rules below are pure: each takes the instance's stored lease (the
// zero Lease, with Token 0, when it never had one) and returns the lease
// to store, or why nothing changes. Stores read, apply the rule and write
// its result atomically with respect to other writers of the same lease
// (SQLite: in one write transaction; DynamoDB: a write conditioned on the
// item being unchanged since the read), so the rules exist only here.

// MinTTL is the shortest lease: expiries are kept to the millisecond, so
// a shorter ttl could expire the moment it is granted.
const MinTTL = time.Millisecond

// Acquire grants the lease of instance to holder for ttl from now when it
// is free (never held, released, or expired): with the next token. When
// holder already holds it, unexpired, Acquire extends it and keeps the
// token, so retrying an Acquire whose answer was lost (a timeout) returns
// the lease the first call granted rather than fencing off that holder's
// own work. Otherwise it fails with a *HeldError (ErrHeld).
func Acquire(cur Lease, instance, holder string, ttl time.Duration, now time.Time) (Lease, error) {
	if err := valid(instance, holder, ttl); err != nil {
		return Lease{}, err
	}
	switch {
	case cur.HeldAt(now) && cur.Holder == holder:
		return grant(instance, holder, cur.Token, ttl, now), nil
	case cur.HeldAt(now):
		return Lease{}, &HeldError{Holder: cur.Holder, Until: cur.Expires}
	}
	return grant(instance, holder, cur.Token+1, ttl, now), nil
}

// Renew extends the lease l (as granted to its holder) to ttl from now.
// Only the current holder with the current token may, and only before it
// expires. An expired lease is lost even if nobody took it: from its
// expiry on, another host may have acquired it at any moment, so its
// holder must already have stopped (it could not prove it held it), and
// stores refuse its token. Letting a late renewal revive the old token
// would make writes the holder made while it could not prove it held the
// lease (a paused process waking up) indistinguishable from valid ones;
// a fresh Acquire instead gives a new token, which fences them off.
func Renew(cur, l Lease, ttl time.Duration, now time.Time) (Lease, error) {
	if err := valid(l.Instance, l.Holder, ttl); err != nil {
		return Lease{}, err
	}
	if err := Check(cur, l.Token, now); err != nil {
		return Lease{}, err
	}
	if cur.Holder != l.Holder {
		// Same token, other holder: cannot happen with tokens granted by
		// these rules; refuse rather than hand over the lease.
		return Lease{}, fmt.Errorf("%w: token %d belongs to %s", ErrLost, l.Token, cur.Holder)
	}
	return grant(l.Instance, l.Holder, l.Token, ttl, now), nil
}

// Release frees the lease l at once, so another host can acquire it
// without waiting for its expiry. The token stays: the next Acquire gets
// a higher one. Releasing a lease that is already free with the same
// token (a retried Release, or one after it expired unclaimed) is done
// already, and returns the free lease. A lease granted anew since l fails
// with ErrLost and stays as it is.
func Release(cur, l Lease) (Lease, error) {
	if err := valid(l.Instance, l.Holder, MinTTL); err != nil {
		return Lease{}, err
	}
	if l.Token < 1 {
		return Lease{}, errors.New("lease: release of a lease never granted (token 0)")
	}
	if cur.Token != l.Token || (cur.Holder != "" && cur.Holder != l.Holder) {
		return Lease{}, lostTo(cur, l.Token)
	}
	return Lease{Instance: l.Instance, Token: l.Token}, nil
}

// Check is the fencing check: it reports whether token is still the
// current one of the instance whose stored lease is cur at now, that is,
// whether a write made under that token may still be accepted. It fails
// with ErrLost once the lease expired, was released, or was granted anew.
// Expiry counts even when nobody took the lease over: the holder can no
// longer prove it holds it (see Renew).
func Check(cur Lease, token int64, now time.Time) error {
	switch {
	case cur.Token != token:
		return lostTo(cur, token)
	case cur.Holder == "":
		return fmt.Errorf("%w: released", ErrLost)
	case !now.Before(cur.Expires):
		return fmt.Errorf("%w: expired at %s", ErrLost, cur.Expires.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// lostTo is ErrLost for a token that is no longer the stored one.
func lostTo(cur Lease, token int64) error {
	if cur.Token < token {
		// Only a store that lost its state (or a forged lease) gets here.
		return fmt.Errorf("%w: token %d was never granted (the store is at %d)", ErrLost, token, cur.Token)
	}
	return fmt.Errorf("%w: token %d superseded by %d", ErrLost, token, cur.Token)
}

func grant(instance, holder string, token int64, ttl time.Duration, now time.Time) Lease {
	// Rounded down to what stores keep, so that what a store returns is
	// what it stored and a lease never lasts longer than asked.
	return Lease{Instance: instance, Holder: holder, Token: token, Expires: now.Add(ttl).Truncate(time.Millisecond).UTC()}
}

func valid(instance, holder string, ttl time.Duration) error {
	switch {
	case instance == "":
		return errors.New("lease: no instance")
	case holder == "":
		return errors.New("lease: no holder") // empty means free
	case ttl < MinTTL:
		return fmt.Errorf("lease: ttl %s under %s", ttl, MinTTL)
	}
	return nil
}
