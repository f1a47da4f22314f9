package main

import (
	"github.com/wagateway/wagateway/internal/local"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/sqlite"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// TestWhatsAppTyping: through whatsmeow, a message's chat gets composing
// while it waits and paused once sent, addressed as the message is (the
// peer's LID), from a connection that announced itself available.
func TestWhatsAppTyping(t *testing.T) {
	wa := whatsapptest.NewServer(t) // first: its cleanup runs after the gateway stopped
	// Urgent waits 200–400 ms: time enough to show typing.
	g := &waGateway{gw: startGatewayWith(t, func(c *config.Local) {
		c.Driver, c.LaneDelayScale = config.DriverWhatsmeow, 0.2
	}, local.Options{WhatsAppHTTPClient: wa.HTTPClient()}), wa: wa}
	key := g.demoKey
	g.newInstance(key, waInst)
	jid := g.link(key, waInst, waPhone)

	// whatsmeow announces itself only once it knows the account's name,
	// which WhatsApp's app state sync brings after linking and the fake
	// server does not: store it as that sync would, and reconnect so the
	// driver loads it.
	require.NoError(t, g.app.DB.Write(t.Context(), func(tx *sqlite.Tx) error {
		_, err := tx.Exec(`UPDATE whatsmeow_device SET push_name = 'Acme'`)
		return err
	}))
	r := g.do("POST", "/instance/"+waInst+"/restart", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	g.waitState(key, waInst, "open")
	require.Eventually(t, func() bool { return g.wa.Connected(jid) }, waWait, 10*time.Millisecond)

	id := g.send(key, "/message/text", map[string]any{"text": "hi"})
	require.Equal(t, "sent", g.waitMessage(key, id)["status"])
	var states []whatsapptest.ChatState
	require.Eventually(t, func() bool { states = g.wa.ChatStates(jid); return len(states) >= 2 }, waWait, 10*time.Millisecond)
	require.Len(t, states, 2)
	for i, want := range []string{"composing", "paused"} {
		st := states[i]
		require.Equal(t, want, st.State)
		require.Empty(t, st.Media)
		require.Equal(t, g.wa.LID(waPeer), st.To, "the chat as whatsmeow addresses the message")
		require.Equal(t, waPeer, st.Phone)
		require.True(t, st.Shown, "announced available first")
	}
	sent := g.wa.Sent(jid)
	require.Len(t, sent, 1)
}
