package local

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"go.mau.fi/whatsmeow/store/sqlstore"
	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/httpapi"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sandbox"
	"github.com/wagateway/wagateway/internal/sqlite"
	"github.com/wagateway/wagateway/internal/whatsapp"
)

// sandboxPhone adapts the sandbox network to the API's sandbox routes.
type sandboxPhone struct{ *sandbox.Network }

func (s sandboxPhone) Sent(inst string) []httpapi.SandboxSent {
	recs := s.Network.Sent(inst)
	out := make([]httpapi.SandboxSent, 0, len(recs))
	for _, r := range recs {
		out = append(out, httpapi.SandboxSent{Outbound: r.Outbound, SentAt: r.SentAt, Edit: r.Edit, Revoke: r.Revoke})
	}
	return out
}

// sessionParts are the session host and what the API needs of it.
type sessionParts struct {
	host    *host.Host
	sandbox httpapi.Sandbox
	close   func() // releases the driver's resources after the host stopped
}

// newSessions builds the session host for the configured driver: the
// sandbox network, or real WhatsApp with whatsmeow's device keys in its
// own tables of the gateway's SQLite file (dbPath).
func newSessions(ctx context.Context, cfg config.Local, opts Options, dbPath string, store *sqlite.Store, queues map[lane.Lane]*sqlite.Queue,
	mediaStore host.MediaStore, clk clock.Clock, log *slog.Logger, onEvent func()) (*sessionParts, error) {
	events := driver.NewDeferred()
	parts := &sessionParts{close: func() {}}
	var drv host.Driver
	switch cfg.Driver {
	case config.DriverSandbox:
		network := sandbox.New(events, clk, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
		drv, parts.sandbox = network, sandboxPhone{network}
	default:
		wa, closeDB, err := openWhatsmeow(ctx, dbPath, opts.WhatsAppHTTPClient, events, clk, log)
		if err != nil {
			return nil, err
		}
		drv = wa
		parts.close = func() { wa.Close(); closeDB() }
	}
	recv := map[lane.Lane]host.Receiver{}
	for l, q := range queues {
		recv[l] = q
	}
	h, err := host.New(host.Config{
		Driver: drv, Store: store, Queues: recv, Clock: clk, Log: log, DelayScale: cfg.LaneDelayScale, OnEvent: onEvent,
		Fetcher: media.New(media.Options{Policy: netguard.Policy{AllowLoopback: true}}),
		Media:   mediaStore, PublicURL: cfg.PublicURL, Retention: cfg.MediaRetention(),
	})
	if err != nil {
		parts.close()
		return nil, err
	}
	events.Bind(h)
	parts.host = h
	return parts, nil
}

// openWhatsmeow opens the whatsmeow driver on the gateway's SQLite file:
// whatsmeow's own SQL store (its whatsmeow_* tables) and the instance
// bindings, through a connection pool of their own that waits for the
// gateway's writer instead of failing on a busy database. Its transactions
// take the write lock when they begin (_txlock=immediate): whatsmeow's
// read-then-write transactions (decrypting a message saves the session)
// would otherwise fail at once with SQLITE_BUSY, busy_timeout or not,
// whenever another connection wrote since their first read.
func openWhatsmeow(ctx context.Context, dbPath string, httpClient *http.Client, events driver.Events, clk clock.Clock, log *slog.Logger) (*whatsapp.Driver, func(), error) {
	dsn := "file:" + (&url.URL{Path: dbPath}).EscapedPath() +
		"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open the whatsmeow store: %w", err)
	}
	container := sqlstore.NewWithDB(db, "sqlite", waLog.Noop)
	if err := container.Upgrade(ctx); err != nil {
		_ = db.Close()
		return nil, nil, fmt.Errorf("migrate the whatsmeow store: %w", err)
	}
	bindings, err := whatsapp.NewSQLiteBindings(ctx, db)
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	tmp, err := mediaTempDir(filepath.Dir(dbPath))
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	drv, err := whatsapp.New(whatsapp.Config{Devices: container, Bindings: bindings, Events: events, Clock: clk, Log: log,
		HTTPClient: httpClient, TempDir: tmp})
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return drv, func() { _ = db.Close() }, nil
}

// mediaTempDir is where the whatsmeow driver downloads inbound media
// before the host stores it: under the data directory, and emptied at
// start, so that downloads a crash cut off (up to 100 MB each) do not
// pile up. The data directory's lock says no other process uses it.
func mediaTempDir(dataDir string) (string, error) {
	dir := filepath.Join(dataDir, "tmp")
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("clear %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	return dir, nil
}
