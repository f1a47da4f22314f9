package whatsapp

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// fakeNet stands in for WhatsApp's servers and the phones behind them, as
// whatsmeow clients see them: it emits the events whatsmeow would and
// records what was sent. It lets the driver's own logic (linking,
// connection states, acknowledgements) run the conformance suite without
// a network; the protocol itself is covered against the fake WhatsApp
// server in whatsapptest.
type fakeNet struct {
	mu      sync.Mutex
	rnd     *rand.Rand
	clients map[string]*fakeClient // per instance, the latest
	sent    map[string][]driver.Outbound
	media   map[string][]byte // direct path → plaintext
	devNum  uint8
	typing  fakeTyping                      // chat presences (fakepresence_test.go)
	reads   map[string][]driver.ReadReceipt // read receipts per instance (fakeread_test.go)
	// knobs
	connectErr error                                  // ConnectContext fails with it
	sendErr    func(to types.JID) error               // SendMessage fails with it (nil: succeeds)
	uploadErr  error                                  // Upload fails with it
	onLinking  func(c *fakeClient) (evt any, ok bool) // replaces the QR event of a linking connection

	changed map[string][]drivertest.Changed // edits and revokes received (fakechange_test.go)
}

func newFakeNet() *fakeNet {
	return &fakeNet{rnd: rand.New(rand.NewPCG(1, 2)), clients: map[string]*fakeClient{},
		sent: map[string][]driver.Outbound{}, changed: map[string][]drivertest.Changed{}, media: map[string][]byte{}}
}

// factory is the clientFactory of drivers on this network.
func (n *fakeNet) factory(instance string, dev *store.Device, h hooks) waClient {
	return &fakeClient{net: n, instance: instance, dev: dev, h: h}
}

func (n *fakeNet) client(instance string) *fakeClient {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.clients[instance]
}

func (n *fakeNet) random(size int) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(n.rnd.UintN(256))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// fakeClient behaves as a *whatsmeow.Client does toward its handlers.
type fakeClient struct {
	net      *fakeNet
	instance string
	dev      *store.Device
	h        hooks

	mu        sync.Mutex
	connected bool
	loggedIn  bool
	qrShown   bool
}

func (c *fakeClient) state() (connected, loggedIn, qrShown bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connected, c.loggedIn, c.qrShown
}

func (c *fakeClient) ConnectContext(context.Context) error {
	if c.dev.Deleted {
		return store.ErrDeviceDeleted
	}
	c.net.mu.Lock()
	err := c.net.connectErr
	if err == nil {
		c.net.clients[c.instance] = c
	}
	c.net.mu.Unlock()
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.connected = true
	paired := c.dev.ID != nil
	c.loggedIn = paired
	c.qrShown = !paired
	c.mu.Unlock()
	if paired {
		go c.h.handle(&events.Connected{})
		return nil
	}
	var evt any = &events.QR{Codes: c.qrCodes()}
	if c.net.onLinking != nil {
		if e, ok := c.net.onLinking(c); ok {
			evt = e
		}
	}
	go c.h.handle(evt)
	return nil
}

// qrCodes are six codes as whatsmeow builds them: a ref per code, then
// the device's keys and secret, shared by all.
func (c *fakeClient) qrCodes() []string {
	keys := c.net.random(32) + "," + c.net.random(32) + "," + base64.StdEncoding.EncodeToString(c.dev.AdvSecretKey)
	codes := make([]string, 6)
	for i := range codes {
		codes[i] = "https://wa.me/settings/linked_devices#2@" + c.net.random(24) + "," + keys + ",1"
	}
	return codes
}

func (c *fakeClient) Disconnect() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.connected, c.loggedIn, c.qrShown = false, false, false
}

func (c *fakeClient) Logout(ctx context.Context) error {
	if _, in, _ := c.state(); !in {
		return whatsmeow.ErrNotConnected
	}
	c.Disconnect()
	return c.dev.Delete(ctx)
}

func (c *fakeClient) IsLoggedIn() bool {
	_, in, _ := c.state()
	return in
}

func (c *fakeClient) PairPhone(_ context.Context, phone string, _ bool, ct whatsmeow.PairClientType, name string) (string, error) {
	if conn, _, qr := c.state(); !conn || !qr {
		return "", errors.New("fake: pair phone without a linking connection")
	}
	if ct != whatsmeow.PairClientChrome || name != "Chrome (Linux)" || phone == "" {
		return "", errors.New("fake: 400 bad-request")
	}
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"
	c.net.mu.Lock()
	defer c.net.mu.Unlock()
	var b strings.Builder
	for i := range 8 {
		if i == 4 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[c.net.rnd.IntN(len(alphabet))])
	}
	return b.String(), nil
}

