// Package lane defines the three sending lanes and their anti-ban pacing.
// The numbers live here, in one table, because the scheduler, the rate
// limiter and the API documentation must all agree on them.
package lane

import (
	"errors"
	"time"
)

// Lane is the pacing class a message is sent in. It is a string so it can
// go to JSON and the database as-is.
type Lane string

// The lanes, named as on the wire.
const (
	Urgent Lane = "urgent"
	Normal Lane = "normal"
	Bulk   Lane = "bulk"
)

// ErrUnknown is returned by Parse; its text is shown to API users under the
// "lane" field, so it lists the accepted values.
var ErrUnknown = errors.New("Must be one of urgent, normal, bulk")

// Policy is a lane's pacing rule. PerHour/PerDay 0 means unlimited.
// MinDelay and MaxDelay bound the random pause before each send; the
// randomness, not just the rate, is what keeps traffic from looking automated.
type Policy struct {
	MinDelay, MaxDelay time.Duration
	PerHour, PerDay    int
}

// policies is the table from the API contract ("Lanes").
var policies = map[Lane]Policy{
	Urgent: {MinDelay: 1 * time.Second, MaxDelay: 2 * time.Second},
	Normal: {MinDelay: 3 * time.Second, MaxDelay: 8 * time.Second, PerHour: 80, PerDay: 500},
	Bulk:   {MinDelay: 8 * time.Second, MaxDelay: 15 * time.Second, PerHour: 30, PerDay: 200},
}

// Parse maps "" to Normal (the default lane); anything else not a lane is an
// error ErrUnknown. Matching is exact (case-sensitive) because the contract
// spells lanes in lower case and a lenient parser would let "URGENT" through
// here but not wherever lanes are compared as strings.
func Parse(s string) (Lane, error) {
	if s == "" {
		return Normal, nil
	}
	l := Lane(s)
	if !l.Valid() {
		return "", ErrUnknown
	}
	return l, nil
}

// Policy returns the lane's pacing. A Lane that is not Valid gets Bulk's
// policy: an unchecked value must fail towards sending slower, never towards
// the zero Policy, which would mean no delay and no limits.
func (l Lane) Policy() Policy {
	if p, ok := policies[l]; ok {
		return p
	}
	return policies[Bulk]
}

// Valid reports whether l is one of the three lanes, for values that did not
// come through Parse (e.g. read back from storage).
func (l Lane) Valid() bool {
	_, ok := policies[l]
	return ok
}

// All lists the lanes in priority order: urgent, normal, bulk.
// It returns a new slice each call so callers may modify it.
func All() []Lane {
	return []Lane{Urgent, Normal, Bulk}
}

// Priority returns 0 for urgent, 1 normal, 2 bulk (lower sends first).
// A Lane that is not Valid gets 3, so it can never jump ahead of real work.
func (l Lane) Priority() int {
	switch l {
	case Urgent:
		return 0
	case Normal:
		return 1
	case Bulk:
		return 2
	default:
		return 3
	}
}
