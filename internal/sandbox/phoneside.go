package sandbox

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/phone"
)

// inboundTypes are the messageType values of message.received (API.md).
var inboundTypes = map[string]bool{
	"conversation": true, "imageMessage": true, "documentMessage": true,
	"audioMessage": true, "videoMessage": true,
}

// Inbound is someone writing to the instance. A missing MessageType means
// conversation; a missing MessageID or Timestamp is made up as WhatsApp
// would (its timestamps are whole seconds). It returns only once the host
// has answered, and fails if the host did not accept the message, which
// WhatsApp would see as not acknowledged. Being the far side, it must not
// be called from the host's callbacks for the same instance, whose answer
// it would wait for.
func (n *Network) Inbound(instance string, in driver.Inbound) error {
	if in.MessageType == "" {
		in.MessageType = "conversation"
	}
	switch {
	case !phone.Valid(in.From):
		return fmt.Errorf("sandbox: inbound to %s: from: %s", instance, phone.FormatMessage)
	case !inboundTypes[in.MessageType]:
		return fmt.Errorf("sandbox: inbound to %s: unknown message type %q", instance, in.MessageType)
	}
	n.mu.Lock()
	c := n.conns[instance]
	if c == nil || c.state != open {
		n.mu.Unlock()
		return fmt.Errorf("sandbox: inbound to %s: %w", instance, driver.ErrNotConnected)
	}
	if in.MessageID == "" {
		in.MessageID = n.messageID()
	}
	if in.Timestamp.IsZero() {
		in.Timestamp = n.clk.Now().Truncate(time.Second)
	}
	reply := make(chan error, 1)
	c.outbox = append(c.outbox, event{in: in, reply: reply})
	n.mu.Unlock()
	n.flush(c)
	if err := <-reply; err != nil {
		return fmt.Errorf("sandbox: inbound to %s not acknowledged: %w", instance, err)
	}
	return nil
}

// Drop ends the instance's connection for reason, as WhatsApp would:
// logged_out unlinks the device, any other reason leaves it linked.
func (n *Network) Drop(instance string, reason driver.Reason) error {
	if !reason.Valid() {
		return fmt.Errorf("sandbox: drop %s: unknown reason %q", instance, reason)
	}
	n.mu.Lock()
	c := n.conns[instance]
	if c == nil || c.state != open {
		n.mu.Unlock()
		return fmt.Errorf("sandbox: drop %s: %w", instance, driver.ErrNotConnected)
	}
	if reason == driver.LoggedOut {
		c.state, c.phone = unlinked, ""
	} else {
		c.state = offline
	}
	c.outbox = append(c.outbox, event{change: driver.DisconnectedChange(reason)})
	n.mu.Unlock()
	n.flush(c)
	return nil
}

// messageID makes an id the way WhatsApp Web does ("3EB0" and 18
// upper-case hex digits). Call with mu held.
func (n *Network) messageID() string {
	b := make([]byte, 9)
	for i := range b {
		b[i] = byte(n.rnd.Uint32())
	}
	return "3EB0" + strings.ToUpper(hex.EncodeToString(b))
}
