package httpapi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
)

func TestLimiter(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := newLimiter(2, 4, clk) // 2/s, burst 4
	for range 4 {
		_, ok := l.allow("a")
		require.True(t, ok)
	}
	wait, ok := l.allow("a")
	require.False(t, ok)
	require.Equal(t, 1, wait)
	_, ok = l.allow("b")
	require.True(t, ok, "buckets are per tenant")

	clk.Advance(500 * time.Millisecond) // one token back
	_, ok = l.allow("a")
	require.True(t, ok)
	_, ok = l.allow("a")
	require.False(t, ok)

	slow := newLimiter(0.1, 1, clk) // one per 10 s
	_, ok = slow.allow("a")
	require.True(t, ok)
	wait, ok = slow.allow("a")
	require.False(t, ok)
	require.Equal(t, 10, wait, "Retry-After rounds up to whole seconds")

	off := newLimiter(0, 1, clk)
	for range 1000 {
		_, ok := off.allow("a")
		require.True(t, ok)
	}
}
