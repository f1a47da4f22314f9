package host

import (
	"time"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// event builds the outbox record of one event, to be stored in the same
// transaction as the change that causes it. A payload that fails its
// schema is a bug: it is logged and the change goes ahead without it.
func (h *Host) event(inst string, name events.Name, data any) *outbox.Event {
	n, err := instance.ParseName(inst)
	if err == nil {
		var ev *outbox.Event
		if ev, err = outbox.NewEvent(name, n.Tenant, inst, data, h.cfg.Clock.Now()); err == nil {
			return ev
		}
	}
	h.log.Error("build event", "instance", inst, "event", string(name), "err", err.Error())
	return nil
}

func connection(state instance.State, reason driver.Reason) events.Connection {
	c := events.Connection{State: string(state)}
	if reason != "" {
		r := string(reason)
		c.Reason = &r
	}
	return c
}

func sentEvent(m message.Message, at time.Time) events.Sent {
	return events.Sent{ID: m.ID, To: m.To, Lane: string(m.Lane), Type: string(m.Type), SentAt: clock.Format(at)}
}

func failedEvent(m message.Message, reason string) events.Failed {
	return events.Failed{ID: m.ID, To: m.To, Lane: string(m.Lane), Type: string(m.Type), Error: reason}
}

// notify tells the dispatcher that an event is waiting.
func (h *Host) notify() {
	if h.cfg.OnEvent != nil {
		h.cfg.OnEvent()
	}
}
