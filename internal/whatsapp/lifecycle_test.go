package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/message"
)

const (
	inst   = "acme__soporte__main"
	phoneA = "5491112345678"
	phoneB = "5491187654321"
)

var t0 = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

// hostEvents is a host that also wants ban expiries and receipts.
type hostEvents struct {
	*drivertest.Recorder
	mu         sync.Mutex
	bans       []ban
	receipts   []driver.Receipt
	receiptErr error
}

type ban struct {
	until time.Time
	after int // how many events the host had heard of when told
}

func newHostEvents() *hostEvents { return &hostEvents{Recorder: drivertest.NewRecorder()} }

func (h *hostEvents) BannedUntil(instance string, until time.Time) {
	n := len(h.Events())
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bans = append(h.bans, ban{until: until, after: n})
}

func (h *hostEvents) Receipt(instance string, r driver.Receipt) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.receipts = append(h.receipts, r)
	return h.receiptErr
}

// fixture is one driver on a fresh world, with a fake clock.
type fixture struct {
	w   *world
	ev  *hostEvents
	clk *clock.Fake
	d   *Driver
	p   fakePhone
}

func newFixture(t *testing.T) *fixture {
	w := newWorld(t)
	ev := newHostEvents()
	clk := clock.NewFake(t0)
	return &fixture{w: w, ev: ev, clk: clk, d: w.driverOn(t, ev, clk), p: fakePhone{net: w.net}}
}

// link takes inst to open by QR.
func (f *fixture) link(t *testing.T) {
	t.Helper()
	require.NoError(t, f.d.Link(context.Background(), inst))
	f.ev.Expect(t, inst, drivertest.QR)
	require.NoError(t, f.p.Scan(inst, phoneA))
	f.ev.Expect(t, inst, drivertest.Connecting)
	require.Equal(t, phoneA, f.ev.Expect(t, inst, drivertest.Connected).Phone)
}

// handle delivers evt to inst's current client as whatsmeow would.
func (f *fixture) handle(evt any) bool { return f.w.net.client(inst).h.handle(evt) }

func (f *fixture) bound(t *testing.T) string {
	t.Helper()
	jid, err := f.w.bindings.Device(context.Background(), inst)
	require.NoError(t, err)
	return jid
}

func text(to string) driver.Outbound {
	return driver.Outbound{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f01", WAMessageID: "3EB0A1B2C3D4E5F6A7B8C9",
		To: to, Type: message.Text, Text: "hola"}
}

func TestBanReportsItsEnd(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	require.NoError(t, f.p.Drop(inst, driver.Banned)) // a ban of 2 hours
	require.Equal(t, driver.Banned, f.ev.Expect(t, inst, drivertest.Disconnected).Reason)
	f.ev.mu.Lock()
	defer f.ev.mu.Unlock()
	require.Len(t, f.ev.bans, 1)
	require.Equal(t, t0.Add(2*time.Hour), f.ev.bans[0].until)
	events := f.ev.Events()
	require.Equal(t, drivertest.Disconnected, events[f.ev.bans[0].after].Kind, "the expiry comes just before the disconnect")
	require.NotEmpty(t, f.bound(t), "a ban keeps the device linked")
}

func TestBanWithoutExpiry(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	f.handle(&events.TemporaryBan{Code: events.TempBanBlockedByUsers})
	require.Equal(t, driver.Banned, f.ev.Expect(t, inst, drivertest.Disconnected).Reason)
	f.ev.mu.Lock()
	defer f.ev.mu.Unlock()
	require.Len(t, f.ev.bans, 1)
	require.True(t, f.ev.bans[0].until.IsZero())
}

