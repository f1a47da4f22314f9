package host

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/outbox"
)

// Reconnect backoff: base·2^attempt with ±20 % jitter, capped.
const (
	reconnectBase = time.Second
	reconnectMax  = time.Minute
)

// stateTimeout bounds a connection callback's reads and writes of the
// instance (the driver waits for the callback).
const stateTimeout = 10 * time.Second

var (
	_ driver.Events        = (*Host)(nil)
	_ driver.BanEvents     = (*Host)(nil)
	_ driver.ReceiptEvents = (*Host)(nil)
)

// QR implements driver.Events: the latest code is what GET /qr shows.
func (h *Host) QR(inst, code string) {
	h.mu.Lock()
	h.qr[inst] = code
	if ch := h.qrWait[inst]; ch != nil {
		close(ch)
		delete(h.qrWait, inst)
	}
	h.mu.Unlock()
}

// Connecting implements driver.Events.
func (h *Host) Connecting(inst string) {
	h.setState(inst, func(in *instance.Instance) { in.State = instance.StateConnecting }, nil)
}

// Connected implements driver.Events: the instance is open and its
// waiting messages go out.
func (h *Host) Connected(inst, phone string) {
	if _, mine := h.fenced(context.Background(), inst); !mine {
		// Connected just as its lease went: the new holder connects it.
		h.cfg.Driver.Disconnect(inst)
		return
	}
	h.mu.Lock()
	delete(h.qr, inst)
	h.mu.Unlock()
	h.endBan(inst)
	now := h.cfg.Clock.Now()
	h.setState(inst, func(in *instance.Instance) {
		in.State, in.PhoneNumber, in.ConnectedAt = instance.StateOpen, phone, now
	}, func() *outbox.Event {
		return h.event(inst, events.InstanceConnected, connection(instance.StateOpen, ""))
	})
	h.log.Info("instance connected", "instance", inst)
	ctx, cancel := h.own.callContext(stateTimeout)
	defer cancel()
	if s, err := h.session(ctx, inst); err == nil {
		s.setOpen(true)
	}
}

// Disconnected implements driver.Events. A lost connection is retried
// with backoff; a logout unlinks; replaced stays closed (no reconnect
// ping-pong with whoever replaced us); banned stays closed, its lanes
// paused, until the end BannedUntil announced (see ban.go), if any.
func (h *Host) Disconnected(inst string, reason driver.Reason) {
	if _, mine := h.fenced(context.Background(), inst); !mine {
		return // dropped (leases.go): the instance is another host's to handle
	}
	h.mu.Lock()
	delete(h.qr, inst)
	s := h.sessions[inst]
	h.mu.Unlock()
	if s != nil {
		s.setOpen(false)
	}
	h.log.Info("instance disconnected", "instance", inst, "reason", string(reason))
	var phone string
	h.setState(inst, func(in *instance.Instance) {
		phone = in.PhoneNumber
		in.ConnectedAt = time.Time{}
		switch reason {
		case driver.ConnectionLost:
			in.State = instance.StateConnecting
		case driver.LoggedOut:
			in.State, in.PhoneNumber = instance.StateClose, ""
		default:
			in.State = instance.StateClose
		}
	}, func() *outbox.Event {
		return h.event(inst, events.InstanceDisconnected, connection(instance.StateClose, reason))
	})
	if reason == driver.Banned {
		h.reconnectAfterBan(inst, phone)
		return
	}
	h.endBan(inst)
	if reason == driver.ConnectionLost && phone != "" {
		h.reconnect(inst, phone, 0)
	}
}

// setState applies change to the stored instance, with ev (if not nil)
// stored in the same transaction.
func (h *Host) setState(inst string, change func(*instance.Instance), ev func() *outbox.Event) {
	ctx, cancel := h.own.callContext(stateTimeout)
	defer cancel()
	ctx, mine := h.fenced(ctx, inst)
	if !mine {
		return
	}
	in, err := h.cfg.Store.GetInstance(ctx, inst)
	if err != nil {
		h.log.Warn("read instance for state change", "instance", inst, "err", err.Error())
		return
	}
	change(&in)
	var e *outbox.Event
	if ev != nil {
		e = ev()
	}
	if err := h.cfg.Store.SetConnection(ctx, inst, in.State, in.PhoneNumber, in.ConnectedAt, e); err != nil {
		h.log.Warn("store state change", "instance", inst, "err", err.Error())
		return
	}
	if e != nil {
		h.notify()
	}
}

// reconnect connects a linked instance after a backoff for attempt.
// It is posted to Run: driver callbacks ask for it, and never own a
// goroutine.
func (h *Host) reconnect(inst, phone string, attempt int) {
	h.own.post(func(ctx context.Context) {
		if attempt > 0 {
			d := time.Duration(math.Min(float64(reconnectMax), float64(reconnectBase)*math.Pow(2, float64(attempt-1))))
			h.sleep(ctx, h.jitter(d))
		}
		if ctx.Err() != nil {
			return
		}
		ctx, mine := h.fenced(ctx, inst)
		if !mine {
			return // connected only while this host holds the lease
		}
		err := h.cfg.Driver.Connect(ctx, inst, phone)
		switch {
		case err == nil:
		case errors.Is(err, driver.ErrNotLinked):
			h.setState(inst, func(in *instance.Instance) { in.State, in.PhoneNumber = instance.StateClose, "" }, nil)
		default:
			h.log.Warn("reconnect", "instance", inst, "attempt", attempt, "err", err.Error())
			h.reconnect(inst, phone, attempt+1)
		}
	})
}
