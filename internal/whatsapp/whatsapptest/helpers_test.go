package whatsapptest

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	_ "modernc.org/sqlite"
)

// wait bounds every wait for an event in these tests.
const wait = 15 * time.Second

const (
	phoneA = "5491112345678"
	phoneB = "5491187654321"
)

// client is a plain whatsmeow client on its own SQLite store, pointed at
// a fake server, with its events collected.
type client struct {
	*whatsmeow.Client
	events chan any
	dir    string // where its store lives
}

// newClient opens (or reopens) the device store at dir and builds a
// client on it, dialing s.
func newClient(t *testing.T, s *Server, dir string) *client {
	t.Helper()
	ctx := context.Background()
	dsn := "file:" + filepath.Join(dir, "wa.db") +
		"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)"
	db, err := sql.Open("sqlite", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	container := sqlstore.NewWithDB(db, "sqlite", nil)
	require.NoError(t, container.Upgrade(ctx))
	dev, err := container.GetFirstDevice(ctx)
	require.NoError(t, err)
	c := &client{Client: whatsmeow.NewClient(dev, nil), events: make(chan any, 1024), dir: dir}
	s.Install(c.Client)
	c.AddEventHandler(func(evt any) { c.events <- evt })
	t.Cleanup(c.Disconnect)
	return c
}

// stored reports whether the client's store still holds a linked device,
// reading it apart from the client (whose fields its goroutines write).
func (c *client) stored(t *testing.T) bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(c.dir, "wa.db")+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	devs, err := sqlstore.NewWithDB(db, "sqlite", nil).GetAllDevices(context.Background())
	require.NoError(t, err)
	return len(devs) > 0
}

// next returns the next event of type T, skipping others.
func next[T any](t *testing.T, c *client) T {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case evt := <-c.events:
			if v, ok := evt.(T); ok {
				return v
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T within %s", zero, wait)
			return zero
		}
	}
}

// quiet fails if an event of type T arrives within d.
func quiet[T any](t *testing.T, c *client, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case evt := <-c.events:
			if _, ok := evt.(T); ok {
				t.Fatalf("unexpected %T", evt)
			}
		case <-deadline:
			return
		}
	}
}

// link takes a fresh client through QR pairing to a logged-in connection
// as a device of number; setup adjusts the client before it connects.
func link(t *testing.T, s *Server, number string, setup ...func(*client)) (*client, types.JID) {
	t.Helper()
	ctx := context.Background()
	c := newClient(t, s, t.TempDir())
	for _, f := range setup {
		f(c)
	}
	qr, err := c.GetQRChannel(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Connect())
	jid, err := s.Scan(ctx, nextCode(t, qr).Code, number)
	require.NoError(t, err)
	require.Equal(t, jid, next[*events.PairSuccess](t, c).ID)
	next[*events.Connected](t, c)
	require.True(t, s.Connected(jid))
	return c, jid
}

// nextCode returns the next QR code the channel shows.
func nextCode(t *testing.T, qr <-chan whatsmeow.QRChannelItem) whatsmeow.QRChannelItem {
	t.Helper()
	select {
	case item := <-qr:
		require.Equal(t, whatsmeow.QRChannelEventCode, item.Event, "QR channel item %+v", item)
		return item
	case <-time.After(wait):
		t.Fatalf("no QR code within %s", wait)
		return whatsmeow.QRChannelItem{}
	}
}