func (c *fakeClient) SendMessage(_ context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	if _, in, _ := c.state(); !in {
		return whatsmeow.SendResponse{}, whatsmeow.ErrNotConnected
	}
	if c.net.sendErr != nil {
		if err := c.net.sendErr(to); err != nil {
			return whatsmeow.SendResponse{}, err
		}
	}
	if len(extra) != 1 || extra[0].ID == "" {
		return whatsmeow.SendResponse{}, errors.New("fake: no message id given")
	}
	if ch, ok, err := decodeChange(to, msg); ok || err != nil {
		return c.recordChange(ch, extra[0].ID, to, err)
	}
	out, err := c.net.decode(msg)
	if err == nil {
		err = decodeExtras(msg, &out)
	}
	if err == nil {
		err = decodeQuote(msg, c.dev.ID, &out)
	}
	if err != nil {
		return whatsmeow.SendResponse{}, err
	}
	out.WAMessageID, out.To = extra[0].ID, fakeChat(to)
	c.net.mu.Lock()
	c.net.sent[c.instance] = append(c.net.sent[c.instance], out)
	c.net.mu.Unlock()
	return whatsmeow.SendResponse{ID: extra[0].ID, Timestamp: time.Now()}, nil
}

func (c *fakeClient) Upload(_ context.Context, data []byte, kind whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	if c.net.uploadErr != nil {
		return whatsmeow.UploadResponse{}, c.net.uploadErr
	}
	sum := sha256.Sum256(data)
	path := "/v/t62.7118-24/" + hex.EncodeToString(sum[:8]) + "?type=" + strings.Fields(string(kind))[1]
	c.net.mu.Lock()
	c.net.media[path] = append([]byte(nil), data...)
	c.net.mu.Unlock()
	enc := sha256.Sum256(append([]byte("enc"), data...))
	return whatsmeow.UploadResponse{URL: "https://mmg.whatsapp.net" + path, DirectPath: path,
		MediaKey: sum[:], FileSHA256: sum[:], FileEncSHA256: enc[:], FileLength: uint64(len(data))}, nil
}

// IsOnWhatsApp: numbers starting with 999 have no account.
func (c *fakeClient) IsOnWhatsApp(_ context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error) {
	var out []types.IsOnWhatsAppResponse
	for _, p := range phones {
		num := strings.TrimPrefix(p, "+")
		r := types.IsOnWhatsAppResponse{Query: p, JID: types.NewJID(num, types.DefaultUserServer)}
		if !strings.HasPrefix(num, "999") {
			r.IsIn = true
			r.JID = types.NewJID("1"+num, types.HiddenUserServer)
			r.PhoneNumber = types.NewJID(num, types.DefaultUserServer)
		}
		out = append(out, r)
	}
	return out, nil
}

// BuildPollCreation is whatsmeow's own, which uses nothing of the client.
func (c *fakeClient) BuildPollCreation(name string, options []string, selectable int) *waE2E.Message {
	return new(whatsmeow.Client).BuildPollCreation(name, options, selectable)
}

// decode turns a sent protobuf back into the port's value.
func (n *fakeNet) decode(m *waE2E.Message) (driver.Outbound, error) {
	if m.GetDocumentWithCaptionMessage().GetMessage() != nil {
		m = m.GetDocumentWithCaptionMessage().GetMessage()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case m.Conversation != nil:
		return driver.Outbound{Type: message.Text, Text: m.GetConversation()}, nil
	case m.ExtendedTextMessage != nil: // a text with mentions
		return driver.Outbound{Type: message.Text, Text: m.GetExtendedTextMessage().GetText()}, nil
	case m.ImageMessage != nil:
		x := m.GetImageMessage()
		return driver.Outbound{Type: message.Image, Caption: x.GetCaption(), Media: n.media[x.GetDirectPath()], ContentType: x.GetMimetype()}, nil
	case m.VideoMessage != nil:
		x := m.GetVideoMessage()
		return driver.Outbound{Type: message.Video, Caption: x.GetCaption(), Media: n.media[x.GetDirectPath()], ContentType: x.GetMimetype()}, nil
	case m.AudioMessage != nil:
		x := m.GetAudioMessage()
		return driver.Outbound{Type: message.Audio, Media: n.media[x.GetDirectPath()], ContentType: x.GetMimetype()}, nil
	case m.DocumentMessage != nil:
		x := m.GetDocumentMessage()
		return driver.Outbound{Type: message.Document, Caption: x.GetCaption(), FileName: x.GetFileName(),
			Media: n.media[x.GetDirectPath()], ContentType: x.GetMimetype()}, nil
	case m.StickerMessage != nil:
		x := m.GetStickerMessage()
		data := n.media[x.GetDirectPath()]
		if err := whatsapptest.CheckSticker(x, data); err != nil {
			return driver.Outbound{}, fmt.Errorf("fake: %w", err)
		}
		return driver.Outbound{Type: message.Sticker, Media: data, ContentType: x.GetMimetype()}, nil
	case m.LocationMessage != nil:
		return decodeLocation(m.GetLocationMessage())
	case m.ContactMessage != nil:
		return decodeContacts("", []*waE2E.ContactMessage{m.GetContactMessage()})
	case m.ContactsArrayMessage != nil:
		x := m.GetContactsArrayMessage()
		return decodeContacts(x.GetDisplayName(), x.GetContacts())
	case m.PollCreationMessage != nil:
		return decodePoll(m)
	case m.ReactionMessage != nil:
		return decodeReaction(m.GetReactionMessage())
	}
	return driver.Outbound{}, fmt.Errorf("fake: cannot decode %v", m)
}
