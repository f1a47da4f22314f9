// Command sessionhost is the gateway's long-running process. With
// GATEWAY_TABLE set it is the AWS session host (ECS Fargate): WhatsApp
// sessions fed by the SQS lane queues, state in DynamoDB, events to
// EventBridge, no inbound connections. Without it, it is the local
// all-in-one gateway: the public HTTP API, state, lane queues, sessions
// and webhooks in one process on one SQLite file. `sessionhost admin ...`
// manages tenants and keys of that file; `sessionhost help` says all this.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/whatsapp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the gateway or an admin command failed
	exitUsage = 2 // wrong arguments or configuration
)

// run is main on its arguments (without the program name) and
// environment; it returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	admin := false
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage())
			return exitOK
		case "admin":
			admin = true
		default:
			fmt.Fprintf(stderr, "sessionhost: unknown argument %q\n\n%s", args[0], usage())
			return exitUsage
		}
	}
	if config.AWSMode(getenv) {
		if admin {
			fmt.Fprintln(stderr, "sessionhost admin: GATEWAY_TABLE is set (the AWS shape); the admin commands manage the "+
				"local gateway's data directory. On AWS use the /admin routes of the API with the operator key.")
			return exitUsage
		}
		whatsapp.RouteSignalLogs(slog.New(slog.NewJSONHandler(stderr, nil)))
		if err := runAWS(ctx, getenv, stderr); err != nil {
			fmt.Fprintln(stderr, "sessionhost:", err)
			return exitError
		}
		return exitOK
	}
	cfg, err := config.LocalFromEnv(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "configuration:", err)
		return exitUsage
	}
	if admin {
		return runAdmin(ctx, cfg, args[1:], stdout, stderr)
	}
	log := newLogger(cfg, stderr)
	whatsapp.RouteSignalLogs(log)
	if err := runLocal(ctx, cfg, stdout, log, nil); err != nil {
		log.Error("sessionhost stopped", "err", err.Error())
		return exitError
	}
	return exitOK
}

func newLogger(cfg config.Local, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// usage is the text of `sessionhost help`.
func usage() string {
	var b strings.Builder
	b.WriteString(`sessionhost: the WhatsApp gateway's long-running process.

Without GATEWAY_TABLE it is the local all-in-one gateway (make run): the
HTTP API, state, lane queues, WhatsApp sessions and webhooks in one process
on one SQLite file. On its first start it creates the tenant "demo" and
prints its API key and an operator key, once. With GATEWAY_TABLE set it is
the session host of the AWS shape, configured as the README ("On AWS") says.

usage:
  sessionhost             run the gateway until interrupted (SIGINT, SIGTERM)
  sessionhost admin ...   manage tenants and keys of its data directory (below)
  sessionhost help        print this text (also -h, --help)

environment of the local gateway (unset: the default shown):
`)
	for _, v := range config.LocalVars {
		def := v.Default
		if def == "" {
			def = "(unset)"
		}
		fmt.Fprintf(&b, "  %s=%s\n", v.Name, def)
		for _, line := range wrap(v.Meaning, 68) {
			fmt.Fprintf(&b, "      %s\n", line)
		}
	}
	b.WriteString("\n")
	b.WriteString(adminUsage())
	return b.String()
}

// wrap breaks s into lines of at most width characters, between words.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
