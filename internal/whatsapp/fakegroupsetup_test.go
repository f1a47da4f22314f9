package whatsapp

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// groupEvents is a host's Events that also takes group changes and calls
// (driver.GroupEvents), recording them for the test to take in order.
type groupEvents struct {
	*drivertest.Recorder
	participants chan driver.GroupParticipants
	updates      chan driver.GroupUpdate
	calls        chan driver.Call

	mu     sync.Mutex
	refuse error // what GroupParticipants and GroupUpdated answer
	reject bool  // what Call answers
}

var _ driver.GroupEvents = (*groupEvents)(nil)

func newGroupEvents() *groupEvents {
	return &groupEvents{Recorder: drivertest.NewRecorder(), participants: make(chan driver.GroupParticipants, 64),
		updates: make(chan driver.GroupUpdate, 64), calls: make(chan driver.Call, 64)}
}

// answer sets what the host answers from now on: refuse for group
// changes (nil accepts them), reject for calls.
func (e *groupEvents) answer(refuse error, reject bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.refuse, e.reject = refuse, reject
}

func (e *groupEvents) GroupParticipants(_ string, g driver.GroupParticipants) error {
	e.participants <- g
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refuse
}

func (e *groupEvents) GroupUpdated(_ string, g driver.GroupUpdate) error {
	e.updates <- g
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refuse
}

func (e *groupEvents) Call(_ string, c driver.Call) (bool, error) {
	e.calls <- c
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reject, nil
}

// take returns the next value ch receives, failing after
// drivertest.Timeout.
func take[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(drivertest.Timeout):
		var zero T
		t.Fatalf("no %T within %s", zero, drivertest.Timeout)
		return zero
	}
}

// none fails if ch receives anything for a short while: what must not be
// reported is nearly always reported at once, as drivertest.Quiet
// assumes.
func none[T any](t *testing.T, ch <-chan T) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected %T: %+v", v, v)
	case <-time.After(100 * time.Millisecond):
	}
}

// fakeServerDriver is a driver reporting to events whose clients reach
// srv, on a SQLite device store as locally.
func fakeServerDriver(t *testing.T, srv *whatsapptest.Server, events driver.Events, clk clock.Clock) *Driver {
	t.Helper()
	ctx := context.Background()
	// Transactions take the write lock when they begin (_txlock), or
	// whatsmeow's decrypting transaction meets SQLITE_BUSY on upgrade.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "gateway.db")+
		"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_txlock=immediate")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	devices := sqlstore.NewWithDB(db, "sqlite", nil)
	require.NoError(t, devices.Upgrade(ctx))
	bindings, err := NewSQLiteBindings(ctx, db)
	require.NoError(t, err)
	d, err := New(Config{Devices: devices, Bindings: bindings, Events: events, Clock: clk, Log: quietLog(),
		HTTPClient: srv.HTTPClient()})
	require.NoError(t, err)
	t.Cleanup(d.Close)
	return d
}

// groupsOnFakeServer is a driver reporting to events (rec, the recorder
// inside it) whose instance inst is linked to number at srv.
func groupsOnFakeServer(t *testing.T, srv *whatsapptest.Server, number string, events driver.Events, rec *drivertest.Recorder) (*Driver, types.JID) {
	t.Helper()
	ctx := context.Background()
	d := fakeServerDriver(t, srv, events, clock.Real{})
	require.NoError(t, d.Link(ctx, inst))
	jid, err := srv.Scan(ctx, rec.WaitFor(t, inst, drivertest.QR).Code, number)
	require.NoError(t, err)
	require.Equal(t, number, rec.WaitFor(t, inst, drivertest.Connected).Phone)
	return d, jid
}

// withGroupEvents is a driver at srv linked to number whose host takes
// group events and calls.
func withGroupEvents(t *testing.T, srv *whatsapptest.Server, number string) (*Driver, types.JID, *groupEvents) {
	t.Helper()
	ev := newGroupEvents()
	d, jid := groupsOnFakeServer(t, srv, number, ev, ev.Recorder)
	return d, jid, ev
}
