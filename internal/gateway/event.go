package gateway

import (
	"github.com/google/uuid"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// failedEvent returns a builder of the message.failed event of a message
// failed for reason, for the store to write with the change.
func (s *Service) failedEvent(reason string) func(message.Message) *outbox.Event {
	return func(m message.Message) *outbox.Event {
		now := s.clock.Now()
		env, err := events.New(events.MessageFailed, m.Instance, events.Failed{ID: m.ID, To: m.To, Lane: string(m.Lane),
			Type: string(m.Type), Error: reason}, now)
		if err == nil {
			var body []byte
			if body, err = env.Body(); err == nil {
				return &outbox.Event{ID: uuid.NewString(), TenantID: m.Tenant, Instance: m.Instance,
					Name: string(events.MessageFailed), Body: body, CreatedAt: now}
			}
		}
		s.log.Error("build message.failed event", "instance", m.Instance, "messageId", m.ID, "err", err.Error())
		return nil
	}
}
