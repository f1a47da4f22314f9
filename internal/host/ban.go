package host

import (
	"context"
	"time"
)

// banGrace is how long after a temporary ban's announced end the host
// reconnects, scaled by jitter to 24–36 s: WhatsApp has surely lifted the
// ban by then, and instances banned together do not all come back in the
// same instant.
const banGrace = 30 * time.Second

// ban is what the host knows of an instance's temporary ban. until comes
// from BannedUntil and is used by the Disconnected(banned) that follows;
// gen (unique across the host) identifies the scheduled reconnect, so
// that a newer ban, a connection, a logout or a deletion cancels it.
type ban struct {
	until time.Time
	gen   uint64
}

// BannedUntil implements driver.BanEvents: the next Disconnected(banned)
// of inst pauses its lanes until until, then reconnects. A zero until
// (WhatsApp did not say) schedules nothing: the instance stays closed
// until restarted (POST /instance/{name}/restart), linked again, or the
// host restarts (which reconnects every linked instance).
//
// While paused, the instance's held queue messages stay held, their
// visibility extended as for any wait, and go out in lane order once it
// is connected again; nothing is lost or reordered. On SQS a message
// cannot stay invisible more than 12 hours after a receive: a longer ban
// makes it reappear and be received again (counting towards the lane
// queue's maxReceiveCount), which the host absorbs like any redelivery.
func (h *Host) BannedUntil(inst string, until time.Time) {
	h.mu.Lock()
	h.banSeq++
	h.bans[inst] = ban{until: until, gen: h.banSeq}
	h.mu.Unlock()
	if until.IsZero() {
		h.log.Warn("instance temporarily banned by WhatsApp, end unknown", "instance", inst)
		return
	}
	h.log.Warn("instance temporarily banned by WhatsApp", "instance", inst, "until", until.UTC().Format(time.RFC3339))
}

// reconnectAfterBan schedules the reconnect of a banned instance at the
// end of its ban, if BannedUntil announced one. The timer is taken before
// returning, so the wait starts from the disconnection.
func (h *Host) reconnectAfterBan(inst, phone string) {
	h.mu.Lock()
	b, ok := h.bans[inst]
	if !ok || b.until.IsZero() || phone == "" {
		h.mu.Unlock()
		return
	}
	h.banSeq++
	gen := h.banSeq
	b.gen = gen
	h.bans[inst] = b
	h.mu.Unlock()
	wait := b.until.Sub(h.cfg.Clock.Now()) + h.jitter(banGrace)
	timer := h.cfg.Clock.After(wait)
	h.own.post(func(ctx context.Context) {
		select {
		case <-ctx.Done():
			return
		case <-timer:
		}
		h.mu.Lock()
		current := h.bans[inst].gen == gen
		if current {
			delete(h.bans, inst)
		}
		h.mu.Unlock()
		if current {
			h.log.Info("ban over, reconnecting", "instance", inst)
			h.reconnect(inst, phone, 0)
		}
	})
}

// endBan forgets inst's ban and cancels its scheduled reconnect: it
// connected (so the ban is over), logged out or was deleted.
func (h *Host) endBan(inst string) {
	h.mu.Lock()
	delete(h.bans, inst)
	h.mu.Unlock()
}
