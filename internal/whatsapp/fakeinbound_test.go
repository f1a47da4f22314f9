package whatsapp

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// Inbound messages of every kind, from a phone through the fake WhatsApp
// server to the driver's whatsmeow client and out as the port's value:
// Signal-encrypted on the wire, media encrypted on the fake's media host
// and downloaded and decrypted by Media.Open.

// inboundSetup is a driver linked to phoneA on a fake server, with its
// events and the directory its media downloads go to.
type inboundSetup struct {
	srv     *whatsapptest.Server
	d       *Driver
	jid     types.JID
	ev      *drivertest.Recorder
	tempDir string
}

func newInboundSetup(t *testing.T) *inboundSetup {
	t.Helper()
	srv := whatsapptest.NewServer(t)
	dir := t.TempDir()
	d, jid, ev := linkedOnFakeServer(t, srv, phoneA, Config{TempDir: dir})
	return &inboundSetup{srv: srv, d: d, jid: jid, ev: ev, tempDir: dir}
}

// deliver sends m from phoneB and returns what the host received.
func (s *inboundSetup) deliver(t *testing.T, id string, m *waE2E.Message) driver.Inbound {
	t.Helper()
	at := time.Now().Truncate(time.Second)
	require.NoError(t, s.srv.Deliver(context.Background(), s.jid, whatsapptest.Inbound{ID: id, From: phoneB,
		PushName: "Juan Pérez", Time: at, Message: m}))
	in := s.ev.Expect(t, inst, drivertest.Received).Inbound
	require.Equal(t, at.UTC(), in.Timestamp)
	require.Equal(t, time.UTC, in.Timestamp.Location())
	return in
}

// readMedia opens the media of in, reads it whole and closes it, checking
// the temporary file is gone afterwards.
func (s *inboundSetup) readMedia(t *testing.T, in driver.Inbound) []byte {
	t.Helper()
	require.NotNil(t, in.Media)
	require.NotNil(t, in.Media.Open)
	r, err := in.Media.Open(context.Background())
	require.NoError(t, err)
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	entries, err := os.ReadDir(s.tempDir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "the download is a file in the configured TempDir")
	require.NoError(t, r.Close())
	entries, err = os.ReadDir(s.tempDir)
	require.NoError(t, err)
	require.Empty(t, entries, "Close removes the temporary file")
	return data
}

