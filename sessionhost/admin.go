package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/wagateway/wagateway/internal/config"
)

const adminUsage = `usage:
  sessionhost admin tenant create <tenantId>
  sessionhost admin key create <tenantId>
  sessionhost admin key delete <tenantId> <keyId>`

// runAdmin is the operator CLI: the same operations as the /admin routes,
// run directly on the local data dir (safe next to a running gateway).
func runAdmin(ctx context.Context, cfg config.Local, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) < 3 {
		return errors.New(adminUsage)
	}
	// The admin commands touch tenants and keys only: no sessions.
	cfg.Driver = config.DriverSandbox
	app, err := openLocal(ctx, cfg, out, log)
	if err != nil {
		return err
	}
	defer app.db.Close()
	svc := app.service
	switch {
	case args[0] == "tenant" && args[1] == "create" && len(args) == 3:
		if _, err := svc.CreateTenant(ctx, args[2]); err != nil {
			return err
		}
		fmt.Fprintf(out, "tenant %s created\n", args[2])
	case args[0] == "key" && args[1] == "create" && len(args) == 3:
		plain, k, err := svc.CreateKey(ctx, args[2])
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "keyId: %s\napikey (shown only this once): %s\n", k.ID, plain)
	case args[0] == "key" && args[1] == "delete" && len(args) == 4:
		if err := svc.DeleteKey(ctx, args[2], args[3]); err != nil {
			return err
		}
		fmt.Fprintf(out, "key %s deleted\n", args[3])
	default:
		return errors.New(adminUsage)
	}
	return nil
}
