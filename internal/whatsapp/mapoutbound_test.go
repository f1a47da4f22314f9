package whatsapp

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// recordingUploader is an uploader that answers with fixed hashes and
// remembers what it was given.
type recordingUploader struct {
	data []byte
	kind whatsmeow.MediaType
	err  error
}

func (u *recordingUploader) Upload(_ context.Context, data []byte, kind whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	u.data, u.kind = data, kind
	if u.err != nil {
		return whatsmeow.UploadResponse{}, u.err
	}
	sum := sha256.Sum256(data)
	return whatsmeow.UploadResponse{URL: "https://mmg.whatsapp.net/v/t62/abc?ccb=11", DirectPath: "/v/t62/abc?ccb=11",
		MediaKey: []byte("media-key-32-bytes-long-........"), FileEncSHA256: []byte("enc-sha"), FileSHA256: sum[:],
		FileLength: uint64(len(data))}, nil
}

func TestOutboundMessage(t *testing.T) {
	now := time.Unix(1773596760, 0)
	media := []byte("\x89PNG\r\n\x1a\nimage")
	sum := sha256.Sum256(media)
	// fields is what every media message must carry for the phone to
	// fetch and decrypt the file.
	type fields struct {
		URL, DirectPath, Mimetype string
		MediaKey, FileEncSHA256   []byte
		FileSHA256                []byte
		FileLength                uint64
		MediaKeyTimestamp         int64
	}
	wantFields := func(mime string) fields {
		return fields{URL: "https://mmg.whatsapp.net/v/t62/abc?ccb=11", DirectPath: "/v/t62/abc?ccb=11", Mimetype: mime,
			MediaKey: []byte("media-key-32-bytes-long-........"), FileEncSHA256: []byte("enc-sha"), FileSHA256: sum[:],
			FileLength: uint64(len(media)), MediaKeyTimestamp: now.Unix()}
	}
	out := func(typ message.Type, ct, caption, name string) driver.Outbound {
		return driver.Outbound{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f02", To: sender, Type: typ,
			Caption: caption, FileName: name, Media: media, ContentType: ct}
	}
	tests := []struct {
		name  string
		out   driver.Outbound
		kind  whatsmeow.MediaType
		check func(t *testing.T, m *waE2E.Message)
	}{
		{"image", out(message.Image, "image/png", "the picture", ""), whatsmeow.MediaImage, func(t *testing.T, m *waE2E.Message) {
			x := m.GetImageMessage()
			require.Equal(t, wantFields("image/png"), fields{x.GetURL(), x.GetDirectPath(), x.GetMimetype(), x.GetMediaKey(),
				x.GetFileEncSHA256(), x.GetFileSHA256(), x.GetFileLength(), x.GetMediaKeyTimestamp()})
			require.Equal(t, "the picture", x.GetCaption())
		}},
		{"image without caption", out(message.Image, "image/jpeg", "", ""), whatsmeow.MediaImage, func(t *testing.T, m *waE2E.Message) {
			require.Nil(t, m.GetImageMessage().Caption)
			require.Equal(t, "image/jpeg", m.GetImageMessage().GetMimetype())
		}},
		{"video", out(message.Video, "video/mp4", "the clip", ""), whatsmeow.MediaVideo, func(t *testing.T, m *waE2E.Message) {
			x := m.GetVideoMessage()
			require.Equal(t, wantFields("video/mp4"), fields{x.GetURL(), x.GetDirectPath(), x.GetMimetype(), x.GetMediaKey(),
				x.GetFileEncSHA256(), x.GetFileSHA256(), x.GetFileLength(), x.GetMediaKeyTimestamp()})
			require.Equal(t, "the clip", x.GetCaption())
		}},
		{"voice note (Ogg/Opus)", out(message.Audio, "audio/ogg; codecs=opus", "", ""), whatsmeow.MediaAudio, func(t *testing.T, m *waE2E.Message) {
			x := m.GetAudioMessage()
			require.Equal(t, wantFields("audio/ogg; codecs=opus"), fields{x.GetURL(), x.GetDirectPath(), x.GetMimetype(), x.GetMediaKey(),
				x.GetFileEncSHA256(), x.GetFileSHA256(), x.GetFileLength(), x.GetMediaKeyTimestamp()})
			require.True(t, x.GetPTT())
		}},
		{"audio file (MP3)", out(message.Audio, "audio/mpeg", "", ""), whatsmeow.MediaAudio, func(t *testing.T, m *waE2E.Message) {
			require.False(t, m.GetAudioMessage().GetPTT())
			require.Equal(t, "audio/mpeg", m.GetAudioMessage().GetMimetype())
		}},
		{"Ogg Vorbis is no voice note", out(message.Audio, "audio/ogg", "", ""), whatsmeow.MediaAudio, func(t *testing.T, m *waE2E.Message) {
			require.False(t, m.GetAudioMessage().GetPTT())
		}},
		{"document", out(message.Document, "application/pdf", "", "invoice 03.pdf"), whatsmeow.MediaDocument, func(t *testing.T, m *waE2E.Message) {
			x := m.GetDocumentMessage()
			require.Equal(t, wantFields("application/pdf"), fields{x.GetURL(), x.GetDirectPath(), x.GetMimetype(), x.GetMediaKey(),
				x.GetFileEncSHA256(), x.GetFileSHA256(), x.GetFileLength(), x.GetMediaKeyTimestamp()})
			require.Equal(t, "invoice 03.pdf", x.GetFileName())
			require.Equal(t, "invoice 03.pdf", x.GetTitle())
			require.Nil(t, x.Caption)
		}},
		{"document with caption", out(message.Document, "application/pdf", "your invoice", "invoice.pdf"), whatsmeow.MediaDocument, func(t *testing.T, m *waE2E.Message) {
			require.Nil(t, m.DocumentMessage, "a captioned document travels wrapped, as WhatsApp's clients send it")
			x := m.GetDocumentWithCaptionMessage().GetMessage().GetDocumentMessage()
			require.Equal(t, "your invoice", x.GetCaption())
			require.Equal(t, "invoice.pdf", x.GetFileName())
			require.Equal(t, wantFields("application/pdf").FileSHA256, x.GetFileSHA256())
		}},
		{"document without a name", out(message.Document, "application/pdf", "", ""), whatsmeow.MediaDocument, func(t *testing.T, m *waE2E.Message) {
			require.Equal(t, "document", m.GetDocumentMessage().GetFileName())
		}},
		{"sticker", out(message.Sticker, "image/webp", "", ""), whatsmeow.MediaImage, func(t *testing.T, m *waE2E.Message) {
			x := m.GetStickerMessage()
			require.Equal(t, wantFields("image/webp"), fields{x.GetURL(), x.GetDirectPath(), x.GetMimetype(), x.GetMediaKey(),
				x.GetFileEncSHA256(), x.GetFileSHA256(), x.GetFileLength(), x.GetMediaKeyTimestamp()})
			require.Equal(t, [2]uint32{512, 512}, [2]uint32{x.GetWidth(), x.GetHeight()})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := &recordingUploader{}
			m, err := outboundMessage(context.Background(), up, tt.out, now)
			require.NoError(t, err)
			require.Equal(t, tt.kind, up.kind, "uploaded under the type's key domain")
			require.Equal(t, media, up.data)
			tt.check(t, m)
			_, err = proto.Marshal(m)
			require.NoError(t, err)
		})
	}

	t.Run("text", func(t *testing.T) {
		up := &recordingUploader{}
		m, err := outboundMessage(context.Background(), up, driver.Outbound{Type: message.Text, Text: "Hola 👋"}, now)
		require.NoError(t, err)
		require.Equal(t, "Hola 👋", m.GetConversation())
		require.Nil(t, up.data, "nothing uploaded for text")
	})
	t.Run("errors", func(t *testing.T) {
		var se *driver.SendError
		_, err := outboundMessage(context.Background(), &recordingUploader{}, driver.Outbound{Type: message.Image}, now)
		require.ErrorAs(t, err, &se, "no media")
		_, err = outboundMessage(context.Background(), &recordingUploader{}, driver.Outbound{Type: message.Text}, now)
		require.ErrorAs(t, err, &se, "no text")
		_, err = outboundMessage(context.Background(), &recordingUploader{}, driver.Outbound{Type: "fax", Media: media}, now)
		require.ErrorAs(t, err, &se, "unknown type")
		boom := errors.New("upload failed with status code 503")
		_, err = outboundMessage(context.Background(), &recordingUploader{err: boom}, out(message.Video, "video/mp4", "", ""), now)
		require.ErrorIs(t, err, boom)
	})
}

