package whatsapp

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
)

// chatStates maps the port's chat presences to WhatsApp's chatstate:
// "recording audio…" is composing with media audio.
var chatStates = map[driver.ChatPresence]struct {
	state types.ChatPresence
	media types.ChatPresenceMedia
}{
	driver.Composing: {types.ChatPresenceComposing, types.ChatPresenceMediaText},
	driver.Recording: {types.ChatPresenceComposing, types.ChatPresenceMediaAudio},
	driver.Paused:    {types.ChatPresencePaused, types.ChatPresenceMediaText},
}

// Presence shows state in the chat with to. WhatsApp shows "typing…" only
// from a connection that announced itself available, so the first call on
// each connection does that first. whatsmeow refuses to announce before it
// knows the account's push name (app state sync brings it soon after
// linking); until then the chat presence goes out anyway and the
// announcement is tried again on the next call.
func (d *Driver) Presence(ctx context.Context, instance, to string, state driver.ChatPresence) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cs, ok := chatStates[state]
	if !ok {
		return fmt.Errorf("whatsapp: unknown chat presence %q", state)
	}
	a, p := d.current(instance)
	if a == nil || p != open {
		return fmt.Errorf("whatsapp: presence of %s: %w", instance, driver.ErrNotConnected)
	}
	rcpt, ok := chat.Parse(to)
	if !ok {
		return &driver.SendError{Reason: InvalidNumber}
	}
	if !a.available.Load() {
		if err := a.cli.SendPresence(ctx, types.PresenceAvailable); err != nil {
			d.log.Debug("announce available", "instance", instance, "err", err.Error())
		} else {
			a.available.Store(true)
		}
	}
	// The chat as whatsmeow addresses a message to it: by its LID when
	// known. recipient asks WhatsApp about a number seen for the first
	// time, which the send would do anyway and then finds done.
	pn, err := recipientJID(ctx, lidsOf(a), a.cli, rcpt)
	if err != nil {
		return fmt.Errorf("whatsapp: chat presence of %s: %w", instance, sendFailure(err))
	}
	if err := a.cli.SendChatPresence(ctx, chatJID(ctx, lidsOf(a), pn), cs.state, cs.media); err != nil {
		return fmt.Errorf("whatsapp: chat presence of %s: %w", instance, sendFailure(err))
	}
	return nil
}

// chatJID is pn's LID when the store knows it, else pn.
func chatJID(ctx context.Context, lids lidResolver, pn types.JID) types.JID {
	if f, ok := lids.(lidFinder); ok {
		if lid, err := f.GetLIDForPN(ctx, pn); err == nil && !lid.IsEmpty() {
			return lid
		}
	}
	return pn
}
