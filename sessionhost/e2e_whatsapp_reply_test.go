package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/whatsapp"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// TestWhatsAppReplyOnTheWire: a reply reaches the recipient's phone as
// WhatsApp's clients send one, decrypted at the fake server: the quoted
// message's id, its sender (the contact, or our own account for a message
// of ours) and a copy of its text in the ContextInfo; a text that quotes
// goes as an extended text. Reactions name the message they react to.
func TestWhatsAppReplyOnTheWire(t *testing.T) {
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)
	jid := g.link(key, waInst, waPhone)

	in := whatsapptest.Inbound{ID: "AC3EADB76DB5BE4130602FBF20390001", From: waPeer, PushName: "Juan", Time: time.Now(),
		Message: &waE2E.Message{Conversation: proto.String("¿Tienen stock?")}}
	require.NoError(t, g.wa.Deliver(context.Background(), jid, in), "the gateway acknowledged it")
	h.waitEvent("message.received", nil)

	reply := g.send(key, "/message/text", map[string]any{"text": "Sí", "replyTo": in.ID})
	require.Equal(t, "sent", g.waitMessage(key, reply)["status"])
	again := g.send(key, "/message/text", map[string]any{"text": "Y mañana más", "replyTo": reply})
	require.Equal(t, "sent", g.waitMessage(key, again)["status"])

	theirs := g.send(key, "/message/reaction", map[string]any{"messageId": in.ID, "emoji": "👍🏽"})
	require.Equal(t, "sent", g.waitMessage(key, theirs)["status"])
	removed := g.send(key, "/message/reaction", map[string]any{"messageId": reply, "emoji": ""})
	require.Equal(t, "sent", g.waitMessage(key, removed)["status"])

	sent := g.wa.Sent(jid)
	require.Len(t, sent, 4)
	for _, s := range sent {
		require.NoError(t, s.Err)
	}
	ext := sent[0].Message.GetExtendedTextMessage()
	require.NotNil(t, ext, "%v", sent[0].Message)
	require.Equal(t, "Sí", ext.GetText())
	ci := ext.GetContextInfo()
	require.Equal(t, in.ID, ci.GetStanzaID())
	require.Equal(t, types.NewJID(waPeer, types.DefaultUserServer).String(), ci.GetParticipant())
	require.Equal(t, "¿Tienen stock?", ci.GetQuotedMessage().GetConversation())

	ci = sent[1].Message.GetExtendedTextMessage().GetContextInfo()
	require.Equal(t, whatsapp.MessageID(reply), ci.GetStanzaID(), "our message, by the id it went out under")
	require.Equal(t, types.NewJID(waPhone, types.DefaultUserServer).String(), ci.GetParticipant(), "sent by us")
	require.Equal(t, "Sí", ci.GetQuotedMessage().GetConversation())

	// Reactions: the key of the message reacted to (fromMe for ours), the
	// emoji, "" to remove; WhatsApp routes them by the stanza type.
	peerChat := types.NewJID(waPeer, types.DefaultUserServer).String()
	for i, want := range []struct {
		id, emoji string
		fromMe    bool
	}{{in.ID, "👍🏽", false}, {whatsapp.MessageID(reply), "", true}} {
		s := sent[2+i]
		require.Equal(t, "reaction", s.Type)
		r := s.Message.GetReactionMessage()
		require.NotNil(t, r, "%v", s.Message)
		require.Equal(t, want.id, r.GetKey().GetID())
		require.Equal(t, want.fromMe, r.GetKey().GetFromMe())
		require.Equal(t, peerChat, r.GetKey().GetRemoteJID())
		require.NotNil(t, r.Text)
		require.Equal(t, want.emoji, r.GetText())
	}
}
