package host

import (
	"context"
	"time"

	"github.com/wagateway/wagateway/internal/lane"
)

// NextSendAt estimates when a new message on lane l would go out from
// this instance: once the lane's windows allow it, after the messages
// already waiting ahead of it (same or higher priority) and their mean
// delays. POST /message/send uses it to pick the instance that can send
// soonest.
func (h *Host) NextSendAt(ctx context.Context, name string, l lane.Lane) (time.Time, error) {
	s, err := h.session(ctx, name)
	if err != nil {
		return time.Time{}, err
	}
	now := h.cfg.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.pacer.EarliestSend(l, now)
	if at.Before(now) {
		at = now
	}
	mean := func(ln lane.Lane) time.Duration {
		p := ln.Policy()
		return time.Duration(float64(p.MinDelay+p.MaxDelay) / 2 * h.cfg.DelayScale)
	}
	// Messages of the same or a higher priority go first; of the others,
	// at most one (the one in flight) does.
	var lower time.Duration
	for _, m := range s.holding {
		if m.lane.Priority() <= l.Priority() {
			at = at.Add(mean(m.lane))
		} else {
			lower = max(lower, mean(m.lane))
		}
	}
	return at.Add(lower), nil
}
