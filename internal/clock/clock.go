// Package clock abstracts time so that everything that waits (lanes,
// retries, leases, rate limits) can run simulated hours in tests.
package clock

import "time"

// Clock tells the time and makes timers.
type Clock interface {
	Now() time.Time
	// After waits for d and then sends the current time, like time.After.
	After(d time.Duration) <-chan time.Time
}

// Real is the wall clock.
type Real struct{}

var _ Clock = Real{}

// Now returns time.Now in UTC.
func (Real) Now() time.Time { return time.Now().UTC() }

// After is time.After.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Format renders t as the API writes every timestamp: ISO 8601, UTC,
// milliseconds, e.g. 2026-03-15T10:30:00.000Z.
func Format(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
