package whatsapp

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"
	_ "modernc.org/sqlite"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

var _ drivertest.Driver = (*Driver)(nil)

// world is what outlives one driver within a test: the network, the
// device store and the bindings, as a restarted process finds them.
type world struct {
	net      *fakeNet
	devices  *memDevices
	bindings Bindings
}

func newWorld(t *testing.T) *world {
	return &world{net: newFakeNet(), devices: newMemDevices(), bindings: sqliteBindings(t)}
}

// sqliteBindings are real SQLite bindings on a fresh file.
func sqliteBindings(t *testing.T) *SQLiteBindings {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "gateway.db")+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	b, err := NewSQLiteBindings(context.Background(), db)
	require.NoError(t, err)
	return b
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// driverOn builds a driver on w reporting to events.
func (w *world) driverOn(t *testing.T, events driver.Events, clk clock.Clock) *Driver {
	t.Helper()
	d, err := newDriver(Config{Devices: w.devices, Bindings: w.bindings, Events: events, Clock: clk, Log: quietLog()},
		w.net.factory)
	require.NoError(t, err)
	t.Cleanup(d.Close)
	return d
}

// TestConformance holds the driver's logic to the port's contract, with
// whatsmeow's clients replaced by fakes that emit whatsmeow's events.
func TestConformance(t *testing.T) {
	var mu sync.Mutex
	worlds := map[*testing.T]*world{}
	drivertest.Run(t, func(t *testing.T, events driver.Events, clk *clock.Fake) (drivertest.Driver, drivertest.Phone) {
		mu.Lock()
		w := worlds[t]
		if w == nil {
			w = newWorld(t)
			worlds[t] = w
		}
		mu.Unlock()
		return w.driverOn(t, events, clk), fakePhone{net: w.net}
	})
}

func TestNewRequiresItsParts(t *testing.T) {
	w := newWorld(t)
	full := Config{Devices: w.devices, Bindings: w.bindings, Events: drivertest.NewRecorder(), Clock: clock.Real{}, Log: quietLog()}
	for name, drop := range map[string]func(*Config){
		"devices":  func(c *Config) { c.Devices = nil },
		"bindings": func(c *Config) { c.Bindings = nil },
		"events":   func(c *Config) { c.Events = nil },
		"clock":    func(c *Config) { c.Clock = nil },
		"log":      func(c *Config) { c.Log = nil },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := full
			drop(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
		})
	}
	d, err := New(full)
	require.NoError(t, err)
	d.Close()
}

// TestWhatsmeowClientUsesTheInjectedHTTPClient: the production client
// dials through Config.HTTPClient, before linking and once linked, which
// is how tests reach a fake WhatsApp server.
func TestWhatsmeowClientUsesTheInjectedHTTPClient(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	var dialed []string
	refuse := &http.Client{Transport: &http.Transport{DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, addr)
		mu.Unlock()
		return nil, errors.New("test: no network")
	}}}
	ev := drivertest.NewRecorder()
	d, err := New(Config{Devices: w.devices, Bindings: w.bindings, Events: ev, Clock: clock.NewFake(t0), Log: quietLog(), HTTPClient: refuse})
	require.NoError(t, err)
	t.Cleanup(d.Close)
	ctx := context.Background()

	require.ErrorContains(t, d.Link(ctx, inst), "no network")
	require.ErrorIs(t, d.Send(ctx, inst, text(phoneB)), driver.ErrNotConnected)

	dev := w.devices.NewDevice()
	jid := types.NewADJID(phoneA, 0, 7)
	dev.ID, dev.Account = &jid, &waAdv.ADVSignedDeviceIdentity{}
	require.NoError(t, dev.Save(ctx))
	require.NoError(t, w.bindings.Bind(ctx, inst, jid.String()))
	require.ErrorContains(t, d.Connect(ctx, inst, phoneA), "no network")
	ev.Expect(t, inst, drivertest.Connecting)

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"web.whatsapp.com:443", "web.whatsapp.com:443"}, dialed)
}

// TestGroupConformance holds the group, contact and call operations to
// the port's contract against the fake WhatsApp server, with real
// whatsmeow clients (its far side: fakeserverphone_test.go).
func TestGroupConformance(t *testing.T) {
	drivertest.RunGroups(t, func(t *testing.T, events driver.Events, clk *clock.Fake) (drivertest.GroupDriver, drivertest.GroupPhone) {
		srv := whatsapptest.NewServer(t)
		return fakeServerDriver(t, srv, events, clk), newServerPhone(srv, events.(*drivertest.GroupRecorder).Recorder)
	})
}
