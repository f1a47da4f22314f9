package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/whatsapp"
)

// TestWhatsAppEditAndRevoke: an edit and a deletion for everyone reach
// WhatsApp as the protocol messages its clients send, decrypted by the
// recipient's phone at the fake server and checked field by field.
func TestWhatsAppEditAndRevoke(t *testing.T) {
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)
	jid := g.link(key, waInst, waPhone)

	id := g.send(key, "/message/text", map[string]any{"text": "Your order #24 has shipped"})
	require.Equal(t, "sent", g.waitMessage(key, id)["status"])
	r := g.do("PATCH", "/message/"+id, map[string]any{"text": "Your order #42 has shipped"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	g.waitField(key, id, "editedAt")
	r = g.do("DELETE", "/message/"+id, nil, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	g.waitField(key, id, "revokedAt")

	sent := g.wa.Sent(jid)
	require.Len(t, sent, 3)
	for _, s := range sent {
		require.NoError(t, s.Err)
		require.Equal(t, waPeer, s.Phone)
	}
	original := sent[0]
	require.Equal(t, whatsapp.MessageID(id), original.ID)
	chat := types.NewJID(waPeer, types.DefaultUserServer).String()
	for i, c := range []struct {
		pm  *waE2E.ProtocolMessage
		typ waE2E.ProtocolMessage_Type
	}{
		{sent[1].Message.GetEditedMessage().GetMessage().GetProtocolMessage(), waE2E.ProtocolMessage_MESSAGE_EDIT},
		{sent[2].Message.GetProtocolMessage(), waE2E.ProtocolMessage_REVOKE},
	} {
		require.NotNil(t, c.pm, "change %d: %v", i, sent[i+1].Message)
		require.Equal(t, c.typ, c.pm.GetType())
		require.Equal(t, original.ID, c.pm.GetKey().GetID(), "names the original by its WhatsApp id")
		require.True(t, c.pm.GetKey().GetFromMe())
		require.Equal(t, chat, c.pm.GetKey().GetRemoteJID())
		require.NotEqual(t, original.ID, sent[i+1].ID, "a change goes under its own id")
	}
	edit := sent[1].Message.GetEditedMessage().GetMessage().GetProtocolMessage()
	require.Equal(t, "Your order #42 has shipped", edit.GetEditedMessage().GetConversation())
	require.NotZero(t, edit.GetTimestampMS())
	require.Nil(t, sent[2].Message.GetProtocolMessage().GetEditedMessage())
	h.waitEvent("message.sent", nil)
	require.Equal(t, 1, h.count("message.sent"), "changes emit no message.sent")
}
