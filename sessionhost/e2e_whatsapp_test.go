package main

import (
	"context"
	"github.com/wagateway/wagateway/internal/local"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/qrcode"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// The end-to-end tests of the whatsmeow driver: the local gateway as
// `make run` wires it, its whatsmeow clients talking the real protocol to
// a fake WhatsApp server (internal/whatsapp/whatsapptest), driven only
// through the public API and checked at the webhook receiver and at the
// server. The fake server swaps whatsmeow's root key for its test root
// while it runs, so none of these tests may run in parallel with one that
// reaches the real WhatsApp.

const (
	waPhone = "5491112345678" // the phone that links the instance
	waPeer  = "5491187654321" // who the instance talks with
	waInst  = "demo__c__main"
	waWait  = 20 * time.Second
)

// waGateway is a local gateway on the whatsmeow driver and the fake
// WhatsApp server it connects to.
type waGateway struct {
	*gw
	wa *whatsapptest.Server
}

// startWhatsAppGateway starts a fake WhatsApp server and a gateway whose
// whatsmeow clients reach it through client (the server's own client when
// nil).
func startWhatsAppGateway(t *testing.T, client func(*whatsapptest.Server) *http.Client) *waGateway {
	t.Helper()
	// First, so that its cleanup (closing it, restoring whatsmeow's root
	// key) runs after the gateway stopped.
	wa := whatsapptest.NewServer(t)
	hc := wa.HTTPClient()
	if client != nil {
		hc = client(wa)
	}
	g := startGatewayWith(t, func(c *config.Local) { c.Driver = config.DriverWhatsmeow },
		local.Options{WhatsAppHTTPClient: hc})
	return &waGateway{gw: g, wa: wa}
}

// qr fetches GET /instance/{name}/qr and returns the raw code the PNG
// shows: the one the host holds, checked to render to exactly the PNG the
// API returned (the tests cannot read a QR image, the fake phone needs the
// text).
func (g *waGateway) qr(key, name string) (dataURL, raw string) {
	g.t.Helper()
	r := g.do("GET", "/instance/"+name+"/qr", nil, as(key)...)
	require.Equal(g.t, http.StatusOK, r.Status, string(r.Body))
	dataURL = r.JSON(g.t)["qrcode"].(string)
	raw, err := g.app.Host.LinkQR(context.Background(), name) // the current code, no new linking
	require.NoError(g.t, err)
	want, err := qrcode.DataURL(raw)
	require.NoError(g.t, err)
	require.Equal(g.t, want, dataURL, "the PNG shows the host's current code")
	return dataURL, raw
}

// link takes the instance through QR and the phone's scan to open.
func (g *waGateway) link(key, name, phone string) types.JID {
	g.t.Helper()
	_, code := g.qr(key, name)
	jid, err := g.wa.Scan(context.Background(), code, phone)
	require.NoError(g.t, err)
	g.waitState(key, name, "open")
	require.Eventually(g.t, func() bool { return g.wa.Connected(jid) }, waWait, 10*time.Millisecond)
	return jid
}

// status returns GET /instance/{name}/status.
func (g *waGateway) status(key, name string) map[string]any {
	g.t.Helper()
	r := g.do("GET", "/instance/"+name+"/status", nil, as(key)...)
	require.Equal(g.t, http.StatusOK, r.Status, string(r.Body))
	return r.JSON(g.t)
}

// count is how many events of a kind the receiver got.
func (h *hook) count(event string) int {
	n := 0
	for _, r := range h.events() {
		if r.event == event {
			n++
		}
	}
	return n
}

// nth waits for the n-th (from 1) event of a kind and returns it.
func (h *hook) nth(event string, n int) received {
	h.t.Helper()
	var found received
	require.Eventually(h.t, func() bool {
		i := 0
		for _, r := range h.events() {
			if r.event == event {
				if i++; i == n {
					found = r
					return true
				}
			}
		}
		return false
	}, waWait, 10*time.Millisecond, "webhook %s #%d", event, n)
	return found
}

func TestWhatsAppLinkByQR(t *testing.T) {
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)

	first, firstCode := g.qr(key, waInst)
	require.Regexp(t, `^https://wa\.me/settings/linked_devices#2@`, firstCode)
	again, _ := g.qr(key, waInst)
	require.Equal(t, first, again, "the code on show stays until WhatsApp rotates it")
	require.Equal(t, "close", g.status(key, waInst)["state"], "linking is not connecting yet")

	// WhatsApp hands out fresh codes: GET /qr shows the new one at once.
	require.Equal(t, 1, g.wa.RefreshQR())
	require.Eventually(t, func() bool {
		r := g.do("GET", "/instance/"+waInst+"/qr", nil, as(key)...)
		return r.Status == http.StatusOK && r.JSON(t)["qrcode"] != first
	}, waWait, 20*time.Millisecond, "a rotated code")
	_, code := g.qr(key, waInst)
	require.NotEqual(t, firstCode, code)

	jid, err := g.wa.Scan(context.Background(), code, waPhone)
	require.NoError(t, err)
	require.Equal(t, waPhone, jid.User)
	conn := h.waitEvent("instance.connected", nil)
	require.Equal(t, map[string]any{"state": "open", "reason": nil}, conn.body["data"])
	require.Equal(t, waInst, conn.body["instanceName"])

	st := g.status(key, waInst)
	require.Equal(t, "open", st["state"])
	require.Equal(t, waPhone, st["phoneNumber"])
	require.Regexp(t, timestamp, st["connectedAt"])
	require.True(t, g.wa.Connected(jid))
	require.Equal(t, []types.JID{jid}, g.wa.Devices(waPhone))

	dev := g.do("GET", "/instance/"+waInst+"/device", nil, as(key)...)
	require.Equal(t, http.StatusOK, dev.Status, string(dev.Body))
	require.Equal(t, map[string]any{"device": "Android", "platform": "WHATSAPP"}, dev.JSON(t))
	require.Equal(t, http.StatusConflict, g.do("GET", "/instance/"+waInst+"/qr", nil, as(key)...).Status)
	require.Equal(t, 1, h.count("instance.connected"))
}

func TestWhatsAppLinkByPairingCode(t *testing.T) {
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)

	r := g.do("POST", "/instance/"+waInst+"/pairing-code", map[string]any{"phoneNumber": waPhone}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	code := r.JSON(t)["pairingCode"].(string)
	require.Regexp(t, `^[A-Z0-9]{4}-[A-Z0-9]{4}$`, code)

	_, err := g.wa.EnterCode(context.Background(), waPhone, "ZZZZ-ZZZZ")
	require.ErrorContains(t, err, "wrong code", "the phone checks the code")
	jid, err := g.wa.EnterCode(context.Background(), waPhone, code)
	require.NoError(t, err)
	conn := h.waitEvent("instance.connected", nil)
	require.Equal(t, map[string]any{"state": "open", "reason": nil}, conn.body["data"])
	st := g.status(key, waInst)
	require.Equal(t, "open", st["state"])
	require.Equal(t, waPhone, st["phoneNumber"])
	require.True(t, g.wa.Connected(jid))
}
