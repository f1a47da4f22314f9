package fault

import "time"

// RateLimitedError is a 429 that tells the client when to try again: the
// HTTP layer sends RetryAfter as the Retry-After header and Msg as the
// body's error. errors.Is(err, ErrRateLimited) holds for it.
type RateLimitedError struct {
	Msg string
	// Wait is how long until the request would pass, exactly.
	Wait time.Duration
}

// RateLimited returns a 429 with a public message and the wait.
func RateLimited(msg string, wait time.Duration) *RateLimitedError {
	return &RateLimitedError{Msg: msg, Wait: wait}
}

func (e *RateLimitedError) Error() string { return e.Msg }

// Unwrap lets errors.Is match ErrRateLimited.
func (e *RateLimitedError) Unwrap() error { return ErrRateLimited }

// RetryAfter is the Retry-After value: Wait in whole seconds, rounded up
// so a client that waits that long is not refused again, and at least 1,
// since 0 would invite an immediate retry.
func (e *RateLimitedError) RetryAfter() int {
	s := (e.Wait + time.Second - 1) / time.Second
	return int(max(s, 1))
}
