package whatsapp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
)

const (
	sender    = "5491187654321"
	senderLID = "203456789012345"
)

var sentAt = time.Date(2026, 3, 15, 10, 26, 0, 0, time.UTC)

// lidMap is a lidResolver over a fixed map.
type lidMap struct {
	m   map[string]string
	err error
}

func (l lidMap) GetPNForLID(_ context.Context, lid types.JID) (types.JID, error) {
	if l.err != nil {
		return types.EmptyJID, l.err
	}
	if pn, ok := l.m[lid.User]; ok {
		return types.NewJID(pn, types.DefaultUserServer), nil
	}
	return types.EmptyJID, nil
}

func pnJID(n string) types.JID  { return types.NewJID(n, types.DefaultUserServer) }
func lidJID(n string) types.JID { return types.NewJID(n, types.HiddenUserServer) }

// direct is a message in a one-to-one chat from sender.
func direct(m *waE2E.Message) *events.Message {
	return (&events.Message{Info: types.MessageInfo{
		MessageSource: types.MessageSource{Chat: pnJID(sender), Sender: pnJID(sender)},
		ID:            "AC3EADB76DB5BE4130602FBF2039604A", PushName: "Juan Pérez",
		Timestamp: sentAt.In(time.FixedZone("ART", -3*3600)),
	}, RawMessage: m}).UnwrapRaw()
}

