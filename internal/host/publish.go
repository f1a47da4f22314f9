package host

import (
	"fmt"
	"time"

	"github.com/google/uuid"

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
	now := h.cfg.Clock.Now()
	n, err := instance.ParseName(inst)
	if err == nil {
		var env events.Envelope
		if env, err = events.New(name, inst, data, now); err == nil {
			var body []byte
			if body, err = env.Body(); err == nil {
				return &outbox.Event{ID: uuid.NewString(), TenantID: n.Tenant, Instance: inst, Name: string(name), Body: body, CreatedAt: now}
			}
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

// Received implements driver.Events: the inbound message is kept, with its
// message.received event, before it is acknowledged, so an error here makes
// the driver leave it unacknowledged and WhatsApp redeliver it.
func (h *Host) Received(inst string, in driver.Inbound) error {
	data := events.Received{From: in.From, PushName: in.PushName, MessageType: in.MessageType,
		MessageID: in.MessageID, Timestamp: in.Timestamp.Unix()}
	if in.MessageType == "conversation" {
		text := in.Text
		data.Text = &text
	} else if in.Caption != "" {
		caption := in.Caption
		data.Caption = &caption
	}
	ev := h.event(inst, events.MessageReceived, data)
	if ev == nil {
		return fmt.Errorf("inbound message %s: event not built", in.MessageID)
	}
	// Kept with its event, so that a reply or a reaction can name it as
	// soon as the webhook told the client about it.
	text := in.Text
	if in.MessageType != "conversation" {
		text = in.Caption
	}
	r := message.Received{Instance: inst, WAMessageID: in.MessageID, Chat: in.From, From: in.From,
		Type: in.MessageType, Text: text, ReceivedAt: h.cfg.Clock.Now()}
	if err := h.cfg.Store.AddReceived(h.context(), r, *ev); err != nil {
		return fmt.Errorf("store inbound message %s: %w", in.MessageID, err)
	}
	h.notify()
	return nil
}

// notify tells the dispatcher that an event is waiting.
func (h *Host) notify() {
	if h.cfg.OnEvent != nil {
		h.cfg.OnEvent()
	}
}
