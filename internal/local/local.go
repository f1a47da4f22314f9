package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/dispatch"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/httpapi"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/mediastore"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sqlite"
	"github.com/wagateway/wagateway/internal/tenant"
	"github.com/wagateway/wagateway/internal/webhook"
)

// AdminKeySetting holds the hash of a generated operator key.
const AdminKeySetting = "admin_key_hash"

// App is the wired local gateway.
type App struct {
	DB      *sqlite.DB
	Store   *sqlite.Store
	Queues  map[string]*sqlite.Queue // by lane
	Service *gateway.Service
	Handler http.Handler
	Host    *host.Host      // nil without a driver
	Sandbox httpapi.Sandbox // nil unless the sandbox driver runs
	Media   *mediastore.Dir // inbound media, under the data directory

	dispatcher  *dispatch.Dispatcher
	closeDriver func() // after the host stopped
}

// Options are what tests inject beyond the configuration.
type Options struct {
	// WhatsAppHTTPClient carries the whatsmeow driver's websocket and
	// media traffic (tests point it at a fake WhatsApp server).
	WhatsAppHTTPClient *http.Client
	// Clock replaces the real clock everywhere (tests of retention jump
	// it ahead); nil is clock.Real.
	Clock clock.Clock
}

// Open opens the data dir and wires the local adapters. out receives
// the one-time secrets (generated operator key, demo API key) on the first
// start, and how to make new ones on the next.
func Open(ctx context.Context, cfg config.Local, out io.Writer, log *slog.Logger) (*App, error) {
	return OpenWith(ctx, cfg, out, log, Options{})
}

// OpenWith is Open with test injections.
func OpenWith(ctx context.Context, cfg config.Local, out io.Writer, log *slog.Logger, opts Options) (*App, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "gateway.db"))
	if err != nil {
		return nil, err
	}
	var clk clock.Clock = clock.Real{}
	if opts.Clock != nil {
		clk = opts.Clock
	}
	queues := map[lane.Lane]gateway.Enqueuer{}
	byLane := map[lane.Lane]*sqlite.Queue{}
	laneQueues := map[string]*sqlite.Queue{}
	for _, l := range lane.All() {
		q := sqlite.NewQueue(db, "lane-"+string(l), clk)
		queues[l], byLane[l], laneQueues[string(l)] = q, q, q
	}
	store := sqlite.NewStore(db, byLane)
	scale := 1.0
	if cfg.Driver == config.DriverSandbox {
		scale = cfg.WebhookRetryScale
	}
	disp := dispatch.New(dispatch.Config{Store: store, Clock: clk, Log: log, RetryScale: scale,
		Client: webhook.New(webhook.Options{Policy: netguard.Policy{AllowLoopback: true}})})
	inbound, err := mediastore.NewDir(filepath.Join(cfg.DataDir, "media"), cfg.MediaRetention(), clk)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	parts, err := newSessions(ctx, cfg, opts, filepath.Join(cfg.DataDir, "gateway.db"), store, byLane, inbound, clk, log, disp.Wake)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	gc := gateway.Config{Store: store, Queues: queues, Clock: clk, Log: log, URLs: netguard.Policy{AllowLoopback: true},
		OnEvent: disp.Wake}
	if parts.host != nil {
		gc.Scheduler = parts.host
	}
	svc, err := gateway.New(gc)
	if err != nil {
		parts.close()
		_ = db.Close()
		return nil, err
	}
	app := &App{DB: db, Store: store, Queues: laneQueues, Service: svc, dispatcher: disp, closeDriver: parts.close,
		Media: inbound}
	err = app.operatorKey(ctx, cfg, out)
	if err == nil {
		err = app.seedDemo(ctx, cfg, out)
	}
	if err != nil {
		parts.close()
		_ = db.Close()
		return nil, err
	}
	hc := httpapi.Config{
		Service: svc, OperatorKey: app.operatorKeyHash(cfg), Clock: clk, Log: log,
		RatePerSecond: cfg.RatePerSecond, RateBurst: cfg.RateBurst, Sandbox: parts.sandbox, Media: inbound,
	}
	if parts.host != nil {
		app.Host, hc.Sessions = parts.host, parts.host
	}
	app.Sandbox = parts.sandbox
	app.Handler = httpapi.New(hc)
	return app, nil
}

// operatorKey makes sure there is an operator key: the configured one, or
// one generated on first start, printed once and kept only as a hash
// (`sessionhost admin operator-key` replaces it). A later start says how
// to make a new one.
func (a *App) operatorKey(ctx context.Context, cfg config.Local, out io.Writer) error {
	if cfg.AdminKey != "" {
		return nil
	}
	_, ok, err := a.Store.Setting(ctx, AdminKeySetting)
	if err != nil {
		return err
	}
	if ok {
		fmt.Fprintf(out, "Operator key: shown on first start, kept only as a hash. A new one: %s (or set GATEWAY_ADMIN_KEY)\n",
			Command(cfg, "admin operator-key"))
		return nil
	}
	key, err := tenant.NewAdminKey()
	if err != nil {
		return fmt.Errorf("generate operator key: %w", err)
	}
	if err := a.Store.PutSetting(ctx, AdminKeySetting, tenant.Hash(key)); err != nil {
		return fmt.Errorf("store operator key: %w", err)
	}
	fmt.Fprintf(out, "Operator key (header x-admin-key), shown only this once:\n  %s\n", key)
	return nil
}