func TestInbound(t *testing.T) {
	base := driver.Inbound{MessageID: "AC3EADB76DB5BE4130602FBF2039604A", From: sender, Chat: sender, PushName: "Juan Pérez", Timestamp: sentAt}
	with := func(kind, text, caption string) driver.Inbound {
		in := base
		in.MessageType, in.Text, in.Caption = kind, text, caption
		return in
	}
	withMedia := func(kind, caption string, media driver.InboundMedia) driver.Inbound {
		in := with(kind, "", caption)
		in.Media = &media
		return in
	}
	lids := lidMap{m: map[string]string{senderLID: sender}}
	tests := []struct {
		name string
		evt  func() *events.Message
		want driver.Inbound
		skip bool
	}{
		{name: "text", evt: func() *events.Message {
			return direct(&waE2E.Message{Conversation: proto.String("Hello, I need help")})
		}, want: with("conversation", "Hello, I need help", "")},
		{name: "extended text (link, reply)", evt: func() *events.Message {
			return direct(&waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("see https://x.example")}})
		}, want: with("conversation", "see https://x.example", "")},
		{name: "disappearing text", evt: func() *events.Message {
			return direct(&waE2E.Message{EphemeralMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{Conversation: proto.String("gone soon")}}})
		}, want: with("conversation", "gone soon", "")},
		{name: "image with caption", evt: func() *events.Message {
			return direct(&waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("this one"), Mimetype: proto.String("image/jpeg"),
				FileLength: proto.Uint64(48213)}})
		}, want: withMedia("imageMessage", "this one", driver.InboundMedia{Mimetype: "image/jpeg", Size: 48213})},
		{name: "image without caption", evt: func() *events.Message {
			return direct(&waE2E.Message{ImageMessage: &waE2E.ImageMessage{}})
		}, want: withMedia("imageMessage", "", driver.InboundMedia{})},
		{name: "view-once image", evt: func() *events.Message {
			return direct(&waE2E.Message{ViewOnceMessageV2: &waE2E.FutureProofMessage{Message: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("once")}}}})
		}, want: withMedia("imageMessage", "once", driver.InboundMedia{})},
		{name: "video with caption", evt: func() *events.Message {
			return direct(&waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: proto.String("the clip"), Mimetype: proto.String("video/mp4"),
				FileLength: proto.Uint64(7340032)}})
		}, want: withMedia("videoMessage", "the clip", driver.InboundMedia{Mimetype: "video/mp4", Size: 7340032})},
		{name: "document", evt: func() *events.Message {
			return direct(&waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{FileName: proto.String("a.pdf"),
				Mimetype: proto.String("application/pdf"), FileLength: proto.Uint64(1024)}})
		}, want: withMedia("documentMessage", "", driver.InboundMedia{Mimetype: "application/pdf", FileName: "a.pdf", Size: 1024})},
		{name: "document with caption", evt: func() *events.Message {
			return direct(&waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{
				DocumentMessage: &waE2E.DocumentMessage{Caption: proto.String("your invoice"), FileName: proto.String("F-0001.pdf")}}}})
		}, want: withMedia("documentMessage", "your invoice", driver.InboundMedia{FileName: "F-0001.pdf"})},
		{name: "voice note", evt: func() *events.Message {
			return direct(&waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true), Mimetype: proto.String("audio/ogg; codecs=opus")}})
		}, want: withMedia("audioMessage", "", driver.InboundMedia{Mimetype: "audio/ogg; codecs=opus"})},
		{name: "sender by LID with SenderAlt", evt: func() *events.Message {
			e := direct(&waE2E.Message{Conversation: proto.String("hi")})
			e.Info.Chat, e.Info.Sender, e.Info.SenderAlt = lidJID(senderLID), types.NewADJID(senderLID, 0, 3), pnJID(sender)
			e.Info.Sender.Server = types.HiddenUserServer
			return e
		}, want: with("conversation", "hi", "")},
		{name: "sender by LID resolved through the LID store", evt: func() *events.Message {
			e := direct(&waE2E.Message{Conversation: proto.String("hi")})
			e.Info.Chat, e.Info.Sender = lidJID(senderLID), lidJID(senderLID)
			return e
		}, want: with("conversation", "hi", "")},
		{name: "someone's broadcast list", evt: func() *events.Message {
			e := direct(&waE2E.Message{Conversation: proto.String("news")})
			e.Info.Chat = types.NewJID("1773596760", types.BroadcastServer)
			return e
		}, want: with("conversation", "news", "")},
		{name: "own message", skip: true, evt: func() *events.Message {
			e := direct(&waE2E.Message{Conversation: proto.String("from the phone")})
			e.Info.IsFromMe = true
			return e
		}},
		{name: "status update", skip: true, evt: func() *events.Message {
			e := direct(&waE2E.Message{ImageMessage: &waE2E.ImageMessage{}})
			e.Info.Chat = types.StatusBroadcastJID
			return e
		}},
		{name: "channel post", skip: true, evt: func() *events.Message {
			e := direct(&waE2E.Message{Conversation: proto.String("news")})
			e.Info.Chat = types.NewJID("120363144038483540", types.NewsletterServer)
			return e
		}},
		{name: "protocol message other than revoke and edit", skip: true, evt: func() *events.Message {
			return direct(&waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_EPHEMERAL_SETTING.Enum()}})
		}},
		{name: "sender key distribution alone (before a group message)", skip: true, evt: func() *events.Message {
			e := direct(&waE2E.Message{SenderKeyDistributionMessage: &waE2E.SenderKeyDistributionMessage{GroupID: proto.String("1@g.us")}})
			e.Info.Chat, e.Info.IsGroup = types.NewJID(groupID, types.GroupServer), true
			return e
		}},
		{name: "empty text", skip: true, evt: func() *events.Message {
			return direct(&waE2E.Message{Conversation: proto.String("")})
		}},
		{name: "WhatsApp's PSA account", skip: true, evt: func() *events.Message {
			e := direct(&waE2E.Message{Conversation: proto.String("security update")})
			e.Info.Chat, e.Info.Sender = types.PSAJID, types.PSAJID
			return e
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := inbound(context.Background(), tt.evt(), lids)
			require.NoError(t, err)
			require.Equal(t, !tt.skip, ok)
			if tt.skip {
				return
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, time.UTC, got.Timestamp.Location())
		})
	}
}

func TestInboundUnresolvedLID(t *testing.T) {
	e := direct(&waE2E.Message{Conversation: proto.String("hi")})
	e.Info.Chat, e.Info.Sender = lidJID(senderLID), lidJID(senderLID)
	for name, lids := range map[string]lidResolver{
		"no mapping":     lidMap{m: map[string]string{}},
		"no LID store":   nil,
		"LID store down": lidMap{err: errors.New("db locked")},
	} {
		t.Run(name, func(t *testing.T) {
			_, ok, err := inbound(context.Background(), e, lids)
			require.Error(t, err, "not acknowledged, so WhatsApp delivers it again")
			require.False(t, ok)
		})
	}
}

