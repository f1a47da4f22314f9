package sandbox

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/phone"
)

// inboundTypes are the messageType values of message.received (API.md),
// each with whether it carries a file (Inbound.Media).
var inboundTypes = map[string]bool{
	"conversation": false, "imageMessage": true, "documentMessage": true,
	"audioMessage": true, "videoMessage": true, "stickerMessage": true,
	"locationMessage": false, "contactMessage": false, "pollCreationMessage": false,
}

// InboundType reports whether messageType is one of message.received's,
// and whether that type carries a file.
func InboundType(messageType string) (known, media bool) {
	media, known = inboundTypes[messageType]
	return known, media
}

// MediaLimit is the largest file WhatsApp carries for an inbound
// messageType (imageMessage is an image, ...): the limit of the kind we
// send, so that the sandbox never delivers what WhatsApp would refuse.
// False for a type without a file.
func MediaLimit(messageType string) (int64, bool) {
	if !inboundTypes[messageType] {
		return 0, false
	}
	k, ok := message.KindOf(message.Type(strings.TrimSuffix(messageType, "Message")))
	if !ok {
		return 0, false
	}
	m, ok := k.Media()
	return m.MaxBytes, ok
}

// InboundMedia is the file of an inbound message as the sandbox phone
// sent it: WhatsApp's description of it and a download that yields data.
// data is held, not copied: the caller must not change it afterwards.
func InboundMedia(data []byte, mimetype, fileName string) *driver.InboundMedia {
	return &driver.InboundMedia{Mimetype: mimetype, FileName: fileName, Size: int64(len(data)),
		Open: func(ctx context.Context) (io.ReadCloser, error) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return io.NopCloser(bytes.NewReader(data)), nil
		}}
}

// ErrMediaTooLarge: an inbound file over its type's limit (MediaLimit).
var ErrMediaTooLarge = errors.New("media larger than WhatsApp allows for its type")

// Inbound is someone writing to the instance. A missing MessageType means
// conversation; a missing MessageID or Timestamp is made up as WhatsApp
// would (its timestamps are whole seconds). Chat, when set, must be a
// group id (From is then the participant who wrote) and makes IsGroup
// true; a direct chat leaves it empty or equal to From, and the host
// hears it as From. The media types
// need Media (InboundMedia), the others must not have it. It returns only
// once the host has answered, and fails if the host did not accept the
// message, which WhatsApp would see as not acknowledged. Being the far
// side, it must not be called from the host's callbacks for the same
// instance, whose answer it would wait for.
func (n *Network) Inbound(instance string, in driver.Inbound) error {
	if in.MessageType == "" {
		in.MessageType = "conversation"
	}
	media, known := inboundTypes[in.MessageType]
	switch {
	case !phone.Valid(in.From):
		return fmt.Errorf("sandbox: inbound to %s: from: %s", instance, phone.FormatMessage)
	case !known:
		return fmt.Errorf("sandbox: inbound to %s: unknown message type %q", instance, in.MessageType)
	case media && in.Media == nil:
		return fmt.Errorf("sandbox: inbound to %s: media required for %s", instance, in.MessageType)
	case !media && in.Media != nil:
		return fmt.Errorf("sandbox: inbound to %s: %s carries no media", instance, in.MessageType)
	}
	if in.Media != nil {
		if limit, _ := MediaLimit(in.MessageType); in.Media.Size > limit {
			return fmt.Errorf("sandbox: inbound to %s: %w (%d bytes, %s allows %d)", instance, ErrMediaTooLarge,
				in.Media.Size, in.MessageType, limit)
		}
	}
	var err error
	if in.Chat, in.IsGroup, err = where(in.Chat, in.From); err != nil {
		return fmt.Errorf("sandbox: inbound to %s: %w", instance, err)
	}
	// The closure reads in when the outbox reaches it, after fill.
	return n.report(instance, "inbound", func(ev driver.Events) error { return ev.Received(instance, in) }, func(*conn) error {
		if in.MessageID == "" {
			in.MessageID = n.messageID()
		}
		if in.Timestamp.IsZero() {
			in.Timestamp = n.clk.Now().Truncate(time.Second)
		}
		return nil
	})
}

// where checks the chat of something a sandbox phone did: a group id, or
// the direct chat with from ("" or from itself), which WhatsApp names by
// from, as the driver port says.
func where(chatID, from string) (string, bool, error) {
	switch {
	case chatID == "" || chatID == from:
		return from, false, nil
	case chat.IsGroup(chatID):
		return chatID, true, nil
	}
	return "", false, errors.New("chat: must be a group id (or empty for the direct chat)")
}

// report queues what a phone did (a message, a receipt, an update) on the
// instance's outbox, so the host hears it in order with everything else,
// and waits for the host's answer: an error is WhatsApp's "not
// acknowledged". fill runs under the lock, once the instance is known to
// be open, to make up ids and times from the network's random source and
// clock and to read its log; an error of fill reports nothing. A closed
// instance is ErrNotConnected: nobody is there to hear.
func (n *Network) report(instance, what string, deliver func(driver.Events) error, fill func(*conn) error) error {
	n.mu.Lock()
	c := n.conns[instance]
	if c == nil || c.state != open {
		n.mu.Unlock()
		return fmt.Errorf("sandbox: %s to %s: %w", what, instance, driver.ErrNotConnected)
	}
	if fill != nil {
		if err := fill(c); err != nil {
			n.mu.Unlock()
			return fmt.Errorf("sandbox: %s to %s: %w", what, instance, err)
		}
	}
	reply := make(chan error, 1)
	c.outbox = append(c.outbox, event{report: deliver, reply: reply})
	n.mu.Unlock()
	n.flush(c)
	if err := <-reply; err != nil {
		return fmt.Errorf("sandbox: %s to %s not acknowledged: %w", what, instance, err)
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
