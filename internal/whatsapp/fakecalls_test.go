package whatsapp

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// TestCallsOnFakeServer: a call offer (from the caller's LID, as WhatsApp
// sends them) reaches the host with the caller's number; the driver
// rejects it only when the host says so, before acknowledging the offer.
func TestCallsOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	_, jid, ev := withGroupEvents(t, srv, phoneA)
	ctx := context.Background()
	call := func(t *testing.T, from string, video bool) (string, driver.Call) {
		t.Helper()
		id, err := srv.Call(ctx, jid, from, video)
		require.NoError(t, err)
		got := take(t, ev.calls)
		require.WithinDuration(t, time.Now(), got.At, 5*time.Second)
		got.At = time.Time{}
		return id, got
	}

	id, got := call(t, phoneB, false)
	require.Equal(t, driver.Call{From: phoneB, CallID: id}, got)
	require.Empty(t, srv.CallRejects(jid), "the host let it ring")

	ev.answer(nil, true)
	id, got = call(t, phoneC, true)
	require.Equal(t, driver.Call{From: phoneC, CallID: id, Video: true}, got)
	require.Equal(t, []whatsapptest.CallReject{{From: jid, CallID: id, Caller: phoneC}}, srv.CallRejects(jid),
		"rejected before the offer was acknowledged")
}
