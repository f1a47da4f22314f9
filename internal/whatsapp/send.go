package whatsapp

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
)

// Send sends one message under the WhatsApp id derived from ours, so a
// resend after a crash is the same message to WhatsApp. ErrNotConnected
// if the instance is not open; *driver.SendError when the message can
// never go (number not on WhatsApp, no such group or not in it, media
// rejected, reach-out timelock).
func (d *Driver) Send(ctx context.Context, instance string, out driver.Outbound) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a, p := d.current(instance)
	if a == nil || p != open {
		return fmt.Errorf("whatsapp: send from %s: %w", instance, driver.ErrNotConnected)
	}
	rcpt, ok := chat.Parse(out.To)
	if !ok {
		return &driver.SendError{Reason: InvalidNumber}
	}
	if !out.Type.Valid() {
		return &driver.SendError{Reason: fmt.Sprintf("unsupported message type %q", out.Type)}
	}
	to, err := recipientJID(ctx, lidsOf(a), a.cli, rcpt)
	if err != nil {
		return d.sendError(instance, out, "find recipient", err)
	}
	msg, err := outboundMessage(ctx, a.cli, out, d.cfg.Clock.Now())
	if err != nil {
		return d.sendError(instance, out, "build message", err)
	}
	msg = withQuote(msg, out.Quote, a.jid)
	if _, err := a.cli.SendMessage(ctx, to, msg, whatsmeow.SendRequestExtra{ID: outboundID(out)}); err != nil {
		return d.sendError(instance, out, "send", err)
	}
	return nil
}

// sendError classifies err and logs what is not a plain disconnect.
func (d *Driver) sendError(instance string, out driver.Outbound, op string, err error) error {
	mapped := sendFailure(err)
	if se, ok := mapped.(*driver.SendError); ok {
		d.log.Info("message refused: "+se.Reason, "instance", instance, "messageId", out.MessageID)
		return se
	}
	return fmt.Errorf("whatsapp: %s %s from %s: %w", op, out.MessageID, instance, mapped)
}

// lookup asks WhatsApp which numbers have an account (*whatsmeow.Client).
type lookup interface {
	IsOnWhatsApp(ctx context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error)
}

// lidFinder is the half of whatsmeow's LID store that knows the LID of a
// phone number.
type lidFinder interface {
	GetLIDForPN(ctx context.Context, pn types.JID) (types.JID, error)
}

// recipientJID is the JID of the chat r names. A group is its group JID as it
// is, asked nothing: whatsmeow fetches its participants itself when it
// sends, and a group the instance is not in fails there. A person is
// their recipient JID.
func recipientJID(ctx context.Context, lids lidResolver, look lookup, r chat.Recipient) (types.JID, error) {
	if r.Group {
		return types.NewJID(r.User, types.GroupServer), nil
	}
	return recipient(ctx, lids, look, r.User)
}

// recipient is the JID to send to number. A number whose LID we know has
// an account and costs no query; otherwise WhatsApp is asked once (which
// also stores its LID), and a number without an account fails for good.
func recipient(ctx context.Context, lids lidResolver, look lookup, number string) (types.JID, error) {
	pn := types.NewJID(number, types.DefaultUserServer)
	if f, ok := lids.(lidFinder); ok {
		if lid, err := f.GetLIDForPN(ctx, pn); err == nil && !lid.IsEmpty() {
			return pn, nil
		}
	}
	found, err := look.IsOnWhatsApp(ctx, []string{"+" + number})
	if err != nil {
		return types.EmptyJID, fmt.Errorf("ask WhatsApp whether the number has an account: %w", err)
	}
	for _, r := range found {
		if !r.IsIn {
			continue
		}
		if r.PhoneNumber.Server == types.DefaultUserServer {
			return r.PhoneNumber.ToNonAD(), nil
		}
		if !r.JID.IsEmpty() {
			return r.JID.ToNonAD(), nil
		}
	}
	return types.EmptyJID, &driver.SendError{Reason: NotOnWhatsApp}
}
