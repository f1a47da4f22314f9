package host

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/lease"
)

// Leases is the part of the lease store (lease.Store) the host uses to
// hold instances: with several hosts on one shard, an instance is
// connected only by the host holding its lease.
type Leases interface {
	Acquire(ctx context.Context, instance, holder string, ttl time.Duration, now time.Time) (lease.Lease, error)
	Renew(ctx context.Context, l lease.Lease, ttl time.Duration, now time.Time) (lease.Lease, error)
	Release(ctx context.Context, l lease.Lease) error
	List(ctx context.Context) ([]lease.Lease, error)
}

// Lease timing. A lease lasts DefaultLeaseTTL; the host looks at its
// leases every ttl/8 (leaseTick): it renews those granted or renewed
// more than ttl/3 ago, and claims free instances (lease.Claims). A host
// that dies is replaced, instance by instance, within ttl (its last
// renewal) plus a tick (the survivors' next claim) plus a reconnect.
const (
	DefaultLeaseTTL = 24 * time.Second
	// linkHold is how long a lease taken to link an instance is kept
	// while the instance is not linked: WhatsApp's QR codes end after
	// 160 s; a pairing code lives about as long.
	linkHold = 3 * time.Minute
	// leaseIOTimeout bounds one lease store call.
	leaseIOTimeout = 5 * time.Second
)

// errElsewhere answers work for an instance another host holds.
var errElsewhere = fault.New(fault.ErrSession, "Instance is held by another session host; try again in a moment")

// ErrElsewhere reports whether err means another host holds the
// instance (the command worker then hands the command back).
func ErrElsewhere(err error) bool { return errors.Is(err, errElsewhere) }

// leased reports whether instances are held under leases.
func (h *Host) leased() bool { return h.cfg.Leases != nil }

func (h *Host) leaseTick() time.Duration  { return h.cfg.LeaseTTL / 8 }
func (h *Host) renewAfter() time.Duration { return h.cfg.LeaseTTL / 3 }

// fenced returns ctx carrying the fence of the instance's lease, and
// whether this host holds it at now: writes and driver actions made with
// the returned context are refused by the stores (and the sandbox
// network) once the lease has passed to another host. Without leases
// everything is the host's.
func (h *Host) fenced(ctx context.Context, inst string) (context.Context, bool) {
	if !h.leased() {
		return ctx, true
	}
	now := h.cfg.Clock.Now()
	h.mu.Lock()
	l, ok := h.held[inst]
	h.mu.Unlock()
	if !ok || !now.Before(l.Expires) {
		return ctx, false
	}
	return lease.WithFence(ctx, lease.Fence{Instance: inst, Token: l.Token, Now: now}), true
}

// holding is fenced for callbacks: an error when the host does not hold
// the instance, so the driver does not acknowledge what it reported.
func (h *Host) holding(ctx context.Context, inst string) (context.Context, error) {
	fctx, ok := h.fenced(ctx, inst)
	if !ok {
		return ctx, fmt.Errorf("instance %s: %w", inst, lease.ErrLost)
	}
	return fctx, nil
}

// Elsewhere reports whether another host held the instance's lease at
// the last look (within two lease ticks): its queue messages and
// commands are handed back at once for that host to take. Messages of an
// instance nobody holds (not connected anywhere) stay with whoever
// received them, until a host takes it.
func (h *Host) Elsewhere(inst string) bool {
	mine, fresh, other := h.whose(inst)
	return !mine && fresh && other
}

// whose tells, for inst, whether this host holds its lease, whether the
// last look at the leases is recent, and whether it showed another
// holder.
func (h *Host) whose(inst string) (mine, fresh, other bool) {
	if !h.leased() {
		return true, true, false
	}
	now := h.cfg.Clock.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.held[inst]; ok {
		return true, true, false
	}
	l, ok := h.view[inst]
	return false, now.Sub(h.viewAt) <= 2*h.leaseTick(), ok && l.HeldAt(now)
}

// take acquires the lease of an instance about to be linked (QR or
// pairing code): errElsewhere when another host holds it.
func (h *Host) take(ctx context.Context, inst string) (context.Context, error) {
	if !h.leased() {
		return ctx, nil
	}
	if fctx, ok := h.fenced(ctx, inst); ok {
		h.markLinking(inst)
		return fctx, nil
	}
	actx, cancel := context.WithTimeout(ctx, leaseIOTimeout)
	defer cancel()
	l, err := h.cfg.Leases.Acquire(actx, inst, h.cfg.Holder, h.cfg.LeaseTTL, h.cfg.Clock.Now())
	if errors.Is(err, lease.ErrHeld) {
		return ctx, errElsewhere
	}
	if err != nil {
		return ctx, fmt.Errorf("acquire lease: %w", err)
	}
	h.granted(l)
	h.markLinking(inst)
	return h.holding(ctx, inst)
}

func (h *Host) markLinking(inst string) {
	h.mu.Lock()
	h.linking[inst] = h.cfg.Clock.Now()
	h.mu.Unlock()
}

