package sandbox_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/lease"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/sandbox"
)

// leaseMap is a lease store reduced to what the network reads.
type leaseMap struct {
	mu sync.Mutex
	m  map[string]lease.Lease
}

func (l *leaseMap) Current(_ context.Context, inst string) (lease.Lease, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m[inst], nil
}

func (l *leaseMap) set(x lease.Lease) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[x.Instance] = x
}

// TestFencesRefuseStaleHolders: with CheckFences, an action carrying the
// current token goes through; one carrying a superseded token, or one
// after the lease expired by the network's clock, is refused with
// lease.ErrLost and counted; an action without a fence is not judged.
func TestFencesRefuseStaleHolders(t *testing.T) {
	const inst, to = "acme__c__main", "5491112345678"
	clk := clock.NewFake(t0)
	n := sandbox.New(drivertest.NewRecorder(), clk, rand.New(rand.NewPCG(1, 2)))
	leases := &leaseMap{m: map[string]lease.Lease{}}
	n.CheckFences(leases, slog.New(slog.DiscardHandler))
	leases.set(lease.Lease{Instance: inst, Holder: "a", Token: 1, Expires: t0.Add(time.Minute)})
	fenced := func(token int64) context.Context {
		return lease.WithFence(context.Background(), lease.Fence{Instance: inst, Token: token, Now: clk.Now()})
	}
	ctx := context.Background()
	require.NoError(t, n.Connect(fenced(1), inst, "5491100000001"))
	require.NoError(t, n.Send(fenced(1), inst, driver.Outbound{Type: message.Text, To: to, Text: "by a", WAMessageID: "3EB0A"}))

	leases.set(lease.Lease{Instance: inst, Holder: "b", Token: 2, Expires: t0.Add(2 * time.Minute)})
	require.ErrorIs(t, n.Send(fenced(1), inst, driver.Outbound{Type: message.Text, To: to, Text: "stale", WAMessageID: "3EB0B"}), lease.ErrLost)
	require.ErrorIs(t, n.Connect(fenced(1), inst, "5491100000001"), lease.ErrLost)
	require.NoError(t, n.Send(fenced(2), inst, driver.Outbound{Type: message.Text, To: to, Text: "by b", WAMessageID: "3EB0C"}))
	clk.Advance(2 * time.Minute)
	require.ErrorIs(t, n.Send(fenced(2), inst, driver.Outbound{Type: message.Text, To: to, Text: "expired", WAMessageID: "3EB0D"}), lease.ErrLost)
	require.NoError(t, n.Send(ctx, inst, driver.Outbound{Type: message.Text, To: to, Text: "unfenced", WAMessageID: "3EB0E"}))

	require.EqualValues(t, 3, n.StaleRefused())
	var texts []string
	for _, r := range n.Sent(inst) {
		texts = append(texts, r.Outbound.Text)
	}
	require.Equal(t, []string{"by a", "by b", "unfenced"}, texts)
}