func TestReceipt(t *testing.T) {
	from := types.MessageSource{Chat: pnJID(sender), Sender: pnJID(sender)}
	at := sentAt.In(time.FixedZone("ART", -3*3600))
	ids := []types.MessageID{"3EB0A1B2C3D4E5F6A7B8C9", "3EB0A1B2C3D4E5F6A7B8CA"}
	tests := []struct {
		name string
		evt  events.Receipt
		want driver.Receipt
		ok   bool
	}{
		{"delivered", events.Receipt{MessageSource: from, MessageIDs: ids, Timestamp: at, Type: types.ReceiptTypeDelivered},
			driver.Receipt{WAMessageIDs: []string{"3EB0A1B2C3D4E5F6A7B8C9", "3EB0A1B2C3D4E5F6A7B8CA"}, Status: driver.Delivered, At: sentAt}, true},
		{"read", events.Receipt{MessageSource: from, MessageIDs: ids[:1], Timestamp: at, Type: types.ReceiptTypeRead},
			driver.Receipt{WAMessageIDs: []string{"3EB0A1B2C3D4E5F6A7B8C9"}, Status: driver.Read, At: sentAt}, true},
		{"our other device", events.Receipt{MessageSource: types.MessageSource{Chat: pnJID(sender), IsFromMe: true}, MessageIDs: ids, Type: types.ReceiptTypeSender}, driver.Receipt{}, false},
		{"read on our phone", events.Receipt{MessageSource: types.MessageSource{Chat: pnJID(sender), IsFromMe: true}, MessageIDs: ids, Type: types.ReceiptTypeReadSelf}, driver.Receipt{}, false},
		{"group", events.Receipt{MessageSource: types.MessageSource{Chat: types.NewJID("1203", types.GroupServer), IsGroup: true}, MessageIDs: ids, Type: types.ReceiptTypeRead}, driver.Receipt{}, false},
		{"retry", events.Receipt{MessageSource: from, MessageIDs: ids, Type: types.ReceiptTypeRetry}, driver.Receipt{}, false},
		{"no ids", events.Receipt{MessageSource: from, Type: types.ReceiptTypeRead}, driver.Receipt{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := receipt(&tt.evt)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

// FuzzInbound feeds arbitrary message protobufs through the inbound
// mapping: it never panics, and what it forwards is one of API.md's types.
func FuzzInbound(f *testing.F) {
	for _, m := range []*waE2E.Message{
		{Conversation: proto.String("hi")},
		{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("c")}},
		{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{}}}},
		{EphemeralMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{}}}},
		{StickerMessage: &waE2E.StickerMessage{}},
	} {
		b, err := proto.Marshal(m)
		require.NoError(f, err)
		f.Add(b, false)
	}
	kinds := map[string]bool{"conversation": true, "imageMessage": true, "documentMessage": true, "audioMessage": true,
		"videoMessage": true, "stickerMessage": true, "locationMessage": true, "contactMessage": true, "pollCreationMessage": true}
	media := map[string]bool{"imageMessage": true, "documentMessage": true, "audioMessage": true, "videoMessage": true, "stickerMessage": true}
	f.Fuzz(func(t *testing.T, raw []byte, byLID bool) {
		var m waE2E.Message
		if proto.Unmarshal(raw, &m) != nil {
			return
		}
		e := direct(&m)
		if byLID {
			e.Info.Chat, e.Info.Sender = lidJID(senderLID), lidJID(senderLID)
		}
		in, ok, err := inbound(context.Background(), e, lidMap{m: map[string]string{senderLID: sender}})
		require.NoError(t, err)
		if !ok {
			return
		}
		require.True(t, kinds[in.MessageType], in.MessageType)
		require.Equal(t, sender, in.From)
		require.True(t, in.Text == "" || in.MessageType == "conversation", "text only for conversation")
		require.True(t, in.Caption == "" || in.MessageType != "conversation", "captions only for media")
		require.Equal(t, sender, in.Chat)
		require.Equal(t, media[in.MessageType], in.Media != nil, "media exactly for the media kinds and stickers")
		require.True(t, in.Media == nil || in.Media.FileName == "" || in.MessageType == "documentMessage", "file names only for documents")
		require.False(t, isUpdate(e), "an update is never content")
	})
}
