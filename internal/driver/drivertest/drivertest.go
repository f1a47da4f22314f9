// Package drivertest is the conformance suite of the WhatsApp driver port.
// The session host is written once against the port; every driver (the
// sandbox now, whatsmeow against a fake WhatsApp server later) runs this
// suite, so a host that works on the sandbox works on WhatsApp.
//
// Beyond the doc comments of Driver and Phone, the suite holds drivers to
// what the host relies on without saying so:
//
//   - the events of one instance arrive in the order things happened
//     (Connecting before Connected, no QR after linking ended), though
//     possibly from another goroutine, so the suite waits for them;
//   - a dropped connection (connection_lost, replaced, banned) or a
//     Disconnect keeps the device linked: Device still works; logged_out,
//     by the phone or by Logout, unlinks it for good;
//   - what Sent shows is compared on the fields that cross the wire
//     (WhatsApp never sees our message id, lane or media URL);
//   - instances share nothing but the driver.
package drivertest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// Driver is the WhatsApp driver port, one connection per instance, as the
// session host consumes it.
type Driver interface {
	// Link starts linking an unlinked instance: QR codes arrive through
	// Events.QR (the first at once), rotating as WhatsApp rotates them
	// (first after 60 s, then every 20 s, five times); after the last one
	// expires linking ends with Events.Disconnected(instance, "") (reason
	// "" = none: back to close). Linking an instance already linking
	// restarts it; linking a linked one fails.
	Link(ctx context.Context, instance string) error
	// PairingCode starts (or continues) linking by phone number and returns
	// the 8-character code formatted "XXXX-XXXX" as WhatsApp shows it.
	PairingCode(ctx context.Context, instance, phone string) (string, error)
	// Connect reconnects an instance that was linked before (phone is the
	// linked number as stored by the host, e.g. after a process restart);
	// Events.Connecting then Events.Connected follow. ErrNotLinked if the
	// driver knows the device was logged out.
	Connect(ctx context.Context, instance, phone string) error
	// Disconnect drops the connection without unlinking (restart,
	// shutdown, lease lost); it reports nothing.
	Disconnect(instance string)
	// Logout unlinks the device; Events.Disconnected(instance, logged_out)
	// follows.
	Logout(ctx context.Context, instance string) error
	// Send sends one message; ErrNotConnected if the instance is not open;
	// *SendError for a permanent failure.
	Send(ctx context.Context, instance string, out driver.Outbound) error
	// Edit and Revoke change a message sent earlier (by its WhatsApp
	// id) for everyone in its chat; they fail like Send.
	Edit(ctx context.Context, instance string, e driver.Edit) error
	Revoke(ctx context.Context, instance string, r driver.Revoke) error
	// Device describes the linked phone; ErrNotLinked if not linked.
	Device(ctx context.Context, instance string) (driver.Device, error)
	// Presence shows state ("typing…", "recording audio…", paused) in the
	// chat with to; ErrNotConnected if the instance is not open.
	Presence(ctx context.Context, instance, to string, state driver.ChatPresence) error
	// MarkRead sends a read receipt for messages received in one chat
	// from one writer; ErrNotConnected if the instance is not open.
	MarkRead(ctx context.Context, instance string, r driver.ReadReceipt) error
}

// Phone is the far side of the test: what a real phone and WhatsApp's
// servers would do.
type Phone interface {
	// Scan scans the current QR code or confirms the pairing code, linking
	// the instance to phone; ErrNotLinking if the instance is not linking.
	Scan(instance, phone string) error
	// Inbound delivers a message someone wrote to the instance; it fails
	// when the driver did not acknowledge it.
	Inbound(instance string, in driver.Inbound) error
	// Drop ends the instance's connection for reason.
	Drop(instance string, reason driver.Reason) error
	// Sent is what the network received from the instance, oldest first.
	Sent(instance string) []driver.Outbound
	// Changed is the edits and deletions the network received from the
	// instance, oldest first (they are not in Sent).
	Changed(instance string) []Changed
	// Presences are the chat presences the network received from the
	// instance, oldest first (At is not compared).
	Presences(instance string) []driver.Presence
	// Reads are the read receipts the network received from the
	// instance, oldest first (At is not compared).
	Reads(instance string) []driver.ReadReceipt
}

// Harness builds one driver and its phone side, reporting to events and
// timing linking with clk. The suite calls it a second time within a test
// to simulate a process restart: the new driver must see the persistent
// state (device store) the first one left, as a restarted host would.
type Harness func(t *testing.T, events driver.Events, clk *clock.Fake) (Driver, Phone)

// WhatsApp's linking schedule, as the suite expects drivers to follow it.
const (
	firstQRLife = 60 * time.Second
	nextQRLife  = 20 * time.Second
	qrRotations = 5
)

// Fixtures: two instances of one tenant and two phones.
const (
	instA  = "acme__soporte__main"
	instB  = "acme__ventas__main"
	phoneA = "5491112345678"
	phoneB = "5491187654321"
)

var t0 = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

// Run runs every case, each on a fresh driver from h.
func Run(t *testing.T, h Harness) {
	cases := []struct {
		name string
		run  func(t *testing.T, s *setup)
	}{
		{"link, connect and send", linkConnectSend},
		{"every kind of message", everyKind},
		{"send to a group", sendToGroup},
		{"edit and revoke", editAndRevoke},
		{"chat presence", chatPresence},
		{"read receipts", readReceipts},
		{"qr rotation and expiry", qrRotation},
		{"link again restarts linking", linkAgain},
		{"pairing code", pairingCode},
		{"scan without linking", scanWithoutLinking},
		{"connection lost", connectionLost},
		{"logged out by the phone", loggedOutByPhone},
		{"replaced and banned", replacedAndBanned},
		{"logout", logout},
		{"disconnect reports nothing", disconnect},
		{"inbound", inbound},
		{"connect after restart", connectAfterRestart},
		{"instances are independent", independent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := NewRecorder()
			clk := clock.NewFake(t0)
			d, p := h(t, ev, clk)
			c.run(t, &setup{h: h, ev: ev, clk: clk, d: d, p: p})
		})
	}
}

