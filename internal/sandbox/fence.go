package sandbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/wagateway/wagateway/internal/lease"
)

// Fences is where the network reads an instance's lease to judge the
// fencing token an action carries: the lease store the hosts share.
type Fences interface {
	Current(ctx context.Context, instance string) (lease.Lease, error)
}

// fencing is the network's guard against a session host acting for an
// instance it no longer holds, which WhatsApp cannot do for us: with
// several hosts, each with its own sandbox network in process, the
// shared lease store is the one thing they agree on.
type fencing struct {
	store   Fences
	log     *slog.Logger
	refused atomic.Int64
}

// CheckFences makes the network refuse every action whose context
// carries a lease.Fence (lease.WithFence) that is no longer current by
// the network's clock, and count the refusals (StaleRefused). Accepted
// fenced actions are logged at debug level ("sandbox action", with the
// instance, token and operation), refusals at warn level: the chaos test
// checks from those lines that no host acted for an instance after
// another was granted it. Call it before the network is used.
func (n *Network) CheckFences(store Fences, log *slog.Logger) {
	n.fences = &fencing{store: store, log: log}
}

// StaleRefused is how many actions CheckFences refused.
func (n *Network) StaleRefused() int64 {
	if n.fences == nil {
		return 0
	}
	return n.fences.refused.Load()
}

// fenceOK judges the fence ctx carries, if any, for an action op on
// instance: lease.ErrLost when its token is no longer current.
func (n *Network) fenceOK(ctx context.Context, instance, op string) error {
	f, ok := lease.FenceFrom(ctx)
	if n.fences == nil || !ok {
		return nil
	}
	cur, err := n.fences.store.Current(ctx, instance)
	if err != nil {
		return fmt.Errorf("sandbox: read lease: %w", err)
	}
	if err := lease.Check(cur, f.Token, n.clk.Now()); err != nil || f.Instance != instance {
		n.fences.refused.Add(1)
		n.fences.log.Warn("sandbox refused stale fence", "instance", instance, "token", f.Token, "current", cur.Token, "op", op)
		return fmt.Errorf("sandbox: %s refused: %w", op, lease.ErrLost)
	}
	n.fences.log.Debug("sandbox action", "instance", instance, "token", f.Token, "op", op)
	return nil
}
