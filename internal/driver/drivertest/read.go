package drivertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
)

// readReceipts: an open instance's read receipts reach the phone side as
// sent, one per call, with their ids in order, for a direct chat and for
// a participant of a group; a closed instance sends none and says so.
func readReceipts(t *testing.T, s *setup) {
	ctx := context.Background()
	closed := driver.ReadReceipt{Chat: phoneA, Sender: phoneA, WAMessageIDs: []string{"3EB0A1B2C3D4E5F60001"}, At: t0}
	err := s.d.MarkRead(ctx, instB, closed)
	require.True(t, errors.Is(err, driver.ErrNotConnected), "an instance never connected: %v", err)

	s.link(t, instA, phoneA)
	want := []driver.ReadReceipt{
		{Chat: phoneB, Sender: phoneB, WAMessageIDs: []string{"3EB0A1B2C3D4E5F60002", "3EB0A1B2C3D4E5F60003"}},
		{Chat: group, Sender: phoneB, WAMessageIDs: []string{"3EB0A1B2C3D4E5F60004"}},
	}
	for _, r := range want {
		r.At = t0
		require.NoError(t, s.d.MarkRead(ctx, instA, r), "receipt in %s", r.Chat)
	}
	var got []driver.ReadReceipt
	require.Eventually(t, func() bool {
		got = readsWithoutTimes(s.p.Reads(instA))
		return len(got) >= len(want)
	}, Timeout, time.Millisecond)
	require.Equal(t, want, got)
	require.Empty(t, s.p.Reads(instB))
}

func readsWithoutTimes(rs []driver.ReadReceipt) []driver.ReadReceipt {
	out := make([]driver.ReadReceipt, 0, len(rs))
	for _, r := range rs {
		r.At = time.Time{}
		out = append(out, r)
	}
	return out
}
