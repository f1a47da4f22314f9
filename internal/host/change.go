package host

import (
	"context"
	"errors"
	"math/rand/v2"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

// applyChange sends an edit or a deletion for everyone of a message sent
// earlier, at its turn on the instance's sender (after its lane's delay,
// never beside a send in flight), and records it on the message. It is
// not a send: the caller does not count it in the lane windows, and the
// stores count only sent messages when they rebuild them, so it counts
// toward no cap. A change that can no longer apply is dropped.
func (h *Host) applyChange(ctx context.Context, inst string, m heldMsg, rnd *rand.Rand) outcome {
	ch := m.change
	log := h.log.With("instance", inst, "messageId", ch.MessageID, "change", string(ch.Change))
	msg, err := h.cfg.Store.GetMessage(ctx, ch.MessageID)
	if errors.Is(err, fault.ErrNotFound) {
		h.ack(ctx, inst, m)
		return outcomeDone
	}
	if err != nil {
		log.Warn("read message", "err", err.Error())
		return outcomeRetry
	}
	now := h.cfg.Clock.Now()
	target := WAMessageID(msg.ID)
	sendCtx, cancel := context.WithTimeout(ctx, message.SendDeadline)
	defer cancel()
	// record stores what went out, even if ctx ends meanwhile: it did go.
	recordCtx := context.WithoutCancel(ctx)
	var record func() error
	switch {
	case ch.Change == message.ChangeEdit && ch.Content != nil && msg.Editable(now):
		c := ch.Content.Resolve(rnd)
		err = h.cfg.Driver.Edit(sendCtx, inst, driver.Edit{MessageID: msg.ID, WAMessageID: WAMessageID(ch.ChangeID),
			TargetWAID: target, To: msg.To, Type: msg.Type, Text: c.EditedText(msg.Type)})
		record = func() error { return h.cfg.Store.MarkEdited(recordCtx, msg.ID, *ch.Content, h.cfg.Clock.Now()) }
	case ch.Change == message.ChangeRevoke && msg.Status == message.Sent && msg.RevokedAt.IsZero():
		err = h.cfg.Driver.Revoke(sendCtx, inst, driver.Revoke{MessageID: msg.ID, WAMessageID: WAMessageID(ch.ChangeID),
			TargetWAID: target, To: msg.To})
		record = func() error { return h.cfg.Store.MarkRevoked(recordCtx, msg.ID, h.cfg.Clock.Now()) }
	default:
		// Past the edit window by its turn (the instance was not open),
		// already deleted, or a change this gateway does not know.
		log.Warn("message change dropped: it no longer applies")
		h.ack(ctx, inst, m)
		return outcomeDone
	}
	var se *driver.SendError
	switch {
	case errors.Is(err, driver.ErrNotConnected):
		return outcomeNotOpen
	case errors.As(err, &se):
		log.Warn("message change refused", "reason", se.Reason)
		h.ack(ctx, inst, m)
		return outcomeDone
	case err != nil:
		log.Warn("send message change", "err", err.Error())
		return outcomeRetry
	}
	if err := record(); err != nil {
		// Resent on redelivery with the same WhatsApp id, which WhatsApp
		// deduplicates.
		log.Error("record message change", "err", err.Error())
		return outcomeRetry
	}
	h.ack(recordCtx, inst, m)
	log.Debug("message change sent")
	return outcomeDone
}

// claimedContent returns out with the text and caption the message has
// under its send claim. A PATCH of the pending message may have replaced
// them after deliver read it (while its media was fetched, say) and
// before the claim; from the claim on none can, so this read is what
// goes out. It costs one read per send.
func (h *Host) claimedContent(ctx context.Context, read message.Message, out driver.Outbound, rnd *rand.Rand) (driver.Outbound, error) {
	msg, err := h.cfg.Store.GetMessage(ctx, read.ID)
	if err != nil {
		return out, err
	}
	if msg.Content.Text != read.Content.Text || msg.Content.Caption != read.Content.Caption {
		c := msg.Content.Resolve(rnd)
		out.Text, out.Caption = c.Text, c.Caption
	}
	return out, nil
}
