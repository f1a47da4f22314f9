package fault

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRateLimitedRetryAfter(t *testing.T) {
	for _, c := range []struct {
		wait time.Duration
		want int
	}{
		{-time.Second, 1},
		{0, 1},
		{time.Millisecond, 1},
		{time.Second, 1},
		{time.Second + time.Nanosecond, 2},
		{59*time.Minute + 59*time.Second + 1, 3600},
		{time.Hour, 3600},
	} {
		require.Equal(t, c.want, RateLimited("x", c.wait).RetryAfter(), "wait %v", c.wait)
	}
}

func TestRateLimitedIsRateLimited(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", RateLimited("Too many", time.Minute))
	require.ErrorIs(t, err, ErrRateLimited)
	var rl *RateLimitedError
	require.True(t, errors.As(err, &rl))
	require.Equal(t, "Too many", rl.Error())
	require.Equal(t, 60, rl.RetryAfter())
}
