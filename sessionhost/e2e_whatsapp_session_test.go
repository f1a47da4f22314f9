package main

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// dialLog is the network between the gateway and the fake WhatsApp
// server: it records when each websocket connection to WhatsApp was
// dialed, and fails the next `failing` dials as an unreachable network
// would.
type dialLog struct {
	next http.RoundTripper

	mu      sync.Mutex
	dials   []time.Time
	failing int
}

func (d *dialLog) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/ws/chat" {
		d.mu.Lock()
		d.dials = append(d.dials, time.Now())
		fail := d.failing > 0
		if fail {
			d.failing--
		}
		d.mu.Unlock()
		if fail {
			return nil, errors.New("test: network unreachable")
		}
	}
	return d.next.RoundTrip(r)
}

func (d *dialLog) times() []time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Time(nil), d.dials...)
}

func (d *dialLog) fail(n int) {
	d.mu.Lock()
	d.failing = n
	d.mu.Unlock()
}

// startDialLogged is startWhatsAppGateway with the dials to WhatsApp
// recorded (and failable).
func startDialLogged(t *testing.T) (*waGateway, *dialLog) {
	dl := &dialLog{}
	g := startWhatsAppGateway(t, func(s *whatsapptest.Server) *http.Client {
		hc := s.HTTPClient()
		dl.next = hc.Transport
		return &http.Client{Transport: dl}
	})
	return g, dl
}

// linkedWhatsApp is startDialLogged with demo's instance waInst created,
// its events going to webhook receiver h, and linked to waPhone as device
// jid: open, and connected at the fake server.
func linkedWhatsApp(t *testing.T) (g *waGateway, dials *dialLog, h *hook, jid types.JID) {
	t.Helper()
	g, dials = startDialLogged(t)
	h = newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(g.demoKey, waInst, h)
	return g, dials, h, g.link(g.demoKey, waInst, waPhone)
}

