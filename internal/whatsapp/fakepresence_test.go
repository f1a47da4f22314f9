package whatsapp

import (
	"context"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/driver"
)

// fakeTyping is what the fake network saw of chat presences. Like
// WhatsApp, it shows a chatstate only from a connection that announced
// itself available first; the others are dropped, so a driver that skips
// the announcement fails the conformance case. Guarded by fakeNet.mu.
type fakeTyping struct {
	available map[*fakeClient]bool
	shown     map[string][]driver.Presence // per instance
}

func (c *fakeClient) SendPresence(_ context.Context, state types.Presence) error {
	if _, in, _ := c.state(); !in {
		return whatsmeow.ErrNotConnected
	}
	c.net.mu.Lock()
	defer c.net.mu.Unlock()
	if c.net.typing.available == nil {
		c.net.typing.available = map[*fakeClient]bool{}
	}
	c.net.typing.available[c] = state == types.PresenceAvailable
	return nil
}

func (c *fakeClient) SendChatPresence(_ context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error {
	if _, in, _ := c.state(); !in {
		return whatsmeow.ErrNotConnected
	}
	if jid.Server != types.DefaultUserServer || jid.Device != 0 {
		return fmt.Errorf("fake: chatstate to %s: not a user's chat", jid)
	}
	var shown driver.ChatPresence
	switch {
	case state == types.ChatPresenceComposing && media == types.ChatPresenceMediaAudio:
		shown = driver.Recording
	case state == types.ChatPresenceComposing && media == types.ChatPresenceMediaText:
		shown = driver.Composing
	case state == types.ChatPresencePaused && media == types.ChatPresenceMediaText:
		shown = driver.Paused
	default:
		return fmt.Errorf("fake: chatstate %q with media %q", state, media)
	}
	c.net.mu.Lock()
	defer c.net.mu.Unlock()
	if !c.net.typing.available[c] {
		return nil // WhatsApp takes it and shows nothing
	}
	if c.net.typing.shown == nil {
		c.net.typing.shown = map[string][]driver.Presence{}
	}
	c.net.typing.shown[c.instance] = append(c.net.typing.shown[c.instance],
		driver.Presence{To: jid.User, State: shown, At: time.Now()})
	return nil
}

func (p fakePhone) Presences(instance string) []driver.Presence {
	p.net.mu.Lock()
	defer p.net.mu.Unlock()
	return append([]driver.Presence{}, p.net.typing.shown[instance]...)
}
