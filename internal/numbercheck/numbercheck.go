// Package numbercheck is the anti-ban limit on checking which numbers are
// on WhatsApp: asking about many numbers is a classic way to get a number
// banned, so each instance may check at most Limit numbers per rolling
// Window (API.md). Only POST /instance/{name}/contacts/check counts; every
// number asked counts, repeats too, and a request that would cross the
// limit is refused whole.
//
// The rule lives here once; the stores (SQLite, DynamoDB) keep what
// Reserve decided, encoded with Encode, and nothing else.
package numbercheck

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

const (
	// Limit is how many numbers an instance may check per Window.
	Limit = 500
	// Window is the rolling period of Limit.
	Window = time.Hour
)

// ErrCount is a request of fewer than 1 or more than Limit numbers: a
// caller's bug (the API takes 1 to 50 per request), never a client error.
var ErrCount = errors.New("number check count out of range")

// Use is one request that passed: when, and how many numbers it asked.
type Use struct {
	At time.Time
	N  int
}

// Decision is Reserve's answer.
type Decision struct {
	// OK: the numbers fit; store Uses in place of the old ones.
	OK bool
	// Uses are, when OK, the uses still inside the window at now plus the
	// new one, oldest first: all a store needs to keep.
	Uses []Use
	// Wait is, when not OK, the exact time until enough old uses have
	// left the window for the same request to fit (always > 0).
	Wait time.Duration
}

// Reserve decides whether n more numbers may be checked at now, given the
// uses recorded so far (in any order; those outside the window are
// dropped). A use at t counts while now < t+Window.
//
// now is kept at millisecond precision, which is what the encoding holds,
// so a decision made from decoded uses is the one made from the originals.
func Reserve(uses []Use, n int, now time.Time) (Decision, error) {
	if n < 1 || n > Limit {
		return Decision{}, fmt.Errorf("reserve %d numbers (1..%d): %w", n, Limit, ErrCount)
	}
	now = time.UnixMilli(now.UnixMilli()).UTC()
	live := inWindow(uses, now)
	used := 0
	for _, u := range live {
		used += u.N
	}
	if used+n <= Limit {
		return Decision{OK: true, Uses: byTime(append(live, Use{At: now, N: n}))}, nil
	}
	// Refused: the request fits once the oldest uses holding at least
	// `excess` numbers have left. n <= Limit makes excess <= used, so
	// some prefix of live always frees enough.
	excess := used + n - Limit
	freed := 0
	for _, u := range live {
		freed += u.N
		if freed >= excess {
			return Decision{Wait: u.At.Add(Window).Sub(now)}, nil
		}
	}
	return Decision{}, fmt.Errorf("reserve %d numbers: %d used but %d to free", n, used, excess) // unreachable
}

// inWindow returns the uses that still count at now, oldest first. Uses
// later than now (another server's clock slightly ahead) count in full.
func inWindow(uses []Use, now time.Time) []Use {
	from := now.Add(-Window)
	live := make([]Use, 0, len(uses)+1)
	for _, u := range uses {
		if u.At.After(from) {
			live = append(live, u)
		}
	}
	return byTime(live)
}

// byTime sorts uses oldest first, as the encoding needs; stable, so equal
// times keep the order they were recorded in.
func byTime(uses []Use) []Use {
	slices.SortStableFunc(uses, func(a, b Use) int { return a.At.Compare(b.At) })
	return uses
}