func TestInboundKindsOnFakeServer(t *testing.T) {
	s := newInboundSetup(t)
	photo := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 70_000)...) // spans many AES blocks
	photo[5000] = 7
	tests := []struct {
		name  string
		msg   *waE2E.Message
		media []byte                   // uploaded as the attachment of msg
		want  driver.Inbound           // besides id, sender, chat, time and Open
		check func(*testing.T, []byte) // what Media.Open returned
	}{
		{name: "text with quote and mentions", msg: &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
			Text: proto.String("@" + phoneC + " @" + phoneB + " see above"), ContextInfo: &waE2E.ContextInfo{
				StanzaID: proto.String("3EB0C767D71D3A9E2A1F5E"), Participant: proto.String(phoneA + "@s.whatsapp.net"),
				QuotedMessage: &waE2E.Message{Conversation: proto.String("your order shipped")},
				// phoneB by its LID (the client learned it from the
				// sender_pn of this very message); a LID nobody knows is
				// dropped.
				MentionedJID: []string{phoneC + "@s.whatsapp.net", s.srv.LID(phoneB).String(), "100000000000001@lid"},
			}}},
			want: driver.Inbound{MessageType: "conversation", Text: "@" + phoneC + " @" + phoneB + " see above",
				Quoted: &driver.InboundQuote{MessageID: "3EB0C767D71D3A9E2A1F5E", From: phoneA}, Mentions: []string{phoneC, phoneB}}},
		{name: "image with caption", msg: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			Caption: proto.String("the parcel"), Mimetype: proto.String("image/jpeg")}}, media: photo,
			want: driver.Inbound{MessageType: "imageMessage", Caption: "the parcel",
				Media: &driver.InboundMedia{Mimetype: "image/jpeg", Size: int64(len(photo))}}},
		{name: "document with file name", msg: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
			FileName: proto.String("F-0001.pdf"), Mimetype: proto.String("application/pdf"), Caption: proto.String("invoice")}},
			media: []byte("%PDF-1.7 invoice"),
			want: driver.Inbound{MessageType: "documentMessage", Caption: "invoice",
				Media: &driver.InboundMedia{Mimetype: "application/pdf", FileName: "F-0001.pdf", Size: 16}}},
		{name: "voice note", msg: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true),
			Mimetype: proto.String("audio/ogg; codecs=opus")}}, media: []byte("OggS voice"),
			want: driver.Inbound{MessageType: "audioMessage", Media: &driver.InboundMedia{Mimetype: "audio/ogg; codecs=opus", Size: 10}}},
		{name: "video", msg: &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: proto.String("unboxing"),
			Mimetype: proto.String("video/mp4")}}, media: []byte("\x00\x00\x00\x18ftypmp42 clip"),
			want: driver.Inbound{MessageType: "videoMessage", Caption: "unboxing", Media: &driver.InboundMedia{Mimetype: "video/mp4", Size: 17}}},
		{name: "sticker", msg: &waE2E.Message{StickerMessage: &waE2E.StickerMessage{Mimetype: proto.String("image/webp")}},
			media: []byte("RIFF\x10\x00\x00\x00WEBPVP8 "),
			want:  driver.Inbound{MessageType: "stickerMessage", Media: &driver.InboundMedia{Mimetype: "image/webp", Size: 16}}},
		{name: "location", msg: &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-34.6037),
			DegreesLongitude: proto.Float64(-58.3816), Name: proto.String("Obelisco"), Address: proto.String("Av. 9 de Julio s/n")}},
			want: driver.Inbound{MessageType: "locationMessage", Location: &message.LocationContent{Latitude: -34.6037,
				Longitude: -58.3816, Name: "Obelisco", Address: "Av. 9 de Julio s/n"}}},
		{name: "contact with two numbers", msg: &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String("Ana"),
			Vcard: proto.String("BEGIN:VCARD\r\nVERSION:3.0\r\nN:;Ana;;;\r\nFN:Ana Gómez\r\nitem1.TEL;waid=5491155550000:+54 9 11 5555-0000\r\n" +
				"TEL;type=HOME:+54 11 4444-1234\r\nEND:VCARD")}},
			want: driver.Inbound{MessageType: "contactMessage", Contacts: []driver.InboundContact{
				{FullName: "Ana Gómez", PhoneNumbers: []string{"5491155550000", "541144441234"}}}}},
		{name: "poll (V3)", msg: &waE2E.Message{PollCreationMessageV3: &waE2E.PollCreationMessage{Name: proto.String("Delivery day?"),
			Options:                []*waE2E.PollCreationMessage_Option{{OptionName: proto.String("Monday")}, {OptionName: proto.String("Tuesday")}},
			SelectableOptionsCount: proto.Uint32(1)}},
			want: driver.Inbound{MessageType: "pollCreationMessage", Poll: &driver.InboundPoll{Question: "Delivery day?",
				Options: []string{"Monday", "Tuesday"}, SelectableCount: 1}}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.media != nil {
				_, err := s.srv.AttachMedia(tt.msg, tt.media)
				require.NoError(t, err)
			}
			id := "3EB0" + string(rune('A'+i)) + "1B2C3D4E5F6A7B8C9D0E1F2"
			got := s.deliver(t, id, tt.msg)
			var data []byte
			if tt.media != nil {
				data = s.readMedia(t, got)
				got.Media.Open = nil
			}
			want := tt.want
			want.MessageID, want.From, want.Chat, want.PushName, want.Timestamp = id, phoneB, phoneB, "Juan Pérez", got.Timestamp
			require.Equal(t, want, got)
			require.Equal(t, tt.media, data, "Open gives the bytes the phone sent")
		})
	}
	s.ev.Quiet(t, inst)
}
