// Package whatsapp is the real WhatsApp driver of the driver port, built on
// whatsmeow: one whatsmeow client per instance, its keys in a device store
// (whatsmeow's SQL store on the gateway's SQLite file locally, the DynamoDB
// store on AWS).
//
// How an instance finds its device: pairing gives the device a JID
// ("5491112345678:12@s.whatsapp.net"), the key of its record in the device
// store. The driver records instance → JID in Bindings just before
// whatsmeow saves the new device (if recording fails, the pairing is
// refused, so no device exists that no instance can find), and Connect,
// Device and Logout start from that record. The phone number alone would
// not do: one phone may be linked to several instances, each a device of
// its own.
//
// The driver follows the port's contract (internal/driver/drivertest):
//
//   - linking: the QR codes whatsmeow receives are shown on WhatsApp's
//     schedule, timed by the injected clock (the first 60 s, the next five
//     20 s each); when the last expires the connection is dropped and
//     Disconnected(instance, "") reported. Pairing codes come from PairPhone
//     once the linking connection is up. A phone that asks for a passkey
//     ends the linking the same way (logged), since a gateway has no
//     authenticator;
//   - whatsmeow's auto-reconnect is off: a lost connection is reported
//     (connection_lost) and the host reconnects after re-checking its
//     lease; replaced, banned and logged_out are reported and not retried;
//   - inbound messages are acknowledged to WhatsApp only after the host
//     accepted them (SynchronousAck, the decrypted event buffer, and
//     handlers that return false), so a crash means redelivery, not loss;
//   - no event of a connection the driver let go of (Disconnect, a new
//     Link, a drop) reaches the host, and a panic in a handler is
//     recovered and logged, never taking the process down.
package whatsapp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/lease"
)

// DeviceStore is what the driver needs of a whatsmeow device container.
// whatsmeow's sqlstore.Container and the DynamoDB container of
// internal/devicestore both have these methods. Devices are saved and
// deleted through store.Device itself (its Container).
type DeviceStore interface {
	// NewDevice returns fresh keys for a device to link; nothing is stored
	// until pairing succeeds.
	NewDevice() *store.Device
	// GetDevice returns the device with the JID, or nil (no error) if
	// there is none.
	GetDevice(ctx context.Context, jid types.JID) (*store.Device, error)
}

// Bindings records which device (by JID) each instance is linked to.
type Bindings interface {
	// Device returns the JID bound to instance, "" if none.
	Device(ctx context.Context, instance string) (string, error)
	// Bind binds instance to jid, replacing any earlier binding.
	Bind(ctx context.Context, instance, jid string) error
	// Unbind removes the binding if it is still to jid (a late logout of
	// an old device must not unbind a newer one).
	Unbind(ctx context.Context, instance, jid string) error
}

// ErrAlreadyLinked is the driver port's sentinel, named here for callers
// of this driver alone.
var ErrAlreadyLinked = driver.ErrAlreadyLinked

// Config wires a Driver. Devices, Bindings, Events, Clock and Log are
// required.
type Config struct {
	Devices  DeviceStore
	Bindings Bindings
	Events   driver.Events
	Clock    clock.Clock
	Log      *slog.Logger
	// HTTPClient, if set, carries the websocket and the media uploads
	// instead of whatsmeow's default client: tests point it at a fake
	// WhatsApp server (a dialer and a TLS config that trusts it).
	HTTPClient *http.Client
	// Fences, if set, is told the lease fence of each instance's device
	// while it is connected under one (the context of Connect or linking
	// carried a lease.Fence), so that its key writes are refused once the
	// lease passed to another host (devicestore.Container.Fence).
	Fences Fencer
	// TempDir holds inbound media while it is downloaded and decrypted,
	// one file per download, removed when the reader is closed; default
	// os.TempDir().
	TempDir string
}

// Fencer puts a device's writes under its instance's lease fence.
type Fencer interface {
	Fence(jid types.JID, f lease.Fence)
	Unfence(jid types.JID)
}

// storeTimeout bounds one call to Bindings or the device store made from a
// WhatsApp event, which has no caller's context to inherit.
const storeTimeout = 15 * time.Second

