package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/whatsapp"
)

// TestWhatsAppReceipts: the recipient's phone reports a message delivered,
// then read, each twice as phones repeat themselves; through whatsmeow the
// tenant gets one message.delivered and one message.read, and the message
// shows when each happened.
func TestWhatsAppReceipts(t *testing.T) {
	ctx := context.Background()
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)
	jid := g.link(key, waInst, waPhone)

	id := g.send(key, "/message/text", map[string]any{"text": "Your order #42 has shipped"})
	require.Equal(t, "sent", g.waitMessage(key, id)["status"])
	sent := g.wa.Sent(jid)
	require.Len(t, sent, 1)
	waID := whatsapp.MessageID(id)
	require.Equal(t, waID, sent[0].ID)

	// SendReceipt returns once whatsmeow acknowledged the receipt, which
	// the driver lets it do only after the host stored its events: the
	// deliveries list is complete after each call.
	for _, read := range []bool{false, false, true, true} {
		require.NoError(t, g.wa.SendReceipt(ctx, jid, waPeer, []string{waID}, read), "read %v", read)
	}
	delivered := h.inbData("message.delivered", "id", id)
	read := h.inbData("message.read", "id", id)
	require.Len(t, delivered, 3)
	require.Equal(t, waPeer, delivered["to"], "the number, though the receipt came from %s", g.wa.LID(waPeer))
	require.Regexp(t, timestamp, delivered["deliveredAt"])
	require.Len(t, read, 3)
	require.Equal(t, waPeer, read["to"])
	require.Regexp(t, timestamp, read["readAt"])
	require.Equal(t, 1, g.inbEvents(key, waInst, "message.delivered"))
	require.Equal(t, 1, g.inbEvents(key, waInst, "message.read"))
	// Webhooks go out in parallel; the events' own times show the order
	// (ISO 8601 UTC compares as text).
	require.LessOrEqual(t, delivered["deliveredAt"].(string), read["readAt"].(string), "delivered, then read")

	m := g.do("GET", "/message/"+id, nil, as(key)...).JSON(t)
	require.Equal(t, delivered["deliveredAt"], m["deliveredAt"])
	require.Equal(t, read["readAt"], m["readAt"])
}