// TestWhatsAppStreamReplaced: another connection took the device's place;
// the instance closes with `replaced` and does not dial again (that would
// ping-pong with whoever replaced it), until the tenant restarts it.
func TestWhatsAppStreamReplaced(t *testing.T) {
	g, dials, h, jid := linkedWhatsApp(t)
	key := g.demoKey
	h.nth("instance.connected", 1)
	before := len(dials.times())

	require.NoError(t, g.wa.StreamReplaced(jid))
	disc := h.waitEvent("instance.disconnected", nil)
	require.Equal(t, map[string]any{"state": "close", "reason": "replaced"}, disc.body["data"])
	g.waitState(key, waInst, "close")
	time.Sleep(1500 * time.Millisecond) // longer than the first reconnect backoff
	require.Len(t, dials.times(), before, "no reconnect")
	require.False(t, g.wa.Connected(jid))
	st := g.status(key, waInst)
	require.Equal(t, "close", st["state"])
	require.Equal(t, waPhone, st["phoneNumber"], "still linked")
	require.Equal(t, []types.JID{jid}, g.wa.Devices(waPhone))
	require.Equal(t, 1, h.count("instance.connected"))

	r := g.do("POST", "/instance/"+waInst+"/restart", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	h.nth("instance.connected", 2)
	g.waitState(key, waInst, "open")
	require.True(t, g.wa.Connected(jid))
}

// TestWhatsAppTemporaryBan: WhatsApp bans the account for an hour; the
// instance closes with `banned`, does not dial again, and its lanes hold
// their messages until it is connected again (here: the ban lifted and
// the tenant restarting it; the host's own reconnect at the ban's end
// comes 24-36 s after it, too late for this test).
func TestWhatsAppTemporaryBan(t *testing.T) {
	g, dials, h, jid := linkedWhatsApp(t)
	key := g.demoKey
	h.nth("instance.connected", 1)
	before := len(dials.times())

	require.NoError(t, g.wa.TemporaryBan(jid, events.TempBanSentToTooManyPeople, time.Hour))
	disc := h.waitEvent("instance.disconnected", nil)
	require.Equal(t, map[string]any{"state": "close", "reason": "banned"}, disc.body["data"])
	g.waitState(key, waInst, "close")
	require.Equal(t, waPhone, g.status(key, waInst)["phoneNumber"], "still linked")

	ids := []string{
		g.send(key, "/message/text", map[string]any{"text": "held 1", "lane": "normal"}),
		g.send(key, "/message/text", map[string]any{"text": "held 2"}),
	}
	time.Sleep(1500 * time.Millisecond) // longer than the first reconnect backoff
	require.Len(t, dials.times(), before, "no reconnect while banned")
	for _, id := range ids {
		require.Equal(t, "pending", g.do("GET", "/message/"+id, nil, as(key)...).JSON(t)["status"])
	}
	require.Empty(t, g.wa.Sent(jid))

	g.wa.Unban(jid)
	r := g.do("POST", "/instance/"+waInst+"/restart", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	h.nth("instance.connected", 2)
	for _, id := range ids {
		require.Equal(t, "sent", g.waitMessage(key, id)["status"])
	}
	sent := g.wa.Sent(jid)
	require.Len(t, sent, 2)
	require.Equal(t, "held 2", sent[0].Message.GetConversation(), "urgent before normal")
	require.Equal(t, "held 1", sent[1].Message.GetConversation())
}

// TestWhatsAppLoggedOut: the user removed the device on the phone; the
// instance closes with `logged_out`, its keys are deleted, queued
// messages wait, and a new linking sends them.
func TestWhatsAppLoggedOut(t *testing.T) {
	g, dials, h, jid := linkedWhatsApp(t)
	key := g.demoKey
	require.Equal(t, 1, g.devices())
	before := len(dials.times())

	require.NoError(t, g.wa.LoggedOut(jid))
	disc := h.waitEvent("instance.disconnected", nil)
	require.Equal(t, map[string]any{"state": "close", "reason": "logged_out"}, disc.body["data"])
	g.waitState(key, waInst, "close")
	st := g.status(key, waInst)
	require.Nil(t, st["phoneNumber"])
	require.Eventually(t, func() bool { return g.devices() == 0 }, waWait, 20*time.Millisecond, "keys deleted")
	require.Equal(t, 0, g.bindings(), "no instance points at the deleted device")
	require.Equal(t, http.StatusConflict, g.do("GET", "/instance/"+waInst+"/device", nil, as(key)...).Status)
	require.Equal(t, http.StatusConflict, g.do("POST", "/instance/"+waInst+"/restart", nil, as(key)...).Status)
	require.Len(t, dials.times(), before, "no reconnect")

	r := g.do("POST", "/message/text", map[string]any{"instanceName": waInst, "to": waPeer, "text": "after relink", "lane": "urgent"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	id := r.JSON(t)["id"].(string)
	time.Sleep(300 * time.Millisecond)
	require.Equal(t, "pending", g.do("GET", "/message/"+id, nil, as(key)...).JSON(t)["status"])

	again := g.link(key, waInst, waPhone)
	require.NotEqual(t, jid, again, "a new device")
	require.Equal(t, "sent", g.waitMessage(key, id)["status"])
	sent := g.wa.Sent(again)
	require.Len(t, sent, 1)
	require.Equal(t, "after relink", sent[0].Message.GetConversation())
}

// TestWhatsAppReconnectsWithBackoff: a lost connection reports
// `connection_lost`; the host dials again at once, then after about 1 s
// and 2 s while the network is down, and messages sent meanwhile go out
// once the instance is open again.
func TestWhatsAppReconnectsWithBackoff(t *testing.T) {
	g, dials, h, jid := linkedWhatsApp(t)
	key := g.demoKey
	h.nth("instance.connected", 1)
	before := len(dials.times())

	dials.fail(2)
	require.NoError(t, g.wa.Drop(jid))
	disc := h.waitEvent("instance.disconnected", nil)
	require.Equal(t, map[string]any{"state": "close", "reason": "connection_lost"}, disc.body["data"])
	require.Equal(t, "connecting", g.status(key, waInst)["state"])
	r := g.do("POST", "/message/text", map[string]any{"instanceName": waInst, "to": waPeer, "text": "while away", "lane": "urgent"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	id := r.JSON(t)["id"].(string)

	h.nth("instance.connected", 2)
	g.waitState(key, waInst, "open")
	require.True(t, g.wa.Connected(jid))
	got := dials.times()[before:]
	require.Len(t, got, 3, "two failed dials, then one that worked")
	require.InDelta(t, 1.0, got[1].Sub(got[0]).Seconds(), 0.25, "first backoff: 1 s ± 20 %%")
	require.InDelta(t, 2.0, got[2].Sub(got[1]).Seconds(), 0.45, "second backoff: 2 s ± 20 %%")

	require.Equal(t, "sent", g.waitMessage(key, id)["status"])
	sent := g.wa.Sent(jid)
	require.Len(t, sent, 1)
	require.Equal(t, "while away", sent[0].Message.GetConversation())
}

// devices counts the devices in whatsmeow's store (its tables in the
// gateway's SQLite file).
func (g *waGateway) devices() int {
	g.t.Helper()
	var n int
	require.NoError(g.t, g.app.DB.Read().QueryRow(`SELECT count(*) FROM whatsmeow_device`).Scan(&n))
	return n
}

// bindings counts the instance-to-device bindings.
func (g *waGateway) bindings() int {
	g.t.Helper()
	var n int
	require.NoError(g.t, g.app.DB.Read().QueryRow(`SELECT count(*) FROM wagateway_whatsapp_binding`).Scan(&n))
	return n
}