// BuildPollCreation is whatsmeow's own: it uses nothing of the client.
func (u *recordingUploader) BuildPollCreation(name string, options []string, selectable int) *waE2E.Message {
	return new(whatsmeow.Client).BuildPollCreation(name, options, selectable)
}

// TestOutboundMessageWithoutMedia: the kinds that carry no file are built
// from their content alone, field by field, and upload nothing.
func TestOutboundMessageWithoutMedia(t *testing.T) {
	now := time.Unix(1773596760, 0)
	juan := message.ContactCard{FullName: "Juan Pérez", PhoneNumber: "5491112345678"}
	ana := message.ContactCard{FullName: "Ana; Gómez", PhoneNumber: "5491187654321", Organization: "Acme", Email: "ana@acme.example"}
	tests := []struct {
		name  string
		out   driver.Outbound
		check func(t *testing.T, m *waE2E.Message)
	}{
		{"location", driver.Outbound{Type: message.Location, Location: &message.LocationContent{Latitude: -34.603722,
			Longitude: -58.381592, Name: "Obelisco", Address: "Av. 9 de Julio s/n"}}, func(t *testing.T, m *waE2E.Message) {
			x := m.GetLocationMessage()
			require.NotNil(t, x, "%v", m)
			require.Equal(t, -34.603722, x.GetDegreesLatitude())
			require.Equal(t, -58.381592, x.GetDegreesLongitude())
			require.Equal(t, "Obelisco", x.GetName())
			require.Equal(t, "Av. 9 de Julio s/n", x.GetAddress())
		}},
		{"location without name or address", driver.Outbound{Type: message.Location, Location: &message.LocationContent{}},
			func(t *testing.T, m *waE2E.Message) {
				x := m.GetLocationMessage()
				require.NotNil(t, x.DegreesLatitude, "0 is a latitude, sent as one")
				require.NotNil(t, x.DegreesLongitude)
				require.Nil(t, x.Name)
				require.Nil(t, x.Address)
			}},
		{"one contact", driver.Outbound{Type: message.Contact, Contacts: []message.ContactCard{juan}}, func(t *testing.T, m *waE2E.Message) {
			x := m.GetContactMessage()
			require.NotNil(t, x, "%v", m)
			require.Nil(t, m.ContactsArrayMessage)
			require.Equal(t, "Juan Pérez", x.GetDisplayName())
			require.Equal(t, "BEGIN:VCARD\nVERSION:3.0\nN:;Juan Pérez;;;\nFN:Juan Pérez\n"+
				"TEL;type=CELL;waid=5491112345678:+5491112345678\nEND:VCARD", x.GetVcard())
		}},
		{"several contacts", driver.Outbound{Type: message.Contact, Contacts: []message.ContactCard{juan, ana}}, func(t *testing.T, m *waE2E.Message) {
			x := m.GetContactsArrayMessage()
			require.NotNil(t, x, "%v", m)
			require.Nil(t, m.ContactMessage)
			require.Equal(t, "2 contacts", x.GetDisplayName())
			require.Len(t, x.GetContacts(), 2)
			require.Equal(t, "Juan Pérez", x.GetContacts()[0].GetDisplayName())
			require.Equal(t, message.VCard(juan), x.GetContacts()[0].GetVcard())
			require.Equal(t, "Ana; Gómez", x.GetContacts()[1].GetDisplayName())
			require.Equal(t, "BEGIN:VCARD\nVERSION:3.0\nN:;Ana\\; Gómez;;;\nFN:Ana\\; Gómez\nORG:Acme\n"+
				"TEL;type=CELL;waid=5491187654321:+5491187654321\nEMAIL;type=INTERNET:ana@acme.example\nEND:VCARD",
				x.GetContacts()[1].GetVcard())
		}},
		{"poll", driver.Outbound{Type: message.Poll, Poll: &message.PollContent{Question: "Lunch?",
			Options: []string{"Pizza", "Sushi", "Empanadas"}, SelectableCount: 2}}, func(t *testing.T, m *waE2E.Message) {
			x := m.GetPollCreationMessage()
			require.NotNil(t, x, "%v", m)
			require.Equal(t, "Lunch?", x.GetName())
			var options []string
			for _, o := range x.GetOptions() {
				options = append(options, o.GetOptionName())
			}
			require.Equal(t, []string{"Pizza", "Sushi", "Empanadas"}, options)
			require.Equal(t, uint32(2), x.GetSelectableOptionsCount())
			require.Len(t, m.GetMessageContextInfo().GetMessageSecret(), 32, "votes are encrypted with the poll's secret")
		}},
		{"poll with every option selectable", driver.Outbound{Type: message.Poll, Poll: &message.PollContent{Question: "q",
			Options: []string{"a", "b"}, SelectableCount: 2}}, func(t *testing.T, m *waE2E.Message) {
			require.Equal(t, uint32(2), m.GetPollCreationMessage().GetSelectableOptionsCount())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := &recordingUploader{}
			m, err := outboundMessage(context.Background(), up, tt.out, now)
			require.NoError(t, err)
			require.Nil(t, up.data, "nothing uploaded")
			tt.check(t, m)
			_, err = proto.Marshal(m)
			require.NoError(t, err)
		})
	}

	t.Run("each poll has its own secret", func(t *testing.T) {
		out := driver.Outbound{Type: message.Poll, Poll: &message.PollContent{Question: "q", Options: []string{"a", "b"}, SelectableCount: 1}}
		a, err := outboundMessage(context.Background(), &recordingUploader{}, out, now)
		require.NoError(t, err)
		b, err := outboundMessage(context.Background(), &recordingUploader{}, out, now)
		require.NoError(t, err)
		require.NotEqual(t, a.GetMessageContextInfo().GetMessageSecret(), b.GetMessageContextInfo().GetMessageSecret())
	})
	t.Run("content missing", func(t *testing.T) {
		for _, out := range []driver.Outbound{
			{Type: message.Location},
			{Type: message.Contact},
			{Type: message.Poll},
			{Type: message.Poll, Poll: &message.PollContent{Question: "q", Options: []string{"a"}, SelectableCount: 1}},
		} {
			_, err := outboundMessage(context.Background(), &recordingUploader{}, out, now)
			var se *driver.SendError
			require.ErrorAs(t, err, &se, "%s", out.Type)
		}
	})
}

