package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
)

// MarkRead records the receipt as WhatsApp would route it, turned back
// into the port's terms: whatsmeow drops the sender of a direct chat's
// receipt (the chat is the sender), so the fake records the chat there.
func (c *fakeClient) MarkRead(_ context.Context, ids []types.MessageID, at time.Time, to, sender types.JID, extra ...types.ReceiptType) error {
	if _, in, _ := c.state(); !in {
		return whatsmeow.ErrNotConnected
	}
	switch {
	case len(ids) == 0:
		return errors.New("fake: no message IDs specified")
	case len(extra) > 0:
		return fmt.Errorf("fake: receipt type %v instead of read", extra)
	case at.IsZero():
		return errors.New("fake: receipt without a time")
	}
	r := driver.ReadReceipt{WAMessageIDs: slices.Clone(ids), At: at}
	switch to.Server {
	case types.GroupServer:
		if sender.Server != types.DefaultUserServer {
			return fmt.Errorf("fake: group receipt naming participant %s", sender)
		}
		r.Chat, r.Sender = to.User+chat.GroupSuffix, sender.User
	case types.DefaultUserServer:
		r.Chat, r.Sender = to.User, to.User
	default:
		return fmt.Errorf("fake: receipt to %s", to)
	}
	c.net.mu.Lock()
	defer c.net.mu.Unlock()
	if c.net.reads == nil {
		c.net.reads = map[string][]driver.ReadReceipt{}
	}
	c.net.reads[c.instance] = append(c.net.reads[c.instance], r)
	return nil
}

func (p fakePhone) Reads(instance string) []driver.ReadReceipt {
	p.net.mu.Lock()
	defer p.net.mu.Unlock()
	return append([]driver.ReadReceipt{}, p.net.reads[instance]...)
}