// Driver is the whatsmeow driver. It is safe for concurrent use.
type Driver struct {
	cfg       Config
	log       *slog.Logger
	newClient clientFactory
	// ctx outlives every request: whatsmeow runs a connection's handlers
	// and keepalives under the context it was connected with.
	ctx    context.Context
	cancel context.CancelFunc

	mu    sync.Mutex
	slots map[string]*slot
}

// New checks cfg and returns a driver with no connection; the host opens
// them (Link, Connect).
func New(cfg Config) (*Driver, error) {
	d, err := newDriver(cfg, nil)
	if err != nil {
		return nil, err
	}
	d.newClient = d.whatsmeowClient
	return d, nil
}

// newDriver is New with the client factory left to the caller (tests).
func newDriver(cfg Config, factory clientFactory) (*Driver, error) {
	if cfg.Devices == nil || cfg.Bindings == nil || cfg.Events == nil || cfg.Clock == nil || cfg.Log == nil {
		return nil, errors.New("whatsapp: devices, bindings, events, clock and logger are required")
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Driver{cfg: cfg, log: cfg.Log, newClient: factory, ctx: ctx, cancel: cancel,
		slots: map[string]*slot{}}, nil
}

// Close drops every connection without reporting anything (shutdown).
func (d *Driver) Close() {
	d.mu.Lock()
	var live []*attempt
	for _, s := range d.slots {
		if s.cur != nil {
			live = append(live, s.cur)
			d.retire(s.cur)
		}
	}
	d.mu.Unlock()
	for _, a := range live {
		a.cli.Disconnect()
	}
	d.cancel()
}

// phase is where one connection attempt is.
type phase uint8

const (
	linking    phase = iota // unpaired: showing QR codes, accepting a pairing code
	connecting              // paired, logging in
	open                    // logged in: sends and receives
)

// slot is one instance: its current connection attempt and the reports
// waiting to reach the host, in order.
type slot struct {
	name     string
	cur      *attempt
	queue    []driver.Change
	draining bool
}

// attempt is one whatsmeow client of an instance, from Link or Connect
// until the driver lets go of it. Events of an attempt that is no longer
// its slot's current one are ignored.
type attempt struct {
	slot   *slot
	cli    waClient
	dev    *store.Device
	jid    types.JID // the device's, once known: whatsmeow clears dev.ID when it deletes the keys
	phase  phase
	link   *rotation     // while linking, once the first codes came
	ready  chan struct{} // closed when the first QR code came (linking)
	opened chan struct{} // closed when it logged in (open)
	ended  chan struct{} // closed when the attempt stops being current
	// fence is the lease fence the attempt was started under, if fenced.
	fence  lease.Fence
	fenced bool
	// available: this connection announced itself online, which WhatsApp
	// needs before it shows a chat presence (presence.go).
	available atomic.Bool
}

// slot returns the instance's slot, creating it. Call with mu held.
func (d *Driver) slot(name string) *slot {
	s := d.slots[name]
	if s == nil {
		s = &slot{name: name}
		d.slots[name] = s
	}
	return s
}

// current returns the instance's current attempt (nil if none) and its
// phase at the time.
func (d *Driver) current(name string) (*attempt, phase) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.slots[name]; s != nil && s.cur != nil {
		return s.cur, s.cur.phase
	}
	return nil, 0
}

// isCurrent reports whether a is still its instance's attempt. Call with
// mu held.
func (d *Driver) isCurrent(a *attempt) bool { return a.slot != nil && a.slot.cur == a }

// retire makes a no longer current, ending its QR rotation. It reports
// whether a was current. Call with mu held.
func (d *Driver) retire(a *attempt) bool {
	if !d.isCurrent(a) {
		return false
	}
	a.slot.cur = nil
	a.stopRotation()
	close(a.ended)
	if a.fenced && d.cfg.Fences != nil && !a.jid.IsEmpty() {
		d.cfg.Fences.Unfence(a.jid)
	}
	return true
}

// install makes a the instance's current attempt, returning the one it
// replaces (to be disconnected by the caller). Call with mu held.
func (d *Driver) install(name string, a *attempt) *attempt {
	s := d.slot(name)
	old := s.cur
	if old != nil {
		d.retire(old)
	}
	a.slot = s
	s.cur = a
	return old
}

func newAttempt(dev *store.Device, p phase) *attempt {
	return &attempt{dev: dev, jid: dev.GetJID(), phase: p, ready: make(chan struct{}), opened: make(chan struct{}),
		ended: make(chan struct{})}
}
