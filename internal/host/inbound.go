package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// inboundTimeout bounds the handling of one inbound message, its media
// download included (100 MB at a modest 1 MB/s): past it the message is
// left unacknowledged and comes again, rather than holding up the
// instance's next ones for good.
const inboundTimeout = 3 * time.Minute

// Received implements driver.Events: the inbound message is kept, with
// its message.received event and its media, before it is acknowledged, so
// an error here makes the driver leave it unacknowledged and WhatsApp
// redeliver it (a crash in the middle of a download included). A group
// message is dropped, acknowledged, unless the instance has receiveGroups.
func (h *Host) Received(inst string, in driver.Inbound) error {
	ctx, cancel := h.own.callContext(inboundTimeout)
	defer cancel()
	ctx, herr := h.holding(ctx, inst)
	if herr != nil {
		return herr
	}
	if in.IsGroup {
		set, err := h.settingsOf(ctx, inst)
		if err != nil {
			return fmt.Errorf("inbound message %s: read settings: %w", in.MessageID, err)
		}
		if !set.ReceiveGroups {
			return nil
		}
	}
	data, err := h.receivedData(ctx, inst, in)
	if err != nil {
		return err
	}
	ev := h.event(inst, events.MessageReceived, data)
	if ev == nil {
		return fmt.Errorf("inbound message %s: event not built", in.MessageID)
	}
	payload, err := eventData(ev)
	if err != nil {
		return fmt.Errorf("inbound message %s: %w", in.MessageID, err)
	}
	// Kept with its event, so that a reply or a reaction can name it as
	// soon as the webhook told the client about it.
	text := in.Text
	if in.MessageType != "conversation" {
		text = in.Caption
	}
	now := h.cfg.Clock.Now()
	r := message.Received{Instance: inst, WAMessageID: in.MessageID, Chat: data.Chat, From: in.From,
		Type: in.MessageType, Text: text, ReceivedAt: now, Payload: payload}
	if h.cfg.Retention > 0 {
		r.Expires = now.Add(h.cfg.Retention)
	}
	if err := h.cfg.Store.AddReceived(ctx, r, *ev); err != nil {
		return fmt.Errorf("store inbound message %s: %w", in.MessageID, err)
	}
	h.notify()
	return nil
}

// receivedData is the message.received data of in: API.md's fields, its
// quote resolved against what the gateway knows and its media stored.
func (h *Host) receivedData(ctx context.Context, inst string, in driver.Inbound) (events.Received, error) {
	d := events.Received{From: in.From, PushName: in.PushName, MessageType: in.MessageType, MessageID: in.MessageID,
		Timestamp: in.Timestamp.Unix(), Chat: in.Chat, IsGroup: in.IsGroup, Mentions: in.Mentions}
	if d.Chat == "" {
		d.Chat = in.From
	}
	if in.IsGroup {
		d.Participant = &d.From
	}
	switch {
	case in.MessageType == "conversation":
		d.Text = &in.Text
	case in.Caption != "":
		d.Caption = &in.Caption
	}
	if in.Quoted != nil {
		q, err := h.quoted(ctx, inst, *in.Quoted)
		if err != nil {
			return d, fmt.Errorf("inbound message %s: %w", in.MessageID, err)
		}
		d.Quoted = q
	}
	if in.Media != nil {
		m, err := h.storeMedia(ctx, inst, in)
		if err != nil {
			return d, fmt.Errorf("inbound message %s: %w", in.MessageID, err)
		}
		d.Media = m
	}
	if l := in.Location; l != nil {
		d.Location = &events.Location{Latitude: l.Latitude, Longitude: l.Longitude, Name: nonEmpty(l.Name), Address: nonEmpty(l.Address)}
	}
	for _, c := range in.Contacts {
		d.Contacts = append(d.Contacts, events.Contact{FullName: c.FullName, PhoneNumbers: c.PhoneNumbers})
	}
	if p := in.Poll; p != nil {
		d.Poll = &events.Poll{Question: p.Question, Options: p.Options, SelectableCount: p.SelectableCount}
	}
	return d, nil
}

// quoted names the message in replies to. Its sender is known only for a
// message the gateway has: one of ours (this instance's number), or one
// received and kept; otherwise it is null, whatever WhatsApp said.
func (h *Host) quoted(ctx context.Context, inst string, q driver.InboundQuote) (*events.Quoted, error) {
	out := &events.Quoted{MessageID: q.MessageID}
	if _, err := h.cfg.Store.SentByWAID(ctx, inst, q.MessageID); err == nil {
		in, err := h.cfg.Store.GetInstance(ctx, inst)
		if err != nil {
			return nil, fmt.Errorf("read instance for a quote: %w", err)
		}
		if in.PhoneNumber != "" {
			out.From = &in.PhoneNumber
		}
		return out, nil
	} else if !errors.Is(err, fault.ErrNotFound) {
		return nil, fmt.Errorf("look up quoted message: %w", err)
	}
	r, err := h.cfg.Store.GetReceived(ctx, inst, q.MessageID, h.cfg.Clock.Now())
	switch {
	case err == nil:
		out.From = &r.From
	case !errors.Is(err, fault.ErrNotFound):
		return nil, fmt.Errorf("look up quoted message: %w", err)
	}
	return out, nil
}

// eventData is the data of an event as its body carries it.
func eventData(ev *outbox.Event) ([]byte, error) {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(ev.Body, &env); err != nil {
		return nil, fmt.Errorf("read event data: %w", err)
	}
	return env.Data, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
