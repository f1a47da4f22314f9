package host_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
)

// TestNoLinkingWhileReconnecting: a linked instance whose connection
// dropped is reconnecting on its own; asking it for a QR or a pairing code
// is a 409 that says so, not a session error (502).
func TestNoLinkingWhileReconnecting(t *testing.T) {
	r, _ := newFakeClockRig(t)
	ctx := context.Background()
	r.drv.mu.Lock()
	r.drv.stallConnects = true // the reconnect is under way, and stays so
	r.drv.mu.Unlock()
	r.drv.Disconnect(mainInst)
	r.host.Disconnected(mainInst, driver.ConnectionLost)
	requireState(t, r, instance.StateConnecting)

	_, err := r.host.LinkQR(ctx, mainInst)
	require.ErrorIs(t, err, fault.ErrConflict)
	require.ErrorContains(t, err, "reconnecting")
	_, err = r.host.PairingCode(ctx, mainInst, "5491100000001")
	require.ErrorIs(t, err, fault.ErrConflict)
	require.ErrorContains(t, err, "reconnecting")
}
