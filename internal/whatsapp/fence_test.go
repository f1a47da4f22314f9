package whatsapp

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/lease"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// fenceLog records what the driver tells its Fencer.
type fenceLog struct {
	mu  sync.Mutex
	log []string
}

func (f *fenceLog) Fence(jid types.JID, l lease.Fence) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, "fence "+jid.User+" "+l.Instance+" "+string(rune('0'+l.Token)))
}

func (f *fenceLog) Unfence(jid types.JID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, "unfence "+jid.User)
}

func (f *fenceLog) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// TestDeviceFencedWhileConnectedUnderALease: a device connected by a
// Connect whose context carries the instance's lease fence has its key
// writes put under that fence once it is logged in, and taken out of it
// when the connection ends; a connection without a fence fences nothing.
func TestDeviceFencedWhileConnectedUnderALease(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	fences := &fenceLog{}
	d, jid, ev := linkedOnFakeServer(t, srv, phoneA, Config{Fences: fences})
	require.Empty(t, fences.got(), "linked without a lease")

	d.Disconnect(inst)
	ctx := lease.WithFence(context.Background(), lease.Fence{Instance: inst, Token: 8})
	require.NoError(t, d.Connect(ctx, inst, phoneA))
	ev.WaitFor(t, inst, drivertest.Connected)
	require.Eventually(t, func() bool { return len(fences.got()) == 1 }, 10*time.Second, time.Millisecond)
	require.Equal(t, []string{"fence " + jid.User + " " + inst + " 8"}, fences.got())

	d.Disconnect(inst)
	require.Equal(t, []string{"fence " + jid.User + " " + inst + " 8", "unfence " + jid.User}, fences.got())
}
