package drivertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
)

// chatPresence: the chat presences an open instance shows reach the
// phone side, in order and to the right chat; a closed instance shows
// none and says so.
func chatPresence(t *testing.T, s *setup) {
	ctx := context.Background()
	err := s.d.Presence(ctx, instB, phoneA, driver.Composing)
	require.True(t, errors.Is(err, driver.ErrNotConnected), "an instance never connected: %v", err)

	s.link(t, instA, phoneA)
	want := []driver.Presence{
		{To: phoneB, State: driver.Composing},
		{To: phoneB, State: driver.Paused},
		{To: phoneA, State: driver.Recording},
		{To: phoneA, State: driver.Paused},
	}
	for _, p := range want {
		require.NoError(t, s.d.Presence(ctx, instA, p.To, p.State), "%s to %s", p.State, p.To)
	}
	// The phone side may see them a little after the calls return.
	var got []driver.Presence
	require.Eventually(t, func() bool {
		got = withoutTimes(s.p.Presences(instA))
		return len(got) >= len(want)
	}, Timeout, time.Millisecond)
	require.Equal(t, want, got)
	require.Empty(t, s.p.Presences(instB))
}

func withoutTimes(ps []driver.Presence) []driver.Presence {
	out := make([]driver.Presence, 0, len(ps))
	for _, p := range ps {
		p.At = time.Time{}
		out = append(out, p)
	}
	return out
}
