package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/wagateway/wagateway/internal/local"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sqlite"
	"github.com/wagateway/wagateway/internal/tenant"
)

// adminUsage is the text of `sessionhost admin --help`, and what a wrong
// admin command prints.
func adminUsage() string {
	return fmt.Sprintf(`usage: sessionhost admin <command> [--quiet]

Manages the tenants and keys of the local gateway's data directory
(GATEWAY_DATA_DIR, default %[1]s), also while a gateway runs on it. It
opens the database the gateway made there and never creates one: start the
gateway on the directory once first. (So a mistyped GATEWAY_DATA_DIR fails
instead of making keys that no gateway serves.)

commands:
  sessionhost admin tenant create <tenantId>
      create a tenant
  sessionhost admin key create <tenantId>
      make an API key (header apikey) for the tenant; it works at once
  sessionhost admin key delete <tenantId> <keyId>
      delete an API key; a running gateway refuses it within %[2]s
  sessionhost admin operator-key
      make a new operator key (header x-admin-key) in place of the stored
      one; a running gateway takes it at once and refuses the old one.
      Refused when GATEWAY_ADMIN_KEY is set: that variable is the key then.

  --quiet, -q
      print only the new key (key create, operator-key), on one line, and
      nothing for the other commands; for scripts:
        KEY=$(go run ./sessionhost admin key create demo --quiet)

A key is shown only when it is made; the database keeps only its hash.
Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 wrong
arguments.
`, config.DefaultDataDir, gateway.KeyCacheTTL)
}

// runAdmin is the operator CLI: the same operations as the /admin routes,
// run directly on the local data dir, safe next to a running gateway (it
// opens the database with sqlite.OpenExisting: no lock, no migration, no
// demo tenant, no sessions). It returns the exit code.
func runAdmin(ctx context.Context, cfg config.Local, args []string, stdout, stderr io.Writer) int {
	quiet := false
	var words []string
	for i, a := range args {
		switch {
		case a == "-h" || a == "--help" || a == "-help" || (i == 0 && a == "help"):
			fmt.Fprint(stdout, adminUsage())
			return exitOK
		case a == "-q" || a == "--quiet":
			quiet = true
		case strings.HasPrefix(a, "-"): // no tenant or key id starts with one
			fmt.Fprintf(stderr, "sessionhost admin: unknown flag %q\n\n%s", a, adminUsage())
			return exitUsage
		default:
			words = append(words, a)
		}
	}
	is := func(n int, prefix ...string) bool {
		if len(words) != n {
			return false
		}
		for i, p := range prefix {
			if words[i] != p {
				return false
			}
		}
		return true
	}
	var cmd func(ctx context.Context, a *adminTool) error
	switch {
	case is(3, "tenant", "create"):
		cmd = func(ctx context.Context, a *adminTool) error {
			if _, err := a.svc.CreateTenant(ctx, words[2]); err != nil {
				return err
			}
			if !quiet {
				fmt.Fprintf(stdout, "tenant %s created\n", words[2])
			}
			return nil
		}
	case is(3, "key", "create"):
		cmd = func(ctx context.Context, a *adminTool) error {
			plain, k, err := a.svc.CreateKey(ctx, words[2])
			if err != nil {
				return err
			}
			if quiet {
				fmt.Fprintln(stdout, plain)
				return nil
			}
			fmt.Fprintf(stdout, "API key of tenant %q (header apikey), shown only this once:\n  %s\n", words[2], plain)
			fmt.Fprintf(stdout, "Its id is %s; to delete it: %s\n", k.ID, local.Command(cfg, "admin key delete", words[2], k.ID))
			return nil
		}
	case is(4, "key", "delete"):
		cmd = func(ctx context.Context, a *adminTool) error {
			if err := a.svc.DeleteKey(ctx, words[2], words[3]); err != nil {
				return err
			}
			if !quiet {
				fmt.Fprintf(stdout, "key %s deleted\n", words[3])
			}
			return nil
		}
	case is(1, "operator-key"):
		if cfg.AdminKey != "" {
			fmt.Fprintln(stderr, "sessionhost admin operator-key: GATEWAY_ADMIN_KEY is set, and the operator key is that "+
				"variable's value; to change it, change the variable and restart the gateway (or unset it to use a "+
				"key made here).")
			return exitError
		}
		cmd = func(ctx context.Context, a *adminTool) error {
			key, err := tenant.NewAdminKey()
			if err != nil {
				return fmt.Errorf("generate operator key: %w", err)
			}
			if err := a.store.PutSetting(ctx, local.AdminKeySetting, tenant.Hash(key)); err != nil {
				return fmt.Errorf("store operator key: %w", err)
			}
			if quiet {
				fmt.Fprintln(stdout, key)
				return nil
			}
			fmt.Fprintf(stdout, "Operator key (header x-admin-key), shown only this once:\n  %s\n", key)
			fmt.Fprintln(stdout, "It replaces the previous one, also on a running gateway (one started with "+
				"GATEWAY_ADMIN_KEY keeps using that).")
			return nil
		}
	default:
		fmt.Fprint(stderr, adminUsage())
		return exitUsage
	}

	a, err := openAdminTool(ctx, cfg, newAdminLogger(cfg, stderr))
	if err == nil {
		defer a.db.Close()
		err = cmd(ctx, a)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sessionhost admin %s: %v\n", strings.Join(words, " "), err)
		return exitError
	}
	return exitOK
}

// adminTool is what the admin commands use of the data dir.
type adminTool struct {
	db    *sqlite.DB
	store *sqlite.Store
	svc   *gateway.Service
}

// openAdminTool opens the existing database of cfg.DataDir next to the
// gateway that may run on it.
func openAdminTool(ctx context.Context, cfg config.Local, log *slog.Logger) (*adminTool, error) {
	db, err := sqlite.OpenExisting(ctx, filepath.Join(cfg.DataDir, "gateway.db"))
	if errors.Is(err, sqlite.ErrNoDatabase) {
		return nil, fmt.Errorf("no gateway database in %s (GATEWAY_DATA_DIR): start the gateway on it once "+
			"(go run ./sessionhost), or set GATEWAY_DATA_DIR to the directory a gateway runs on", cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	clk := clock.Real{}
	queues := map[lane.Lane]gateway.Enqueuer{}
	for _, l := range lane.All() {
		queues[l] = sqlite.NewQueue(db, "lane-"+string(l), clk) // the service requires them; no command sends
	}
	store := sqlite.NewStore(db, nil)
	svc, err := gateway.New(gateway.Config{Store: store, Queues: queues, Clock: clk, Log: log,
		URLs: netguard.Policy{AllowLoopback: true}})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return &adminTool{db: db, store: store, svc: svc}, nil
}

// newAdminLogger logs warnings and errors only (at least): a command
// prints what it did itself, so the service's info lines would repeat it.
func newAdminLogger(cfg config.Local, w io.Writer) *slog.Logger {
	cfg.LogLevel = max(cfg.LogLevel, slog.LevelWarn)
	return newLogger(cfg, w)
}