func TestMessageID(t *testing.T) {
	ours := "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f01"
	id := MessageID(ours)
	require.Regexp(t, `^3EB0[0-9A-F]{18}$`, id)
	require.Equal(t, id, MessageID(ours), "stable: a resend reuses the id")
	sum := sha256.Sum256([]byte(ours))
	require.Equal(t, fmt.Sprintf("3EB0%X", sum[:9]), id)
	require.NotEqual(t, id, MessageID("0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f02"))
	seen := map[string]bool{}
	for i := range 1000 {
		seen[MessageID(fmt.Sprintf("id-%d", i))] = true
	}
	require.Len(t, seen, 1000)

	for _, tt := range []struct {
		wa   string
		want string
	}{
		{"3EB0A1B2C3D4E5F6A7B8C9", "3EB0A1B2C3D4E5F6A7B8C9"},
		{"", id},
		{"3eb0a1b2c3d4e5f6a7b8c9", id},
		{"3EB0A1B2C3D4E5F6A7B8C", id},
		{"ABCDA1B2C3D4E5F6A7B8C9", id},
		{"3EB0A1B2C3D4E5F6A7B8CG", id},
	} {
		require.Equal(t, tt.want, outboundID(driver.Outbound{MessageID: ours, WAMessageID: tt.wa}), "WAMessageID %q", tt.wa)
	}
}

