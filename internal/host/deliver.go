package host

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/lease"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/message"
)

// retryAfter is the pause after a send failed for a reason that may pass
// (a driver or store error), before the same message is tried again.
const retryAfter = 5 * time.Second

type outcome int

const (
	outcomeSent    outcome = iota // sent and recorded
	outcomeDone                   // finished without a send (failed, flushed, gone)
	outcomeRetry                  // try again later
	outcomeNotOpen                // the connection is down; wait for it
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, ^seed)) }

// WAMessageID derives the WhatsApp message id from ours (message.WAMessageID).
func WAMessageID(messageID string) string { return message.WAMessageID(messageID) }

// settled reads a held message before its turn: done is true if it needs
// no send (no longer pending, or gone), and it was deleted from its queue.
// Otherwise msg is the message as read (zero if the read failed: deliver
// reads it again), so that deliver need not read it again.
func (h *Host) settled(ctx context.Context, inst string, m heldMsg) (msg message.Message, done bool) {
	if m.change != nil {
		return message.Message{}, false // decided at its turn (change.go)
	}
	msg, err := h.cfg.Store.GetMessage(ctx, m.id)
	if err != nil && !errors.Is(err, fault.ErrNotFound) {
		return message.Message{}, false // decide at send time
	}
	if err == nil && msg.Status == message.Pending {
		return msg, false
	}
	h.ack(ctx, inst, m)
	return message.Message{}, true
}

func needsMedia(t message.Type) bool {
	k, ok := message.KindOf(t)
	if !ok {
		return false
	}
	_, media := k.Media()
	return media
}

// deliver sends one message and records the outcome. read is the message
// as settled read it before the lane delay. Whether it is still pending
// is decided by the send claim, and what it says is read under the claim
// (claimedContent), so deliver reads it again only before fetching media:
// that read spares a download for a message withdrawn during its delay.
func (h *Host) deliver(ctx context.Context, inst string, m heldMsg, read message.Message, rnd *rand.Rand, due time.Time) outcome {
	if m.change != nil {
		return h.applyChange(ctx, inst, m, rnd)
	}
	log := h.log.With("instance", inst, "messageId", m.id)
	msg, err := read, error(nil)
	if read.ID == "" || needsMedia(read.Type) {
		msg, err = h.cfg.Store.GetMessage(ctx, m.id)
	}
	if errors.Is(err, fault.ErrNotFound) || (err == nil && msg.Status != message.Pending) {
		h.ack(ctx, inst, m)
		return outcomeDone
	}
	if err != nil {
		log.Warn("read message", "err", err.Error())
		return outcomeRetry
	}
	kind, ok := message.KindOf(msg.Type)
	if !ok {
		// Stored by a newer gateway that knows a kind this one does not.
		return h.fail(ctx, inst, m, msg, fmt.Sprintf("unsupported message type %q", msg.Type))
	}
	c := msg.Content.Resolve(rnd)
	out := driver.Outbound{MessageID: msg.ID, WAMessageID: WAMessageID(msg.ID), To: msg.To, Type: msg.Type,
		Text: c.Text, Caption: c.Caption, FileName: c.FileName, MediaURL: c.MediaURL, Lane: string(msg.Lane),
		Location: c.Location, Contacts: c.Contacts, Poll: c.Poll, Quote: c.Quote,
		Mentions: c.Mentions, ViewOnce: c.ViewOnce, Reaction: c.Reaction}
	if _, ok := kind.Media(); ok {
		md, err := h.cfg.Fetcher.Fetch(ctx, msg.Type, msg.Content.MediaURL)
		var me *media.Error
		if errors.As(err, &me) {
			return h.fail(ctx, inst, m, msg, me.Msg)
		}
		if err != nil {
			log.Warn("fetch media", "err", err.Error())
			return outcomeRetry
		}
		if md, me = convert(msg.Type, md, log); me != nil {
			return h.fail(ctx, inst, m, msg, me.Msg)
		}
		out.Media, out.ContentType = md.Data, md.ContentType
		if out.FileName == "" {
			out.FileName = md.FileName
		}
	}
	// The decision to send: a flush, cancel or instance deletion that came
	// before the claim wins (the claim fails and nothing is sent); one that
	// comes after it leaves the message to this send.
	claimed, err := h.cfg.Store.ClaimSend(selfGuarded(ctx), m.id, h.cfg.Clock.Now().Add(message.SendClaim))
	if err != nil {
		log.Warn("claim message for sending", "err", err.Error())
		return outcomeRetry
	}
	if !claimed {
		h.ack(ctx, inst, m)
		return outcomeDone
	}
	if out, err = h.claimedContent(ctx, msg, out, rnd); err != nil {
		log.Warn("read claimed message", "err", err.Error())
		return h.unclaim(ctx, inst, m, outcomeRetry)
	}
	if h.cfg.OnSend != nil {
		h.cfg.OnSend(h.cfg.Clock.Now().Sub(due))
	}
	sendCtx, cancel := context.WithTimeout(ctx, message.SendDeadline)
	err = h.cfg.Driver.Send(sendCtx, inst, out)
	cancel()
	var se *driver.SendError
	switch {
	case errors.Is(err, driver.ErrNotConnected):
		return h.unclaim(ctx, inst, m, outcomeNotOpen)
	case errors.As(err, &se):
		return h.fail(ctx, inst, m, msg, se.Reason)
	case err != nil:
		log.Warn("send", "err", err.Error())
		return h.unclaim(ctx, inst, m, outcomeRetry)
	}
	sentAt := h.cfg.Clock.Now()
	ev := h.event(inst, events.MessageSent, sentEvent(msg, sentAt))
	if ok, err := h.cfg.Store.MarkSent(selfGuarded(context.WithoutCancel(ctx)), m.id, out.WAMessageID, sentAt, ev); err != nil {
		// Sent but not recorded: the queue message stays, the redelivery
		// resends with the same WhatsApp id, which WhatsApp deduplicates.
		log.Error("record sent message", "err", err.Error())
		return outcomeRetry
	} else if !ok {
		log.Warn("message sent after it stopped being pending (flushed while in flight)")
	} else if ev != nil {
		h.notify()
	}
	h.ack(ctx, inst, m)
	log.Debug("message sent", "lane", string(m.lane))
	return outcomeSent
}

