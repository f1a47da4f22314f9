package host_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/mediastore"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sqlite"
)

// The port the host declares is the one its conformance suite checks.
var _ host.Driver = drivertest.GroupDriver(nil)

// fakeDriver is a minimal phone network: enough to drive the host.
type fakeDriver struct {
	mu       sync.Mutex
	events   driver.Events
	open     map[string]bool
	sent     []driver.Outbound
	connects int                  // Connect calls that returned
	rebans   map[string]time.Time // instances still banned at their next Connect, until when
	// hold, if set, runs at the start of every Send and its error, if
	// any, is the send's: tests hold a send in flight with it.
	hold func(driver.Outbound) error
	// presences are the chat presences shown (typing_test.go); presenceHold,
	// if set, runs at the start of every Presence.
	presences    []shownPresence
	presenceHold func(context.Context)
	// reads are the read receipts sent (read_test.go); readErr, if set,
	// fails every MarkRead of an open instance.
	reads   []driver.ReadReceipt
	readErr error
	// stallConnects makes every Connect wait until the host stops.
	stallConnects bool
	// groupAnswer, if set, answers every group and contact operation
	// (groups_test.go); the operations fail with it when it returns one.
	groupAnswer func(op string) (any, error)
}

func (d *fakeDriver) Link(_ context.Context, inst string) error {
	d.events.QR(inst, "2@code-"+inst)
	return nil
}
func (d *fakeDriver) PairingCode(context.Context, string, string) (string, error) {
	return "ABCD-1234", nil
}
func (d *fakeDriver) Connect(ctx context.Context, inst, phone string) error {
	d.mu.Lock()
	stall := d.stallConnects
	d.mu.Unlock()
	if stall {
		<-ctx.Done() // a connection attempt that never gets an answer
		return ctx.Err()
	}
	d.mu.Lock()
	until, banned := d.rebans[inst]
	delete(d.rebans, inst)
	d.mu.Unlock()
	if banned {
		d.ban(inst, until)
	} else {
		d.scan(inst, phone)
	}
	d.mu.Lock()
	d.connects++
	d.mu.Unlock()
	return nil
}

// ban is WhatsApp refusing the connection with a temporary ban, as the
// whatsmeow driver reports it.
func (d *fakeDriver) ban(inst string, until time.Time) {
	d.Disconnect(inst)
	d.events.(driver.BanEvents).BannedUntil(inst, until)
	d.events.Disconnected(inst, driver.Banned)
}

// reban makes the next Connect of inst report a ban until until.
func (d *fakeDriver) reban(inst string, until time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rebans[inst] = until
}

func (d *fakeDriver) connectCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.connects
}
func (d *fakeDriver) scan(inst, phone string) {
	d.mu.Lock()
	d.open[inst] = true
	d.mu.Unlock()
	d.events.Connecting(inst)
	d.events.Connected(inst, phone)
}
func (d *fakeDriver) Disconnect(inst string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.open[inst] = false
}
func (d *fakeDriver) Logout(_ context.Context, inst string) error {
	d.Disconnect(inst)
	d.events.Disconnected(inst, driver.LoggedOut)
	return nil
}
func (d *fakeDriver) Send(_ context.Context, inst string, out driver.Outbound) error {
	d.mu.Lock()
	hold := d.hold
	d.mu.Unlock()
	if hold != nil {
		if err := hold(out); err != nil {
			return err
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.open[inst] {
		return driver.ErrNotConnected
	}
	if out.To == "99900000000" {
		return &driver.SendError{Reason: "number not on WhatsApp"}
	}
	d.sent = append(d.sent, out)
	return nil
}
func (d *fakeDriver) Device(context.Context, string) (driver.Device, error) {
	return driver.Device{Name: "Test phone", Platform: "WHATSAPP"}, nil
}
func (d *fakeDriver) setHold(hold func(driver.Outbound) error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.hold = hold
}

func (d *fakeDriver) sentList() []driver.Outbound {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]driver.Outbound(nil), d.sent...)
}

type rig struct {
	svc    *gateway.Service
	store  *sqlite.Store
	host   *host.Host
	drv    *fakeDriver
	queues map[lane.Lane]*sqlite.Queue
	media  *mediastore.Dir
	// mediaDown makes the host's media store fail (switchableMedia).
	mediaDown *atomic.Bool
}

