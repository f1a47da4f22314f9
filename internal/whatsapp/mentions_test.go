package whatsapp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// TestMentionsAndViewOnceOnTheWire: mentions go as the ContextInfo of the
// message's content (a text becomes an extended text for it), as user
// JIDs; viewOnce is set on the image or video itself; a message without
// either is the plain one WhatsApp's clients send.
func TestMentionsAndViewOnceOnTheWire(t *testing.T) {
	ctx, now := context.Background(), time.Unix(1773596760, 0)
	mentions := []string{"5491100000011", "5491100000012"}
	jids := []string{"5491100000011@s.whatsapp.net", "5491100000012@s.whatsapp.net"}
	media := []byte("\x89PNG\r\n\x1a\nimage")
	send := func(o driver.Outbound) *waE2E.Message {
		t.Helper()
		o.MessageID, o.To, o.Media, o.ContentType = "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f02", sender, media, "image/png"
		m, err := outboundMessage(ctx, &recordingUploader{}, o, now)
		require.NoError(t, err)
		return m
	}

	m := send(driver.Outbound{Type: message.Text, Text: "hi @5491100000011 @5491100000012", Mentions: mentions})
	require.Nil(t, m.Conversation)
	require.Equal(t, "hi @5491100000011 @5491100000012", m.GetExtendedTextMessage().GetText(), "the text as the client wrote it")
	require.Equal(t, jids, m.GetExtendedTextMessage().GetContextInfo().GetMentionedJID())
	m = send(driver.Outbound{Type: message.Text, Text: "hi"})
	require.Equal(t, "hi", m.GetConversation(), "no mentions: a plain conversation")
	require.Nil(t, m.ExtendedTextMessage)

	m = send(driver.Outbound{Type: message.Image, Caption: "@5491100000011", Mentions: mentions[:1], ViewOnce: true})
	require.True(t, m.GetImageMessage().GetViewOnce())
	require.Equal(t, jids[:1], m.GetImageMessage().GetContextInfo().GetMentionedJID())
	m = send(driver.Outbound{Type: message.Image})
	require.Nil(t, m.GetImageMessage().ViewOnce, "not view-once unless asked")
	require.Nil(t, m.GetImageMessage().ContextInfo)

	m = send(driver.Outbound{Type: message.Video, ViewOnce: true, Mentions: mentions})
	require.True(t, m.GetVideoMessage().GetViewOnce())
	require.Equal(t, jids, m.GetVideoMessage().GetContextInfo().GetMentionedJID())
	require.Nil(t, send(driver.Outbound{Type: message.Video}).GetVideoMessage().ViewOnce)

	m = send(driver.Outbound{Type: message.Document, Caption: "see @5491100000012", FileName: "a.pdf", Mentions: mentions[1:]})
	doc := m.GetDocumentWithCaptionMessage().GetMessage().GetDocumentMessage()
	require.Equal(t, jids[1:], doc.GetContextInfo().GetMentionedJID(), "on the captioned document itself")
}

// TestRecipientJID: a group id goes to its group JID as it is, without
// asking WhatsApp anything (whatsmeow fetches the participants when it
// sends); a number is looked up as before.
func TestRecipientJID(t *testing.T) {
	ctx := context.Background()
	refuse := lookupFunc(func([]string) ([]types.IsOnWhatsAppResponse, error) {
		return nil, errors.New("asked WhatsApp about a group")
	})
	for _, id := range []string{"120363025246125486@g.us", "5491112345678-1612345678@g.us"} {
		r, ok := chat.Parse(id)
		require.True(t, ok)
		jid, err := recipientJID(ctx, nil, refuse, r)
		require.NoError(t, err)
		require.Equal(t, types.GroupServer, jid.Server)
		require.Equal(t, id, jid.String())
	}
	r, _ := chat.Parse("5491112345678")
	_, err := recipientJID(ctx, nil, refuse, r)
	require.Error(t, err, "a number is looked up")
}