func (h *Host) granted(l lease.Lease) {
	h.mu.Lock()
	h.held[l.Instance] = l
	h.view[l.Instance] = l
	h.mu.Unlock()
	h.log.Info("lease acquired", "instance", l.Instance, "token", l.Token)
}

// leaseLoop renews this host's presence lease (lease.Presence), its
// roles and its instance leases, and claims instances, every tick until
// ctx ends. The first claim waits a tick, so that hosts started together
// all count each other before any of them claims.
func (h *Host) leaseLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.cfg.Clock.After(h.leaseTick()):
		}
		h.present(ctx)
		h.renew(ctx)
		h.claim(ctx)
	}
}

// present acquires or renews the host's presence lease. Losing it only
// means the others count one host fewer until the next tick.
func (h *Host) present(ctx context.Context) {
	now := h.cfg.Clock.Now()
	pctx, cancel := context.WithTimeout(ctx, leaseIOTimeout)
	defer cancel()
	var l lease.Lease
	var err error
	if h.hostLease.Token > 0 && now.Before(h.hostLease.Expires) {
		l, err = h.cfg.Leases.Renew(pctx, h.hostLease, h.cfg.LeaseTTL, now)
	}
	if h.hostLease.Token == 0 || err != nil || !now.Before(h.hostLease.Expires) {
		l, err = h.cfg.Leases.Acquire(pctx, lease.Presence(h.cfg.Shard, h.cfg.Holder), h.cfg.Holder, h.cfg.LeaseTTL, now)
	}
	if err != nil {
		h.warnUnlessStopping(ctx, "presence lease", err)
		return
	}
	h.hostLease = l
}

// renew renews the leases due, and drops every instance whose lease is
// lost or can no longer be proven before the next tick.
func (h *Host) renew(ctx context.Context) {
	now := h.cfg.Clock.Now()
	for _, l := range h.heldLeases() {
		if l.Expires.Sub(now) > h.cfg.LeaseTTL-h.renewAfter() {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, leaseIOTimeout)
		next, err := h.cfg.Leases.Renew(rctx, l, h.cfg.LeaseTTL, now)
		cancel()
		switch {
		case err == nil:
			h.mu.Lock()
			if cur, ok := h.held[l.Instance]; ok && cur.Token == l.Token {
				h.held[l.Instance] = next
			}
			h.mu.Unlock()
		case ctx.Err() != nil:
			return
		case errors.Is(err, lease.ErrLost):
			h.drop(l.Instance, "lease lost")
		case l.Expires.Sub(h.cfg.Clock.Now()) <= h.leaseTick()+leaseIOTimeout:
			h.log.Warn("renew lease", "instance", l.Instance, "err", err.Error())
			h.drop(l.Instance, "lease could not be renewed before it expires")
		default:
			h.log.Warn("renew lease, will retry", "instance", l.Instance, "err", err.Error())
		}
	}
}

// claim looks at every lease: acquires the free instances lease.Plan
// gives this host and connects them, releases leases of instances no
// longer linked (nor being linked), and hands back the queue messages of
// instances another host holds.
func (h *Host) claim(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, 2*leaseIOTimeout)
	defer cancel()
	ls, err := h.cfg.Leases.List(cctx)
	if err != nil {
		h.warnUnlessStopping(ctx, "list leases", err)
		h.handBackElsewhere()
		return
	}
	linked, err := h.cfg.Store.ListLinked(cctx)
	if err != nil {
		h.warnUnlessStopping(ctx, "list linked instances", err)
		return
	}
	now := h.cfg.Clock.Now()
	phones := make(map[string]string, len(linked))
	names := make([]string, 0, len(linked))
	for _, in := range linked {
		if n, err := h.shardOf(cctx, in.Name.String()); err != nil || n != h.cfg.Shard {
			continue // another shard's (or unknown yet: the next tick)
		}
		phones[in.Name.String()] = in.PhoneNumber
		names = append(names, in.Name.String())
	}
	h.mu.Lock()
	h.view, h.viewAt = make(map[string]lease.Lease, len(ls)), now
	for _, l := range ls {
		h.view[l.Instance] = l
	}
	claims, shed := lease.Plan(h.cfg.Holder, names, h.ofShard(ls, phones), now, h.rnd)
	h.mu.Unlock()
	h.keepRoles(ctx, ls)
	h.releaseUnlinked(ctx, phones, now)
	if shed > 0 {
		h.shed(ctx)
	}
	h.handBackElsewhere()
	for _, inst := range claims {
		actx, cancel := context.WithTimeout(ctx, leaseIOTimeout)
		l, err := h.cfg.Leases.Acquire(actx, inst, h.cfg.Holder, h.cfg.LeaseTTL, now)
		cancel()
		if err != nil {
			if !errors.Is(err, lease.ErrHeld) {
				h.warnUnlessStopping(ctx, "acquire lease", err)
			}
			continue
		}
		h.granted(l)
		h.reconnect(inst, phones[inst], 0)
	}
}