func TestReceipts(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	r := &events.Receipt{MessageSource: types.MessageSource{Chat: pnJID(phoneB), Sender: pnJID(phoneB)},
		MessageIDs: []string{"3EB0A1B2C3D4E5F6A7B8C9"}, Timestamp: t0, Type: types.ReceiptTypeRead}
	require.True(t, f.handle(r))
	f.ev.mu.Lock()
	f.ev.receiptErr = errors.New("store down")
	f.ev.mu.Unlock()
	require.False(t, f.handle(r), "a receipt the host could not store is not acknowledged")
	f.ev.mu.Lock()
	require.Equal(t, []driver.Receipt{
		{WAMessageIDs: []string{"3EB0A1B2C3D4E5F6A7B8C9"}, Status: driver.Read, At: t0},
		{WAMessageIDs: []string{"3EB0A1B2C3D4E5F6A7B8C9"}, Status: driver.Read, At: t0},
	}, f.ev.receipts)
	f.ev.mu.Unlock()

	plain := newWorld(t)
	rec := drivertest.NewRecorder()
	// a host without ReceiptEvents: receipts are acknowledged and dropped
	d := plain.driverOn(t, rec, clock.NewFake(t0))
	require.NoError(t, d.Link(context.Background(), inst))
	rec.Expect(t, inst, drivertest.QR)
	require.NoError(t, fakePhone{plain.net}.Scan(inst, phoneA))
	rec.Expect(t, inst, drivertest.Connecting)
	rec.Expect(t, inst, drivertest.Connected)
	require.True(t, plain.net.client(inst).h.handle(r))
}

func TestPasskeyEndsLinking(t *testing.T) {
	for name, evt := range map[string]any{
		"request":      &events.PairPasskeyRequest{},
		"confirmation": &events.PairPasskeyConfirmation{Code: "123456"},
		"error":        &events.PairPasskeyError{Error: errors.New("bad notification")},
		"pair error":   &events.PairError{Error: whatsmeow.ErrPairInvalidDeviceSignature},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			require.NoError(t, f.d.Link(context.Background(), inst))
			f.ev.Expect(t, inst, drivertest.QR)
			require.Eventually(t, func() bool { return f.clk.Waiters() == 1 }, time.Second, time.Millisecond, "the rotation runs")
			f.handle(evt)
			require.Equal(t, driver.Reason(""), f.ev.Expect(t, inst, drivertest.Disconnected).Reason, "back to close, not a hang")
			require.Eventually(t, func() bool { return f.p.Scan(inst, phoneA) == driver.ErrNotLinking }, time.Second, time.Millisecond)
			f.clk.Advance(time.Hour)
			f.ev.Quiet(t, inst)
			require.NoError(t, f.d.Link(context.Background(), inst), "linking again")
			f.ev.Expect(t, inst, drivertest.QR)
		})
	}
}

func TestPasskeyBeforeFirstCodeFailsPairingCode(t *testing.T) {
	f := newFixture(t)
	f.w.net.onLinking = func(*fakeClient) (any, bool) { return &events.PairPasskeyRequest{}, true }
	_, err := f.d.PairingCode(context.Background(), inst, phoneA)
	require.ErrorIs(t, err, driver.ErrNotLinking, "PairingCode does not wait for codes that never come")
	require.Equal(t, driver.Reason(""), f.ev.Expect(t, inst, drivertest.Disconnected).Reason)
}

func TestRotatedSecretChangesTheCode(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.d.Link(context.Background(), inst))
	first := f.ev.Expect(t, inst, drivertest.QR).Code
	parts := strings.Split(first, ",")
	old := parts[3]
	f.handle(&events.RotateADVSecret{OldSecret: old, NewSecret: "bmV3LXNlY3JldA=="})
	again := f.ev.Expect(t, inst, drivertest.QR).Code
	require.Equal(t, strings.Replace(first, old, "bmV3LXNlY3JldA==", 1), again, "same ref, new secret, shown at once")
	require.Eventually(t, func() bool { return f.clk.Waiters() == 1 }, time.Second, time.Millisecond)
	f.clk.Advance(firstQRLife)
	next := f.ev.Expect(t, inst, drivertest.QR).Code
	require.Contains(t, next, "bmV3LXNlY3JldA==", "later codes carry the new secret too")
}

func TestPanicsAreContained(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	panicky := &panicEvents{Recorder: drivertest.NewRecorder()}
	f.d.cfg.Events = panicky
	in := &events.Message{Info: types.MessageInfo{MessageSource: types.MessageSource{Chat: pnJID(phoneB), Sender: pnJID(phoneB)},
		ID: "AC3EADB76DB5BE4130602FBF2039604A", Timestamp: t0}, Message: wireMessage(driver.Inbound{MessageType: "conversation", Text: "hi"})}
	require.False(t, f.handle(in), "a message whose handling panicked is not acknowledged")
	f.handle(&events.Disconnected{}) // the host panics in Disconnected: logged, not spread
	require.ErrorIs(t, f.d.Send(context.Background(), inst, text(phoneB)), driver.ErrNotConnected)
}

type panicEvents struct{ *drivertest.Recorder }