// setup is one case's driver, phone side, events and clock.
type setup struct {
	h   Harness
	ev  *Recorder
	clk *clock.Fake
	d   Driver
	p   Phone
}

// link takes instance from unlinked to open by QR, checking the events.
func (s *setup) link(t *testing.T, instance, phone string) {
	t.Helper()
	require.NoError(t, s.d.Link(context.Background(), instance))
	require.NotEmpty(t, s.ev.Expect(t, instance, QR).Code)
	require.NoError(t, s.p.Scan(instance, phone))
	s.ev.Expect(t, instance, Connecting)
	require.Equal(t, phone, s.ev.Expect(t, instance, Connected).Phone)
}

// outbounds is one message of each kind to to, with every field the kind
// carries set (everyKind checks that no kind is missing).
func outbounds(to string) []driver.Outbound {
	return []driver.Outbound{
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f01", WAMessageID: "3EB0A1B2C3D4E5F6A7B8C9", To: to,
			Type: message.Text, Text: "Hola 👋, ¿cómo estás? @5491100000011 @5491100000012", Lane: "urgent",
			Mentions: []string{"5491100000011", "5491100000012"}},
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f02", WAMessageID: "3EB0A1B2C3D4E5F6A7B8CA", To: to,
			Type: message.Image, Caption: "the picture, @5491100000011", MediaURL: "https://media.example.com/a.png",
			Media: []byte("\x89PNG\r\n\x1a\nimage"), ContentType: "image/png", Lane: "normal",
			Mentions: []string{"5491100000011"}, ViewOnce: true},
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f03", WAMessageID: "3EB0A1B2C3D4E5F6A7B8CB", To: to,
			Type: message.Document, Caption: "your invoice", FileName: "invoice 03.pdf",
			MediaURL: "https://media.example.com/invoice.pdf", Media: []byte("%PDF-1.4\n%document"),
			ContentType: "application/pdf", Lane: "normal", Mentions: []string{"5491100000012"}},
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f04", WAMessageID: "3EB0A1B2C3D4E5F6A7B8CC", To: to,
			Type: message.Audio, MediaURL: "https://media.example.com/note.ogg", Media: []byte("OggS\x00audio"),
			ContentType: "audio/ogg", Lane: "bulk"},
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f05", WAMessageID: "3EB0A1B2C3D4E5F6A7B8CD", To: to,
			Type: message.Video, Caption: "the clip", MediaURL: "https://media.example.com/clip.mp4",
			Media: []byte("\x00\x00\x00\x18ftypmp42video"), ContentType: "video/mp4", Lane: "bulk", ViewOnce: true},
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f06", WAMessageID: "3EB0A1B2C3D4E5F6A7B8CE", To: to,
			Type: message.Location, Lane: "normal", Location: &message.LocationContent{Latitude: -34.603722,
				Longitude: -58.381592, Name: "Obelisco", Address: "Av. 9 de Julio s/n, Buenos Aires"},
			Quote: &message.Quote{WAMessageID: "AC3EADB76DB5BE4130602FBF2039604A", From: "5491187654321", Text: "¿Dónde?"}},
		// Two cards go as a contacts array, one as a single contact; the
		// sample takes the array, whose cards carry what a single one does.
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f07", WAMessageID: "3EB0A1B2C3D4E5F6A7B8CF", To: to,
			Type: message.Contact, Lane: "normal", Contacts: []message.ContactCard{
				{FullName: "Juan Pérez", PhoneNumber: "5491112345678"},
				{FullName: "Ana; \"la jefa\", Gómez", PhoneNumber: "5491187654321", Organization: "Acme, S.A.",
					Email: "ana@acme.example"}}},
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f09", WAMessageID: "3EB0A1B2C3D4E5F6A7B8D1", To: to,
			Type: message.Sticker, MediaURL: "https://media.example.com/sticker.png", Media: stickerSample(),
			ContentType: "image/webp", Lane: "normal"},
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f08", WAMessageID: "3EB0A1B2C3D4E5F6A7B8D0", To: to,
			Type: message.Poll, Lane: "bulk", Poll: &message.PollContent{Question: "¿Dónde almorzamos?",
				Options: []string{"Pizza 🍕", "Sushi", "Empanadas"}, SelectableCount: 2}},
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f0a", WAMessageID: "3EB0A1B2C3D4E5F6A7B8D2", To: to,
			Type: message.Reaction, Lane: "normal", Reaction: &message.ReactionContent{
				MessageID: "AC3EADB76DB5BE4130602FBF2039604A", From: to, Emoji: "👍🏽"}},
	}
}

// onWire keeps the fields of each message that WhatsApp itself receives:
// all but our id, the lane and the media URL, so a field a new kind adds
// to Outbound is compared without being listed here.
func onWire(outs []driver.Outbound) []driver.Outbound {
	kept := make([]driver.Outbound, 0, len(outs))
	for _, o := range outs {
		o.MessageID, o.Lane, o.MediaURL = "", "", ""
		kept = append(kept, o)
	}
	return kept
}

// waitTimer waits (real time) until the driver is blocked on the fake
// clock, so that advancing it is not lost on a timer not yet started.
func waitTimer(t *testing.T, clk *clock.Fake) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for clk.Waiters() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the driver started no timer on the clock within %s", Timeout)
		}
		time.Sleep(time.Millisecond)
	}
}
