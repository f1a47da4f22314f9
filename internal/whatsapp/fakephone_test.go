package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
)

// fakePhone is the drivertest.Phone of a fakeNet.
type fakePhone struct{ net *fakeNet }

// Scan pairs the instance's linking connection with phone, as whatsmeow
// does on pair-success: save the device (after PrePairCallback), then
// PairSuccess, then a fresh login and Connected.
func (p fakePhone) Scan(instance, phone string) error {
	c := p.net.client(instance)
	if c == nil {
		return driver.ErrNotLinking
	}
	if conn, _, qr := c.state(); !conn || !qr || c.dev.ID != nil {
		return driver.ErrNotLinking
	}
	p.net.mu.Lock()
	p.net.devNum++
	jid := types.NewADJID(phone, 0, p.net.devNum)
	p.net.mu.Unlock()
	if !c.h.prePair(jid) {
		return errors.New("fake: pairing refused by the client")
	}
	c.dev.ID, c.dev.Platform = &jid, "android"
	c.dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte("details"), AccountSignatureKey: make([]byte, 32),
		AccountSignature: make([]byte, 64), DeviceSignature: make([]byte, 64)}
	if err := c.dev.Save(context.Background()); err != nil {
		return err
	}
	c.mu.Lock()
	c.qrShown = false
	c.mu.Unlock()
	c.h.handle(&events.PairSuccess{ID: jid, Platform: "android"})
	c.mu.Lock()
	c.loggedIn = true
	c.mu.Unlock()
	c.h.handle(&events.Connected{})
	return nil
}

// Inbound delivers a message; it fails if the driver did not acknowledge.
func (p fakePhone) Inbound(instance string, in driver.Inbound) error {
	c := p.net.client(instance)
	if c == nil || !c.IsLoggedIn() {
		return errors.New("fake: instance not connected")
	}
	pn := types.NewJID(in.From, types.DefaultUserServer)
	evt := &events.Message{Info: types.MessageInfo{
		MessageSource: types.MessageSource{Chat: pn, Sender: pn},
		ID:            in.MessageID, PushName: in.PushName, Timestamp: in.Timestamp.Local(),
	}, Message: wireMessage(in)}
	if !c.h.handle(evt) {
		return errors.New("fake: message not acknowledged")
	}
	return nil
}

func wireMessage(in driver.Inbound) *waE2E.Message {
	caption := optional(in.Caption)
	var mimetype *string
	var size *uint64
	if in.Media != nil {
		mimetype, size = optional(in.Media.Mimetype), proto.Uint64(uint64(in.Media.Size))
	}
	switch in.MessageType {
	case "imageMessage":
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: caption, Mimetype: mimetype, FileLength: size}}
	case "videoMessage":
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: caption}}
	case "documentMessage":
		return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: caption}}
	case "audioMessage":
		return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{}}
	}
	return &waE2E.Message{Conversation: proto.String(in.Text)}
}

// Drop ends the connection as WhatsApp would for reason.
func (p fakePhone) Drop(instance string, reason driver.Reason) error {
	c := p.net.client(instance)
	if c == nil || !c.IsLoggedIn() {
		return errors.New("fake: instance not connected")
	}
	c.Disconnect()
	var evt any
	switch reason {
	case driver.ConnectionLost:
		evt = &events.Disconnected{}
	case driver.LoggedOut:
		evt = &events.LoggedOut{Reason: events.ConnectFailureLoggedOut}
		if err := c.dev.Delete(context.Background()); err != nil {
			return err
		}
	case driver.Replaced:
		evt = &events.StreamReplaced{}
	case driver.Banned:
		evt = &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 2 * time.Hour}
	default:
		return fmt.Errorf("fake: no event for %q", reason)
	}
	c.h.handle(evt)
	return nil
}

func (p fakePhone) Sent(instance string) []driver.Outbound {
	p.net.mu.Lock()
	defer p.net.mu.Unlock()
	return append([]driver.Outbound{}, p.net.sent[instance]...)
}
