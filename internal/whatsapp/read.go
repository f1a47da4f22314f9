package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/phone"
)

// MarkRead sends one read receipt (blue ticks) for messages the instance
// received in r.Chat from r.Sender. A direct chat is addressed as
// Presence addresses it, by its LID when known: WhatsApp delivers the
// people's messages from their LIDs today, and a receipt goes back the
// way the message came. A group's receipt names the participant who
// wrote by phone number, the addressing of the groups the gateway knows
// (LID-addressed groups are not modelled, as in whatsapptest).
func (d *Driver) MarkRead(ctx context.Context, instance string, r driver.ReadReceipt) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(r.WAMessageIDs) == 0 || slices.Contains(r.WAMessageIDs, "") {
		return errors.New("whatsapp: read receipt without message ids, or with an empty one")
	}
	a, p := d.current(instance)
	if a == nil || p != open {
		return fmt.Errorf("whatsapp: read receipt of %s: %w", instance, driver.ErrNotConnected)
	}
	rc, ok := chat.Parse(r.Chat)
	if !ok {
		return fmt.Errorf("whatsapp: read receipt of %s: chat %q is neither a number nor a group id", instance, r.Chat)
	}
	var to, sender types.JID
	if rc.Group {
		if !phone.Valid(r.Sender) {
			return fmt.Errorf("whatsapp: read receipt of %s in a group: sender %q is not a number", instance, r.Sender)
		}
		to, sender = types.NewJID(rc.User, types.GroupServer), types.NewJID(r.Sender, types.DefaultUserServer)
	} else {
		to = chatJID(ctx, lidsOf(a), types.NewJID(rc.User, types.DefaultUserServer))
	}
	at := r.At
	if at.IsZero() {
		at = d.cfg.Clock.Now()
	}
	if err := a.cli.MarkRead(ctx, r.WAMessageIDs, at, to, sender); err != nil {
		return fmt.Errorf("whatsapp: read receipt of %s: %w", instance, sendFailure(err))
	}
	return nil
}
