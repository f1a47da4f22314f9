package gateway

import (
	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// failedEvent returns a builder of the message.failed event of a message
// failed for reason, for the store to write with the change.
func (s *Service) failedEvent(reason string) func(message.Message) *outbox.Event {
	return func(m message.Message) *outbox.Event {
		ev, err := outbox.NewEvent(events.MessageFailed, m.Tenant, m.Instance, events.Failed{ID: m.ID, To: m.To,
			Lane: string(m.Lane), Type: string(m.Type), Error: reason}, s.clock.Now())
		if err != nil {
			s.log.Error("build message.failed event", "instance", m.Instance, "messageId", m.ID, "err", err.Error())
		}
		return ev
	}
}