func (p *panicEvents) Received(string, driver.Inbound) error    { panic("host bug") }
func (p *panicEvents) Disconnected(string, driver.Reason)       { panic("host bug") }
func (p *panicEvents) Connected(instance, phone string)         { panic("host bug") }
func (p *panicEvents) QR(instance, code string)                 { panic("host bug") }
func (p *panicEvents) Connecting(instance string)               { panic("host bug") }
func (p *panicEvents) BannedUntil(instance string, _ time.Time) { panic("host bug") }

func TestEventsOfAnAbandonedConnectionAreIgnored(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	old := f.w.net.client(inst)
	f.d.Disconnect(inst)
	msg := &events.Message{Info: types.MessageInfo{MessageSource: types.MessageSource{Chat: pnJID(phoneB), Sender: pnJID(phoneB)},
		ID: "AC3EADB76DB5BE4130602FBF2039604A", Timestamp: t0}, Message: wireMessage(driver.Inbound{MessageType: "conversation", Text: "late"})}
	require.False(t, old.h.handle(msg), "not acknowledged: the next connection receives it again")
	old.h.handle(&events.StreamReplaced{})
	old.h.handle(&events.Connected{})
	f.ev.Quiet(t, inst)

	require.NoError(t, f.d.Connect(context.Background(), inst, phoneA))
	f.ev.Expect(t, inst, drivertest.Connecting)
	f.ev.Expect(t, inst, drivertest.Connected)
	old.h.handle(&events.LoggedOut{})
	f.ev.Quiet(t, inst)
	require.NoError(t, f.d.Send(context.Background(), inst, text(phoneB)), "the new connection is untouched")
}

func TestSendFailures(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	ctx := context.Background()
	var se *driver.SendError

	require.ErrorAs(t, f.d.Send(ctx, inst, text("9991100000000")), &se)
	require.Equal(t, NotOnWhatsApp, se.Reason)
	require.ErrorAs(t, f.d.Send(ctx, inst, text("12ab")), &se)
	require.Equal(t, InvalidNumber, se.Reason)

	f.w.net.sendErr = func(types.JID) error { return fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 463) }
	require.ErrorAs(t, f.d.Send(ctx, inst, text(phoneB)), &se)
	require.Equal(t, ReachOutLocked, se.Reason)

	f.w.net.sendErr = func(types.JID) error { return &whatsmeow.DisconnectedError{Action: "message send"} }
	require.ErrorIs(t, f.d.Send(ctx, inst, text(phoneB)), driver.ErrNotConnected)

	f.w.net.sendErr = func(types.JID) error { return whatsmeow.ErrMessageTimedOut }
	err := f.d.Send(ctx, inst, text(phoneB))
	require.ErrorIs(t, err, whatsmeow.ErrMessageTimedOut, "retried later with the same id")
	require.False(t, errors.As(err, &se))

	f.w.net.sendErr = nil
	f.w.net.uploadErr = errors.New("upload failed with status code 415")
	img := driver.Outbound{MessageID: "m2", To: phoneB, Type: message.Image, Media: []byte("x"), ContentType: "image/png"}
	require.ErrorAs(t, f.d.Send(ctx, inst, img), &se)
	require.Equal(t, MediaRejected+" (HTTP 415)", se.Reason)

	f.w.net.uploadErr = nil
	out := text(phoneB)
	out.WAMessageID = ""
	require.NoError(t, f.d.Send(ctx, inst, out))
	sent := f.p.Sent(inst)
	require.Equal(t, MessageID(out.MessageID), sent[len(sent)-1].WAMessageID, "an id derived from ours when the host gave none")
}

func TestPairingRefusedWhenTheBindingCannotBeStored(t *testing.T) {
	w := newWorld(t)
	w.bindings = failingBind{w.bindings}
	ev := drivertest.NewRecorder()
	d := w.driverOn(t, ev, clock.NewFake(t0))
	require.NoError(t, d.Link(context.Background(), inst))
	ev.Expect(t, inst, drivertest.QR)
	require.Error(t, fakePhone{w.net}.Scan(inst, phoneA))
	require.Zero(t, w.devices.count(), "no device that no instance could find")
	_, err := d.Device(context.Background(), inst)
	require.ErrorIs(t, err, driver.ErrNotLinked)
}

type failingBind struct{ Bindings }

func (failingBind) Bind(context.Context, string, string) error { return errors.New("disk full") }