// switchableMedia is a media store that fails while down is set.
type switchableMedia struct {
	*mediastore.Dir
	down *atomic.Bool
}

func (m switchableMedia) Put(ctx context.Context, k mediastore.Key, meta mediastore.Meta, r io.Reader, limit int64) (mediastore.Object, error) {
	if m.down.Load() {
		return mediastore.Object{}, errors.New("disk full")
	}
	return m.Dir.Put(ctx, k, meta, r, limit)
}

func newRig(t *testing.T, path string) (*rig, context.CancelFunc, chan struct{}) {
	t.Helper()
	return newScaledRig(t, path, 0.001)
}

// newScaledRig is newRig with the lane delays scaled by scale.
func newScaledRig(t *testing.T, path string, scale float64) (*rig, context.CancelFunc, chan struct{}) {
	t.Helper()
	return newClockRig(t, path, scale, clock.Real{})
}

// newClockRig is newScaledRig with hostClock driving the host's waits
// (lane delays, visibility extension, reconnects); the queues and the
// service keep the real clock.
func newClockRig(t *testing.T, path string, scale float64, hostClock clock.Clock) (*rig, context.CancelFunc, chan struct{}) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	clk := clock.Real{}
	byLane := map[lane.Lane]*sqlite.Queue{}
	enq := map[lane.Lane]gateway.Enqueuer{}
	recv := map[lane.Lane]host.Receiver{}
	for _, l := range lane.All() {
		q := sqlite.NewQueue(db, "lane-"+string(l), clk)
		byLane[l], enq[l], recv[l] = q, q, q
	}
	st := sqlite.NewStore(db, byLane)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := gateway.New(gateway.Config{Store: st, Queues: enq, Clock: clk, Log: log, URLs: netguard.Policy{AllowLoopback: true}})
	require.NoError(t, err)
	drv := &fakeDriver{open: map[string]bool{}, rebans: map[string]time.Time{}}
	inbound, err := mediastore.NewDir(filepath.Join(filepath.Dir(path), "media"), time.Hour, hostClock)
	require.NoError(t, err)
	down := new(atomic.Bool)
	h, err := host.New(host.Config{Driver: drv, Store: st, Queues: recv, Clock: hostClock, Log: log, DelayScale: scale, Seed: 7,
		Fetcher: media.New(media.Options{Policy: netguard.Policy{AllowLoopback: true}}),
		Media:   switchableMedia{inbound, down}, PublicURL: "http://gw.test/"})
	require.NoError(t, err)
	drv.events = h
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Run(ctx)
		_ = db.Close()
	}()
	t.Cleanup(func() { cancel(); <-done })
	// Linking before Run listed the linked instances would have Run
	// reconnect them too, at a moment of its choosing.
	select {
	case <-h.Running():
	case <-done:
	}
	return &rig{svc: svc, store: st, host: h, drv: drv, queues: byLane, media: inbound, mediaDown: down}, cancel, done
}

func text(to, body, l string) gateway.SendInput {
	return gateway.SendInput{InstanceName: "acme__c__main", To: to, Lane: l, Type: message.Text, Content: message.Content{Text: body}}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, 5*time.Millisecond, what)
}

func TestSendsAfterLinkingInPriorityOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	r, _, _ := newRig(t, path)
	ctx := context.Background()
	_, err := r.svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	_, err = r.svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__main",
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
	require.NoError(t, err)

	var ids []string
	for _, m := range []gateway.SendInput{
		text("5491100000001", "bulk 1", "bulk"), text("5491100000002", "normal 1", "normal"),
		text("5491100000003", "{urgent|URGENT} 1", "urgent"), text("99900000000", "nobody", "normal"),
	} {
		acc, _, err := r.svc.Send(ctx, "acme", m, "")
		require.NoError(t, err)
		ids = append(ids, acc.ID)
	}
	time.Sleep(100 * time.Millisecond)
	require.Empty(t, r.drv.sentList(), "nothing goes out before the instance is open")

	code, err := r.host.LinkQR(ctx, "acme__c__main")
	require.NoError(t, err)
	require.Equal(t, "2@code-acme__c__main", code)
	r.drv.scan("acme__c__main", "5491199999999")

	waitFor(t, "three sends", func() bool { return len(r.drv.sentList()) == 3 })
	sent := r.drv.sentList()
	require.Contains(t, []string{"urgent 1", "URGENT 1"}, sent[0].Text, "urgent first, spintax resolved")
	require.Equal(t, "normal 1", sent[1].Text)
	require.Equal(t, "bulk 1", sent[2].Text)
	require.Equal(t, host.WAMessageID(ids[2]), sent[0].WAMessageID)

	in, err := r.store.GetInstance(ctx, "acme__c__main")
	require.NoError(t, err)
	require.Equal(t, instance.StateOpen, in.State)
	require.Equal(t, "5491199999999", in.PhoneNumber)
	for i, id := range ids {
		m, err := r.store.GetMessage(ctx, id)
		require.NoError(t, err)
		if i == 3 {
			waitFor(t, "failed", func() bool { m, _ = r.store.GetMessage(ctx, id); return m.Status == message.Failed })
			require.Equal(t, "number not on WhatsApp", m.Error)
			continue
		}
		waitFor(t, "recorded as sent", func() bool { m, _ = r.store.GetMessage(ctx, id); return m.Status == message.Sent })
		require.False(t, m.SentAt.IsZero())
	}
	_, err = r.host.LinkQR(ctx, "acme__c__main")
	require.Error(t, err, "an open instance has no QR")
}

// TestRestartResumes: messages still queued when the process stops go out
// after a restart, none twice; linked instances reconnect by themselves.
func TestRestartResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	ctx := context.Background()
	r, cancel, done := newRig(t, path)
	_, err := r.svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	_, err = r.svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__main",
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
	require.NoError(t, err)
	require.NoError(t, r.store.SetConnection(ctx, "acme__c__main", instance.StateClose, "5491199999999", time.Time{}, nil))
	cancel()
	<-done

	// Queue while no host runs, then start a fresh one on the same file.
	r2, _, _ := newRig(t, path)
	var ids []string
	for i := range 5 {
		acc, _, err := r2.svc.Send(ctx, "acme", text("5491100000001", string(rune('a'+i)), "urgent"), "")
		require.NoError(t, err)
		ids = append(ids, acc.ID)
	}
	waitFor(t, "all five sent once", func() bool { return len(r2.drv.sentList()) == 5 })
	time.Sleep(50 * time.Millisecond)
	got := r2.drv.sentList()
	require.Len(t, got, 5)
	for i, out := range got {
		require.Equal(t, ids[i], out.MessageID, "FIFO within the lane")
	}
}

func contentOf(k int) message.Content { return message.Content{Text: fmt.Sprintf("{Hi|Hello} %d", k)} }

// TestHigherLaneArrivingDuringTheDelayGoesFirst: on SQS FIFO the next
// urgent message of an instance only arrives after the previous one was
// deleted; a lower lane picked in that gap must not go first.
func TestHigherLaneArrivingDuringTheDelayGoesFirst(t *testing.T) {
	r, _, _ := newScaledRig(t, filepath.Join(t.TempDir(), "g.db"), 0.02)
	ctx := context.Background()
	_, err := r.svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	_, err = r.svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__main",
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
	require.NoError(t, err)
	_, err = r.host.LinkQR(ctx, "acme__c__main")
	require.NoError(t, err)
	r.drv.scan("acme__c__main", "5491199999999")

	// Bulk waits 8–15 s ×0.02 = 160–300 ms before it is sent; the urgent
	// message arrives early in that wait.
	_, _, err = r.svc.Send(ctx, "acme", text("5491100000001", "bulk", "bulk"), "")
	require.NoError(t, err)
	time.Sleep(40 * time.Millisecond)
	_, _, err = r.svc.Send(ctx, "acme", text("5491100000002", "urgent", "urgent"), "")
	require.NoError(t, err)
	waitFor(t, "both sent", func() bool { return len(r.drv.sentList()) == 2 })
	sent := r.drv.sentList()
	require.Equal(t, "urgent", sent[0].Text)
	require.Equal(t, "bulk", sent[1].Text)
}
