package whatsapptest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

func TestSendText(t *testing.T) {
	s := NewServer(t)
	c, jid := link(t, s, phoneA)
	ctx := context.Background()
	to := types.NewJID(phoneB, types.DefaultUserServer)

	for i, id := range []string{"3EB0A1B2C3D4E5F6A7B8C9", "3EB0A1B2C3D4E5F6A7B8CA"} { // a prekey message, then a plain one
		text := []string{"Hola 👋, ¿cómo estás?", "second"}[i]
		resp, err := c.SendMessage(ctx, to, &waE2E.Message{Conversation: proto.String(text)}, whatsmeow.SendRequestExtra{ID: id})
		require.NoError(t, err)
		require.Equal(t, id, resp.ID)
		require.False(t, resp.Timestamp.IsZero(), "the ack carries the server time")
	}
	sent := s.Sent(jid)
	require.Len(t, sent, 2)
	for i, m := range sent {
		require.NoError(t, m.Err)
		require.Equal(t, jid, m.From)
		require.Equal(t, s.LID(phoneB), m.To, "whatsmeow addresses the chat by LID")
		require.Equal(t, phoneB, m.Phone)
		require.Equal(t, "text", m.Type)
		require.Equal(t, []string{"Hola 👋, ¿cómo estás?", "second"}[i], m.Message.GetConversation())
	}
	require.Equal(t, sent, s.Sent(types.NewJID(phoneA, types.DefaultUserServer)), "a user JID covers its devices")
}

func TestSendMedia(t *testing.T) {
	s := NewServer(t)
	c, jid := link(t, s, phoneA)
	ctx := context.Background()
	doc := []byte("%PDF-1.4\n%document")
	up, err := c.Upload(ctx, doc, whatsmeow.MediaDocument)
	require.NoError(t, err)
	msg := &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
		URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
		FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		Mimetype: proto.String("application/pdf"), FileName: proto.String("invoice 03.pdf"), Caption: proto.String("your invoice"),
	}}
	_, err = c.SendMessage(ctx, types.NewJID(phoneB, types.DefaultUserServer), msg)
	require.NoError(t, err)

	sent := s.Sent(jid)
	require.Len(t, sent, 1)
	require.NoError(t, sent[0].Err)
	require.Equal(t, "media", sent[0].Type)
	require.Equal(t, "document", sent[0].MediaType)
	require.Equal(t, "invoice 03.pdf", sent[0].Message.GetDocumentMessage().GetFileName())
	require.Equal(t, "application/pdf", sent[0].Message.GetDocumentMessage().GetMimetype())
	require.Equal(t, doc, sent[0].Media)

	// WhatsApp's clients wrap a captioned document; the attachment is found inside.
	wrapped := &waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: msg}}
	_, err = c.SendMessage(ctx, types.NewJID(phoneB, types.DefaultUserServer), wrapped)
	require.NoError(t, err)
	sent = s.Sent(jid)
	require.Len(t, sent, 2)
	require.NoError(t, sent[1].Err)
	require.Equal(t, "document", sent[1].MediaType)
	require.Equal(t, doc, sent[1].Media)
}

func TestDirectory(t *testing.T) {
	s := NewServer(t)
	c, jid := link(t, s, phoneA)
	ctx := context.Background()
	s.NotOnWhatsApp("5491100000000")

	res, err := c.IsOnWhatsApp(ctx, []string{"+" + phoneB, "+5491100000000"})
	require.NoError(t, err)
	require.Len(t, res, 2)
	require.True(t, res[0].IsIn)
	require.Equal(t, s.LID(phoneB), res[0].JID)
	require.False(t, res[1].IsIn)

	_, err = c.SendMessage(ctx, types.NewJID("5491100000000", types.DefaultUserServer),
		&waE2E.Message{Conversation: proto.String("anyone?")})
	require.ErrorContains(t, err, "no LID found")
	require.Empty(t, s.Sent(jid))
}

func TestDeliver(t *testing.T) {
	s := NewServer(t)
	refuse := make(chan bool, 1)
	refuse <- false
	c, jid := link(t, s, phoneA, func(c *client) {
		c.SynchronousAck = true
		c.AddEventHandlerWithSuccessStatus(func(evt any) bool {
			if _, ok := evt.(*events.Message); ok {
				r := <-refuse
				refuse <- r
				return !r
			}
			return true
		})
	})
	ctx := context.Background()
	at := time.Unix(1773596760, 0)
	in := Inbound{ID: "AC3EADB76DB5BE4130602FBF2039604A", From: phoneB, PushName: "Juan Pérez", Time: at,
		Message: &waE2E.Message{Conversation: proto.String("Hello, I need help")}}
	require.NoError(t, s.Deliver(ctx, jid, in))
	got := next[*events.Message](t, c)
	require.Equal(t, in.ID, got.Info.ID)
	require.Equal(t, s.LID(phoneB), got.Info.Sender)
	require.Equal(t, types.NewJID(phoneB, types.DefaultUserServer), got.Info.SenderAlt)
	require.Equal(t, "Juan Pérez", got.Info.PushName)
	require.True(t, at.Equal(got.Info.Timestamp))
	require.Equal(t, "Hello, I need help", got.Message.GetConversation())

	image := Inbound{From: phoneB, Message: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("this one")}}}
	require.NoError(t, s.Deliver(ctx, types.NewJID(phoneA, types.DefaultUserServer), image), "a user JID reaches its devices")
	require.Equal(t, "this one", next[*events.Message](t, c).Message.GetImageMessage().GetCaption())

	<-refuse
	refuse <- true
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.Deliver(short, jid, in), ErrNotAcknowledged, "a refused message is not acknowledged")

	// The sessions the inbound messages opened carry the answer back.
	_, err := c.SendMessage(ctx, types.NewJID(phoneB, types.DefaultUserServer), &waE2E.Message{Conversation: proto.String("on it")})
	require.NoError(t, err)
	sent := s.Sent(jid)
	require.Len(t, sent, 1)
	require.NoError(t, sent[0].Err)
	require.Equal(t, "on it", sent[0].Message.GetConversation())

	err = s.Deliver(ctx, types.NewJID(phoneB, types.DefaultUserServer), in)
	require.True(t, errors.Is(err, ErrNotConnected), "nobody is linked to %s: %v", phoneB, err)
}
