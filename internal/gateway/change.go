package gateway

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

// Answers of PATCH and DELETE /message/{id} that are not the message.
var (
	errBeingSent = fault.New(fault.ErrConflict,
		"Message is being sent right now; try again in a moment: once sent, PATCH edits it and DELETE deletes it for everyone")
	errEditWindow = fault.New(fault.ErrConflict,
		"Message was sent more than 15 minutes ago; WhatsApp no longer accepts edits of it")
	errRevoked = fault.New(fault.ErrConflict, "Message was deleted for everyone")
)

func errCannotEdit(t message.Type) error {
	return fault.New(fault.ErrConflict, "Messages of type "+string(t)+" cannot be edited")
}

func errFailed(m message.Message) error {
	return fault.New(fault.ErrConflict, "Message failed ("+m.Error+") and was never sent: there is nothing to change")
}

// EditMessage is PATCH /message/{id}. A pending message gets the new
// content at once (accepted false: the answer is final); a message sent
// less than message.EditWindow ago gets an edit queued on
// message.ChangeLane (accepted true: EditedAt is set once it went out).
// It answers the message as stored after the call.
func (s *Service) EditMessage(ctx context.Context, tenantID, id string, e message.Edit) (message.Message, bool, error) {
	m, err := s.Message(ctx, tenantID, id)
	if err != nil {
		return message.Message{}, false, err
	}
	var issues fault.Issues
	content := e.Apply(m.Type, m.Content, &issues)
	if err := issues.Err(); err != nil {
		return message.Message{}, false, err
	}
	if _, ok := message.EditField(m.Type); !ok {
		return message.Message{}, false, errCannotEdit(m.Type)
	}
	if m.Status == message.Pending {
		ok, err := s.store.ReplacePending(ctx, id, content, s.clock.Now())
		if err != nil {
			return message.Message{}, false, fmt.Errorf("edit pending message %s: %w", id, err)
		}
		if m, err = s.Message(ctx, tenantID, id); err != nil || ok {
			return m, false, err
		}
		// Lost the race with its send: answer as for what it is now.
	}
	if err := unchangeable(m); err != nil {
		return message.Message{}, false, err
	}
	if !m.Editable(s.clock.Now()) {
		return message.Message{}, false, errEditWindow
	}
	return m, true, s.queueChange(ctx, m, QueueBody{Change: message.ChangeEdit, Content: &content})
}

// DeleteMessage is DELETE /message/{id}. A pending message is cancelled
// (accepted false); a sent one gets a deletion for everyone queued on
// message.ChangeLane (accepted true: RevokedAt is set once it went out).
func (s *Service) DeleteMessage(ctx context.Context, tenantID, id string) (message.Message, bool, error) {
	m, err := s.Message(ctx, tenantID, id)
	if err != nil {
		return message.Message{}, false, err
	}
	if m.Status == message.Pending {
		ev := s.failedEvent(message.ErrorCancelled)(m)
		ok, err := s.store.CancelPending(ctx, id, s.clock.Now(), ev)
		if err != nil {
			return message.Message{}, false, fmt.Errorf("cancel message %s: %w", id, err)
		}
		if ok && ev != nil && s.onEvent != nil {
			s.onEvent()
		}
		if m, err = s.Message(ctx, tenantID, id); err != nil || ok {
			return m, false, err
		}
	}
	if err := unchangeable(m); err != nil {
		return message.Message{}, false, err
	}
	return m, true, s.queueChange(ctx, m, QueueBody{Change: message.ChangeRevoke})
}

// unchangeable says why a message that a pending edit or cancel did not
// reach cannot be edited or deleted for everyone either; nil if it can.
func unchangeable(m message.Message) error {
	switch {
	case m.Status == message.Pending:
		return errBeingSent // claimed by its send right now
	case m.Status == message.Failed:
		return errFailed(m)
	case !m.RevokedAt.IsZero():
		return errRevoked
	}
	return nil
}

// queueChange puts a change of sent message m on message.ChangeLane's
// queue, in its instance's group like its sends, so it goes out in lane
// order through the instance's one sender.
func (s *Service) queueChange(ctx context.Context, m message.Message, b QueueBody) error {
	b.MessageID, b.InstanceName, b.ChangeID = m.ID, m.Instance, s.newID()
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode queue body: %w", err)
	}
	q, err := s.shards.queue(ctx, m.Instance, message.ChangeLane)
	if err != nil {
		return err
	}
	if err := q.Send(ctx, m.Instance, b.ChangeID, body); err != nil {
		return fmt.Errorf("enqueue %s of %s: %w", b.Change, m.ID, err)
	}
	s.log.DebugContext(ctx, "message change queued", "tenant", m.Tenant, "instance", m.Instance,
		"messageId", m.ID, "change", string(b.Change))
	return nil
}