func TestConnectFailureIsReturned(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	f.d.Disconnect(inst)
	f.w.net.connectErr = errors.New("dial tcp: i/o timeout")
	require.ErrorContains(t, f.d.Connect(context.Background(), inst, phoneA), "i/o timeout")
	f.ev.Expect(t, inst, drivertest.Connecting)
	require.ErrorIs(t, f.d.Send(context.Background(), inst, text(phoneB)), driver.ErrNotConnected)
	f.w.net.connectErr = nil
	require.NoError(t, f.d.Connect(context.Background(), inst, phoneA), "the host's retry")
	f.ev.Expect(t, inst, drivertest.Connecting)
	f.ev.Expect(t, inst, drivertest.Connected)
}

func TestLoggedOutUnbinds(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	require.NotEmpty(t, f.bound(t))
	require.NoError(t, f.p.Drop(inst, driver.LoggedOut))
	f.ev.Expect(t, inst, drivertest.Disconnected)
	require.Eventually(t, func() bool { return f.bound(t) == "" }, time.Second, time.Millisecond)
}

func TestLogoutWhileOffline(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	f.d.Disconnect(inst)
	require.NoError(t, f.d.Logout(context.Background(), inst))
	require.Equal(t, driver.LoggedOut, f.ev.Expect(t, inst, drivertest.Disconnected).Reason)
	require.Zero(t, f.w.devices.count(), "keys deleted")
	require.Empty(t, f.bound(t))
}

func TestDanglingBindingMeansNotLinked(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.w.bindings.Bind(context.Background(), inst, "5491112345678:9@s.whatsapp.net"))
	require.ErrorIs(t, f.d.Connect(context.Background(), inst, phoneA), driver.ErrNotLinked)
	require.Empty(t, f.bound(t), "the binding of a device that is gone is dropped")
	require.NoError(t, f.d.Link(context.Background(), inst))
}

func TestOutdatedClientCloses(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	f.handle(&events.ClientOutdated{})
	require.Equal(t, driver.Reason(""), f.ev.Expect(t, inst, drivertest.Disconnected).Reason, "closed, not retried in a loop")
	_, err := f.d.Device(context.Background(), inst)
	require.NoError(t, err, "still linked: an update of the gateway brings it back")
}

func TestConnectingAnOpenInstanceReconfirms(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	require.NoError(t, f.d.Connect(context.Background(), inst, phoneA))
	f.ev.Expect(t, inst, drivertest.Connecting)
	require.Equal(t, phoneA, f.ev.Expect(t, inst, drivertest.Connected).Phone)
	f.ev.Quiet(t, inst)
}

func TestCloseDropsEverything(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	f.d.Close()
	require.ErrorIs(t, f.d.Send(context.Background(), inst, text(phoneB)), driver.ErrNotConnected)
	f.ev.Quiet(t, inst)
}

func TestLoginAfterPairingIsBounded(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.d.Link(context.Background(), inst))
	f.ev.Expect(t, inst, drivertest.QR)
	c := f.w.net.client(inst)
	jid := types.NewADJID(phoneA, 0, 5)
	require.True(t, c.h.prePair(jid))
	c.dev.ID = &jid
	c.h.handle(&events.PairSuccess{ID: jid}) // and whatsmeow's login after it fails silently
	f.ev.Expect(t, inst, drivertest.Connecting)
	// the first code's timer (its rotation has stopped) and the login's
	require.Eventually(t, func() bool { return f.clk.Waiters() == 2 }, time.Second, time.Millisecond)
	f.clk.Advance(loginTimeout - time.Second)
	f.ev.Quiet(t, inst)
	f.clk.Advance(time.Second)
	require.Equal(t, driver.ConnectionLost, f.ev.Expect(t, inst, drivertest.Disconnected).Reason, "the host reconnects")
	require.Equal(t, jid.String(), f.bound(t), "the device stays bound for that reconnect")
}

// TestLoginWatchEndsWithTheLogin: the watch on the login after pairing
// ends when the login succeeds, not at its timeout, so an idle linked
// instance keeps no goroutine of the driver's.
func TestLoginWatchEndsWithTheLogin(t *testing.T) {
	f := newFixture(t)
	f.link(t)
	require.Eventually(t, func() bool {
		buf := make([]byte, 1<<20)
		return !bytes.Contains(buf[:runtime.Stack(buf, true)], []byte("whatsapp.(*Driver).awaitLogin"))
	}, 5*time.Second, time.Millisecond)
}
