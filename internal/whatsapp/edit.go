package whatsapp

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// protocolBuilder builds protocol messages: whatsmeow's BuildEdit, and
// BuildRevoke of one's own message (empty sender), read nothing of the
// client, so a zero one builds them and the fake client needs no copy.
var protocolBuilder = new(whatsmeow.Client)

// Edit sends an edit of a message sent earlier (WhatsApp's MESSAGE_EDIT
// protocol message), under the edit's own id so a retry is the same
// message. It fails like Send.
func (d *Driver) Edit(ctx context.Context, instance string, e driver.Edit) error {
	content, err := editedContent(e)
	if err != nil {
		return &driver.SendError{Reason: err.Error()}
	}
	return d.sendChange(ctx, instance, e.MessageID, e.WAMessageID, e.To, func(chat types.JID) *waE2E.Message {
		return protocolBuilder.BuildEdit(chat, e.TargetWAID, content)
	})
}

// Revoke deletes a message sent earlier for everyone (WhatsApp's REVOKE
// protocol message), like Edit.
func (d *Driver) Revoke(ctx context.Context, instance string, r driver.Revoke) error {
	return d.sendChange(ctx, instance, r.MessageID, r.WAMessageID, r.To, func(chat types.JID) *waE2E.Message {
		return protocolBuilder.BuildRevoke(chat, types.EmptyJID, r.TargetWAID)
	})
}

// editedContent is the new content of an edit: the text, or the caption
// in the kind's own message.
func editedContent(e driver.Edit) (*waE2E.Message, error) {
	switch e.Type {
	case message.Text:
		return &waE2E.Message{Conversation: proto.String(e.Text)}, nil
	case message.Image:
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String(e.Text)}}, nil
	case message.Document:
		return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: proto.String(e.Text)}}, nil
	case message.Video:
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: proto.String(e.Text)}}, nil
	}
	return nil, fmt.Errorf("messages of type %q cannot be edited", e.Type)
}

// sendChange sends the protocol message build makes for the chat of to.
func (d *Driver) sendChange(ctx context.Context, instance, ours, waID, to string, build func(types.JID) *waE2E.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a, p := d.current(instance)
	if a == nil || p != open {
		return fmt.Errorf("whatsapp: change from %s: %w", instance, driver.ErrNotConnected)
	}
	rcpt, ok := chat.Parse(to)
	if !ok {
		return &driver.SendError{Reason: InvalidNumber}
	}
	out := driver.Outbound{MessageID: ours, WAMessageID: waID, To: to}
	jid, err := recipientJID(ctx, lidsOf(a), a.cli, rcpt)
	if err != nil {
		return d.sendError(instance, out, "find recipient", err)
	}
	if _, err := a.cli.SendMessage(ctx, jid, build(jid), whatsmeow.SendRequestExtra{ID: outboundID(out)}); err != nil {
		return d.sendError(instance, out, "send change", err)
	}
	return nil
}