// lookupFunc is a lookup from a function.
type lookupFunc func(phones []string) ([]types.IsOnWhatsAppResponse, error)

func (f lookupFunc) IsOnWhatsApp(_ context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error) {
	return f(phones)
}

func TestRecipient(t *testing.T) {
	ctx := context.Background()
	known := &memLIDs{byLID: map[types.JID]types.JID{lidJID(senderLID): pnJID(sender)}}
	noQuery := lookupFunc(func([]string) ([]types.IsOnWhatsAppResponse, error) {
		t.Fatal("a number with a known LID needs no query")
		return nil, nil
	})
	to, err := recipient(ctx, known, noQuery, sender)
	require.NoError(t, err)
	require.Equal(t, pnJID(sender), to)

	var asked []string
	mexico := lookupFunc(func(phones []string) ([]types.IsOnWhatsAppResponse, error) {
		asked = phones
		return []types.IsOnWhatsAppResponse{{Query: phones[0], IsIn: true, JID: lidJID("99"), PhoneNumber: pnJID("5215512345678")}}, nil
	})
	to, err = recipient(ctx, known, mexico, "525512345678")
	require.NoError(t, err)
	require.Equal(t, []string{"+525512345678"}, asked)
	require.Equal(t, pnJID("5215512345678"), to, "the number as WhatsApp knows it")

	lidOnly := lookupFunc(func(phones []string) ([]types.IsOnWhatsAppResponse, error) {
		return []types.IsOnWhatsAppResponse{{IsIn: true, JID: lidJID("77")}}, nil
	})
	to, err = recipient(ctx, nil, lidOnly, "5491100000002")
	require.NoError(t, err)
	require.Equal(t, lidJID("77"), to)

	nobody := lookupFunc(func(phones []string) ([]types.IsOnWhatsAppResponse, error) {
		return []types.IsOnWhatsAppResponse{{Query: phones[0], IsIn: false, JID: pnJID("5491100000003")}}, nil
	})
	_, err = recipient(ctx, known, nobody, "5491100000003")
	var se *driver.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, NotOnWhatsApp, se.Reason)

	down := lookupFunc(func([]string) ([]types.IsOnWhatsAppResponse, error) { return nil, whatsmeow.ErrIQTimedOut })
	_, err = recipient(ctx, known, down, "5491100000004")
	require.ErrorIs(t, err, whatsmeow.ErrIQTimedOut)
	require.False(t, errors.As(err, &se), "a failed lookup is retried, not failed")
}

// TestBuildersCoverEveryKind: every kind of message.Kinds() has a
// builder, and a kind uploads a file exactly when it carries one. The
// conformance suite (drivertest) then sends one of each.
func TestBuildersCoverEveryKind(t *testing.T) {
	for _, k := range message.Kinds() {
		b, ok := builders[k.Type]
		require.True(t, ok, "kind %q has no builder in mapoutbound.go", k.Type)
		_, hasMedia := k.Media()
		require.Equal(t, hasMedia, b.upload != "", "kind %q: a kind with media uploads it, one without uploads nothing", k.Type)
	}
	require.Len(t, builders, len(message.Kinds()), "every builder is for a kind")
}