// shardOf returns an instance's shard: the linked instances are listed
// from an index that does not carry it, so it is read and remembered
// (instance.Shards).
func (h *Host) shardOf(ctx context.Context, inst string) (int, error) {
	now := h.cfg.Clock.Now()
	if n, ok := h.shards.Get(inst, now); ok {
		return n, nil
	}
	in, err := h.cfg.Store.GetInstance(ctx, inst)
	if err != nil {
		return 0, err
	}
	h.shards.Put(inst, in.Shard, now)
	return in.Shard, nil
}

// ofShard keeps the leases that matter for this host's shard: those of
// its instances (mine) and the presence of its hosts. Call with mu held.
func (h *Host) ofShard(ls []lease.Lease, mine map[string]string) []lease.Lease {
	presence := lease.ShardPresence(h.cfg.Shard)
	out := make([]lease.Lease, 0, len(ls))
	for _, l := range ls {
		if _, ok := mine[l.Instance]; ok || strings.HasPrefix(l.Instance, presence) {
			out = append(out, l)
		}
	}
	return out
}

// releaseUnlinked releases the leases of instances that are not linked
// and were not being linked within linkHold (logged out, deleted, or a
// QR nobody scanned).
func (h *Host) releaseUnlinked(ctx context.Context, phones map[string]string, now time.Time) {
	for _, l := range h.heldLeases() {
		if _, ok := phones[l.Instance]; ok {
			continue
		}
		h.mu.Lock()
		since, linking := h.linking[l.Instance]
		h.mu.Unlock()
		if linking && now.Sub(since) < linkHold {
			continue
		}
		h.drop(l.Instance, "instance not linked")
		h.releaseLease(ctx, l)
	}
}

// shed gives up one instance, for a host below its share to take:
// hosts even out after one joined, a reconnect at a time.
func (h *Host) shed(ctx context.Context) {
	ls := h.heldLeases()
	if len(ls) == 0 {
		return
	}
	h.mu.Lock()
	l := ls[h.rnd.IntN(len(ls))]
	h.mu.Unlock()
	h.drop(l.Instance, "rebalancing: over this host's share")
	h.releaseLease(ctx, l)
}

func (h *Host) releaseLease(ctx context.Context, l lease.Lease) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaseIOTimeout)
	defer cancel()
	if err := h.cfg.Leases.Release(rctx, l); err != nil && !errors.Is(err, lease.ErrLost) {
		h.log.Warn("release lease", "instance", l.Instance, "err", err.Error())
	}
}

// drop stops acting for an instance at once: forgets its lease,
// disconnects it and hands its held queue messages back. It writes
// nothing for the instance: whoever holds the lease now does.
func (h *Host) drop(inst, why string) {
	h.mu.Lock()
	_, had := h.held[inst]
	delete(h.held, inst)
	delete(h.linking, inst)
	delete(h.qr, inst)
	if l, ok := h.view[inst]; ok && l.Holder == h.cfg.Holder {
		// Ours no more, whoever has it now: the next look tells.
		l.Holder = "?"
		h.view[inst] = l
	}
	s := h.sessions[inst]
	delete(h.sessions, inst)
	h.mu.Unlock()
	h.cfg.Driver.Disconnect(inst)
	if s != nil {
		s.setOpen(false)
		h.handBack(s)
	}
	if had {
		h.log.Info("instance dropped", "instance", inst, "why", why)
	}
}

// handBackElsewhere, every lease tick, hands back the held messages of
// every instance another host holds, and, when the leases could not be
// read lately (a partition from the store), of every instance this host
// does not hold: it cannot tell who has them. Once a tick, not at every
// receive, so that a host that cannot see the leases does not spin the
// queues (each receive counts towards the DLQ's maxReceiveCount).
func (h *Host) handBackElsewhere() {
	for _, s := range h.allSessions() {
		if mine, fresh, other := h.whose(s.name); !mine && (other || !fresh) {
			h.handBack(s)
		}
	}
}

// handBack makes a session's held queue messages visible again at once,
// for the host holding its instance.
func (h *Host) handBack(s *session) {
	ctx, cancel := context.WithTimeout(context.Background(), leaseIOTimeout)
	defer cancel()
	for _, m := range s.takeAll() {
		if err := m.q.ChangeVisibility(ctx, m.receipt, 0); err != nil {
			h.log.Warn("hand back held message", "instance", s.name, "messageId", m.id, "err", err.Error())
		}
	}
}

// releaseAll, on a clean stop, disconnects and releases the instances one
// by one (a store round trip each), so that an instance is never
// connected by two hosts and the hosts taking over find them free at
// their next tick instead of after the lease time; the presence lease
// goes last.
func (h *Host) releaseAll() {
	for _, l := range h.heldLeases() {
		h.drop(l.Instance, "host stopping")
		h.releaseLease(context.Background(), l)
	}
	h.releaseRoles()
	if h.hostLease.Token > 0 {
		h.releaseLease(context.Background(), h.hostLease)
	}
}

func (h *Host) heldLeases() []lease.Lease {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]lease.Lease, 0, len(h.held))
	for _, l := range h.held {
		out = append(out, l)
	}
	return out
}

func (h *Host) warnUnlessStopping(ctx context.Context, op string, err error) {
	if ctx.Err() == nil {
		h.log.Warn(op, "err", err.Error())
	}
}