// selfGuarded drops the lease fence from the writes that settle a pending
// message (ClaimSend, MarkSent, MarkFailed). Each changes the message only
// if it is still pending, in one conditional write, and is right whoever
// makes it: a superseded host's claim only holds off a withdrawal for
// message.SendClaim, and its sent or failed records what it did (its send
// went out under the same WhatsApp id the successor would use). ReleaseSend
// stays fenced: a stale release could end its successor's claim. Unfenced,
// these writes cost DynamoDB 5 write and 2 read units less per message.
func selfGuarded(ctx context.Context) context.Context { return lease.WithoutFence(ctx) }

// unclaim ends the send claim of a message that was not sent, so it can
// be withdrawn again while it waits. If its instance was deleted during
// the claim (the deletion left it to this send), it fails now as the
// deletion would have failed it. A release that fails only leaves the
// claim to run out.
func (h *Host) unclaim(ctx context.Context, inst string, m heldMsg, o outcome) outcome {
	ctx = context.WithoutCancel(ctx)
	if err := h.cfg.Store.ReleaseSend(ctx, m.id); err != nil {
		h.log.Warn("release send claim", "instance", inst, "messageId", m.id, "err", err.Error())
		return o
	}
	if _, err := h.cfg.Store.GetInstance(ctx, inst); errors.Is(err, fault.ErrNotFound) {
		if _, err := h.cfg.Store.MarkFailed(selfGuarded(ctx), m.id, message.ErrorInstanceDeleted, h.cfg.Clock.Now(), nil); err != nil {
			h.log.Warn("fail message of deleted instance", "instance", inst, "messageId", m.id, "err", err.Error())
			return o
		}
		h.ack(ctx, inst, m)
		return outcomeDone
	}
	return o
}

// fail records a permanent failure, with its event, and deletes the queue
// message.
func (h *Host) fail(ctx context.Context, inst string, m heldMsg, msg message.Message, reason string) outcome {
	ev := h.event(inst, events.MessageFailed, failedEvent(msg, reason))
	ok, err := h.cfg.Store.MarkFailed(selfGuarded(context.WithoutCancel(ctx)), m.id, reason, h.cfg.Clock.Now(), ev)
	if err != nil {
		h.log.Error("record failed message", "instance", inst, "messageId", m.id, "err", err.Error())
		return outcomeRetry
	}
	if ok && ev != nil {
		h.notify()
	}
	h.ack(ctx, inst, m)
	return outcomeDone
}

// ack deletes a finished message from its lane queue. A failure is only
// logged: the message comes back, is found finished, and is deleted then.
func (h *Host) ack(ctx context.Context, inst string, m heldMsg) {
	if err := m.q.Delete(context.WithoutCancel(ctx), m.receipt); err != nil {
		h.log.Warn("delete from lane queue", "instance", inst, "messageId", m.id, "err", err.Error())
	}
}
