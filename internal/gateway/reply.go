package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/message"
)

// MaxMessageRefLen bounds a replyTo (or a reaction's messageId): our ids
// are UUIDs and WhatsApp's are far shorter, so a longer one names nothing.
const MaxMessageRefLen = 128

// notAMessageOf is the issue of a reference that names no message the
// instance may quote or react to.
const notAMessageOf = "Must be the id of a message this instance sent, or the WhatsApp messageId of a message it received"

// checkMessageRef checks the shape of a reference at field, if given.
func checkMessageRef(issues *fault.Issues, field, ref string) {
	if len(ref) > MaxMessageRefLen {
		issues.Add(fmt.Sprintf("Must be at most %d characters", MaxMessageRefLen), field)
	}
}

// isOurID reports whether ref has the shape of one of our message ids.
func isOurID(ref string) bool {
	_, err := uuid.Parse(ref)
	return err == nil && len(ref) == 36
}

// resolveRef finds the message ref names for instance inst of tenant:
// one of our messages (a UUID) that inst sent, or a message inst received
// (a WhatsApp id). Anything else is invalid at field. The answer is the
// quote a reply builds: our own messages have no From.
func (s *Service) resolveRef(ctx context.Context, tenantID, inst, field, ref string) (message.Quote, message.Received, error) {
	notFound := fault.Invalid(notAMessageOf, field)
	if isOurID(ref) {
		m, err := s.store.GetMessage(ctx, ref)
		if errors.Is(err, fault.ErrNotFound) || (err == nil && (m.Tenant != tenantID || m.Instance != inst || m.Status != message.Sent)) {
			return message.Quote{}, message.Received{}, notFound
		}
		if err != nil {
			return message.Quote{}, message.Received{}, fmt.Errorf("get message %s: %w", ref, err)
		}
		text := m.Content.Text
		if text == "" {
			text = m.Content.Caption
		}
		// Our message's chat is its recipient; it was sent by the instance.
		r := message.Received{Instance: inst, WAMessageID: message.WAMessageID(m.ID), Chat: m.To}
		return message.Quote{WAMessageID: r.WAMessageID, Text: text}, r, nil
	}
	r, err := s.store.GetReceived(ctx, inst, ref, s.clock.Now())
	if errors.Is(err, fault.ErrNotFound) {
		return message.Quote{}, message.Received{}, notFound
	}
	if err != nil {
		return message.Quote{}, message.Received{}, fmt.Errorf("get received message %s: %w", ref, err)
	}
	return message.Quote{WAMessageID: r.WAMessageID, From: r.From, Text: r.Text}, r, nil
}

// instanceOfRef is the instance of a client that sent or received the
// message ref names, which a send to the client quoting or reacting to it
// must go from: only it knows the message. field is where a ref that
// names none is reported.
func (s *Service) instanceOfRef(ctx context.Context, tenantID, clientID, field, ref string) (instance.Instance, error) {
	list, err := s.store.ListInstances(ctx, tenantID, clientID)
	if err != nil {
		return instance.Instance{}, fmt.Errorf("list instances of %s/%s: %w", tenantID, clientID, err)
	}
	var owner string
	if isOurID(ref) {
		if m, err := s.store.GetMessage(ctx, ref); err == nil && m.Tenant == tenantID {
			owner = m.Instance
		} else if err != nil && !errors.Is(err, fault.ErrNotFound) {
			return instance.Instance{}, fmt.Errorf("get message %s: %w", ref, err)
		}
	}
	for _, in := range list {
		name := in.Name.String()
		if owner == "" && !isOurID(ref) {
			if _, err := s.store.GetReceived(ctx, name, ref, s.clock.Now()); err == nil {
				owner = name
			} else if !errors.Is(err, fault.ErrNotFound) {
				return instance.Instance{}, fmt.Errorf("get received message %s: %w", ref, err)
			}
		}
		if name != owner {
			continue
		}
		if in.State != instance.StateOpen {
			return instance.Instance{}, fault.New(fault.ErrConflict, "Instance "+name+", which the message "+field+" names belongs to, is not open")
		}
		return in, nil
	}
	return instance.Instance{}, fault.Invalid(notAMessageOf, field)
}

// resolveRefs resolves the messages a send names, for instance inst: its
// replyTo into the quote stored with it, and a reaction's message into the
// WhatsApp key the reaction needs (whose chat must be the reaction's to),
// so the host sends either without a lookup.
func (s *Service) resolveRefs(ctx context.Context, tenantID, inst string, in *SendInput) error {
	if in.ReplyTo != "" {
		q, _, err := s.resolveRef(ctx, tenantID, inst, "replyTo", in.ReplyTo)
		if err != nil {
			return err
		}
		in.Content.Quote = &q
	}
	if r := in.Content.Reaction; r != nil && in.Type == message.Reaction {
		q, target, err := s.resolveRef(ctx, tenantID, inst, "messageId", r.MessageID)
		if err != nil {
			return err
		}
		if target.Chat != in.To {
			return fault.Invalid("Must be the chat of the message reacted to ("+target.Chat+")", "to")
		}
		resolved := *r
		resolved.MessageID, resolved.From = q.WAMessageID, q.From
		in.Content.Reaction = &resolved
	}
	return nil
}

// messageRef is the message a send to a client names, which pins the
// instance it goes from: a reaction's, else its replyTo; "" for none.
func messageRef(in SendInput) (field, ref string) {
	if r := in.Content.Reaction; r != nil && in.Type == message.Reaction {
		return "messageId", r.MessageID
	}
	if in.ReplyTo != "" {
		return "replyTo", in.ReplyTo
	}
	return "", ""
}