// seedDemo creates the demo tenant and a key on a fresh data dir, so a
// newcomer can follow the quickstart at once. A later start, while the
// demo tenant exists, says how to make a new key for it.
func (a *App) seedDemo(ctx context.Context, cfg config.Local, out io.Writer) error {
	n, err := a.Store.CountTenants(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		demo, err := a.Store.HasTenant(ctx, "demo")
		if demo {
			fmt.Fprintf(out, "Tenant \"demo\" exists; its API key was shown on first start. A new one: %s\n",
				Command(cfg, "admin key create demo"))
		}
		return err
	}
	if _, err := a.Service.CreateTenant(ctx, "demo"); err != nil {
		return fmt.Errorf("create demo tenant: %w", err)
	}
	key, _, err := a.Service.CreateKey(ctx, "demo")
	if err != nil {
		return fmt.Errorf("create demo key: %w", err)
	}
	fmt.Fprintf(out, "Tenant \"demo\" created. Its API key (header apikey), shown only this once:\n  %s\n", key)
	return nil
}

// operatorKey is the handler's OperatorKey: GATEWAY_ADMIN_KEY if set,
// else the stored hash, read on each operator request (they are few, and
// it is one row by primary key), so `sessionhost admin operator-key` run
// from another process takes effect at once.
func (a *App) operatorKeyHash(cfg config.Local) httpapi.OperatorKey {
	if cfg.AdminKey != "" {
		return httpapi.FixedOperatorKey(tenant.Hash(cfg.AdminKey))
	}
	return func(ctx context.Context) ([]byte, bool, error) { return a.Store.Setting(ctx, AdminKeySetting) }
}

// housekeepingInterval is how often expired records are purged.
const housekeepingInterval = 10 * time.Minute

// housekeeping purges expired idempotency keys, received messages and
// inbound media until ctx ends.
func (a *App) Housekeeping(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(housekeepingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.Store.PurgeIdempotency(ctx, time.Now()); err != nil {
				log.Warn("purge idempotency keys", "err", err.Error())
			} else if n > 0 {
				log.Debug("purged idempotency keys", "count", n)
			}
			if n, err := a.Store.PurgeReceived(ctx, time.Now()); err != nil {
				log.Warn("purge received messages", "err", err.Error())
			} else if n > 0 {
				log.Debug("purged received messages", "count", n)
			}
			if n, err := a.Media.Sweep(ctx); err != nil {
				log.Warn("sweep inbound media", "err", err.Error())
			} else if n > 0 {
				log.Debug("swept inbound media", "count", n)
			}
		}
	}
}

// releaseInFlight hands back at once the lane messages and send claims a
// previous process held when it died (the data directory's lock says no
// other process is alive), so no instance waits out their visibility
// before sending again and no message stays out of a flush's reach. A
// failure only costs that wait, so it is logged, not fatal.
func (a *App) releaseInFlight(ctx context.Context, log *slog.Logger) {
	if n, err := a.Store.ReleaseSendClaims(ctx); err != nil {
		log.Warn("release send claims of the previous process", "err", err.Error())
	} else if n > 0 {
		log.Info("released send claims of the previous process", "count", n)
	}
	for l, q := range a.Queues {
		n, err := q.ReleaseInFlight(ctx)
		if err != nil {
			log.Warn("release lane messages held by the previous process", "lane", l, "err", err.Error())
		} else if n > 0 {
			log.Info("released lane messages held by the previous process", "lane", l, "count", n)
		}
	}
}

// startHost runs the session host and the webhook dispatcher until ctx
// ends; the returned channel closes once both have stopped.
func (a *App) StartHost(ctx context.Context, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.dispatcher.Run(ctx)
	}()
	if a.Host != nil {
		a.releaseInFlight(ctx, log)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.Host.Run(ctx); err != nil {
				log.Error("session host stopped", "err", err.Error())
			}
		}()
	}
	go func() {
		wg.Wait()
		a.closeDriver()
		close(done)
	}()
	return done
}

// Run serves the local gateway until ctx ends. ready, if not nil,
// receives the bound address once the listener is up.
func Run(ctx context.Context, cfg config.Local, out io.Writer, log *slog.Logger, ready chan<- string) error {
	for _, ig := range cfg.Ignored {
		log.Warn("setting ignored", "var", ig.Var, "why", ig.Why)
	}
	// Listen before anything is created: a start that printed the
	// one-time keys and then failed to listen would lose them.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		if sqlite.InUse(filepath.Join(cfg.DataDir, "gateway.db")) {
			return fmt.Errorf("listen %s: %w (a gateway already runs on %s)", cfg.Addr, err, cfg.DataDir)
		}
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	cfg = cfg.WithListener(ln.Addr().String())
	app, err := Open(ctx, cfg, out, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer app.DB.Close()
	srv := &http.Server{
		Handler:           app.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	// Everything started here stops and is waited for before Run
	// returns, on an error too.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }() // ends with srv.Shutdown or ln's close below
	defer ln.Close()
	var housekeeping sync.WaitGroup
	housekeeping.Go(func() { app.Housekeeping(ctx, log) })
	hostDone := app.StartHost(ctx, log)
	defer func() {
		stop()
		housekeeping.Wait()
		<-hostDone
	}()
	log.Info("gateway listening", "addr", ln.Addr().String(), "dataDir", cfg.DataDir, "driver", cfg.Driver)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	<-hostDone
	log.Info("gateway stopped")
	return nil
}
