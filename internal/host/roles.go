package host

import (
	"context"
	"errors"

	"github.com/wagateway/wagateway/internal/lease"
)

// Roles are jobs one host of a shard does for all of them (the outbox
// relay: lease.RelayRole), each under a lease of its own name, like an
// instance: the host holding it does the job; the others take it over
// when it is released or expires. Holds tells who does.

// TakeRoles acquires the host's presence lease and the free roles now,
// once: Run does it first thing, and a caller that starts jobs gated on a
// role next to Run (the relay) calls it before, so that they know at
// once whether they lead. Without leases it does nothing.
func (h *Host) TakeRoles(ctx context.Context) {
	if !h.leased() {
		return
	}
	h.rolesOnce.Do(func() {
		h.present(ctx)
		h.keepRoles(ctx, nil)
	})
}

// Holds reports whether this host holds role's lease now. Without
// leases (one host) every role is the host's.
func (h *Host) Holds(role string) bool {
	if !h.leased() {
		return true
	}
	now := h.cfg.Clock.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	l, ok := h.roles[role]
	return ok && now.Before(l.Expires)
}

// keepRoles renews the roles this host holds and acquires the free ones
// (as the last listed leases show them; with none listed, at the start,
// it tries them all). Called by the lease loop.
func (h *Host) keepRoles(ctx context.Context, listed []lease.Lease) {
	now := h.cfg.Clock.Now()
	free := map[string]bool{}
	for _, r := range h.cfg.Roles {
		free[r] = true
	}
	for _, l := range listed {
		if free[l.Instance] && l.HeldAt(now) && l.Holder != h.cfg.Holder {
			free[l.Instance] = false
		}
	}
	for _, role := range h.cfg.Roles {
		h.mu.Lock()
		cur, mine := h.roles[role]
		h.mu.Unlock()
		rctx, cancel := context.WithTimeout(ctx, leaseIOTimeout)
		var l lease.Lease
		var err error
		switch {
		case mine && now.Before(cur.Expires):
			if cur.Expires.Sub(now) > h.cfg.LeaseTTL-h.renewAfter() {
				cancel()
				continue
			}
			l, err = h.cfg.Leases.Renew(rctx, cur, h.cfg.LeaseTTL, now)
		case free[role]:
			l, err = h.cfg.Leases.Acquire(rctx, role, h.cfg.Holder, h.cfg.LeaseTTL, now)
		default:
			cancel()
			h.dropRole(role)
			continue
		}
		cancel()
		if err != nil {
			if !errors.Is(err, lease.ErrHeld) {
				h.warnUnlessStopping(ctx, "lease of role "+role, err)
			}
			if errors.Is(err, lease.ErrLost) || errors.Is(err, lease.ErrHeld) {
				h.dropRole(role)
			}
			continue
		}
		h.mu.Lock()
		h.roles[role] = l
		h.mu.Unlock()
		if !mine {
			h.log.Info("role taken", "role", role, "token", l.Token)
			if h.cfg.OnRole != nil {
				h.cfg.OnRole(role)
			}
		}
	}
}

func (h *Host) dropRole(role string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.roles, role)
}

// releaseRoles releases every role on a clean stop.
func (h *Host) releaseRoles() {
	h.mu.Lock()
	ls := make([]lease.Lease, 0, len(h.roles))
	for _, l := range h.roles {
		ls = append(ls, l)
	}
	h.roles = map[string]lease.Lease{}
	h.mu.Unlock()
	for _, l := range ls {
		h.releaseLease(context.Background(), l)
	}
}
