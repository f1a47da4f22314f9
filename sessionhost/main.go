// Command sessionhost is the gateway's long-running process. With
// GATEWAY_TABLE set it is the AWS session host (ECS Fargate): WhatsApp
// sessions fed by the SQS lane queues, state in DynamoDB, events to
// EventBridge, no inbound connections. Without it, it is the local
// all-in-one gateway: the public HTTP API, state, lane queues, sessions
// and webhooks in one process on one SQLite file. `sessionhost admin ...`
// manages tenants and keys of that file; `sessionhost health` asks the
// running process whether it is healthy (the container health check, in
// either shape); `sessionhost help` says all this.
package main

import (
	"context"
	"fmt"
	"github.com/wagateway/wagateway/internal/local"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/health"
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
		case "health":
			return runHealth(ctx, getenv, stderr)
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
		if err := runAWS(ctx, getenv, stdout, stderr); err != nil {
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
	if err := local.Run(ctx, cfg, stdout, log, nil); err != nil {
		log.Error("sessionhost stopped", "err", err.Error())
		return exitError
	}
	return exitOK
}

// healthTimeout bounds `sessionhost health`, within the 5 s the
// container health check allows it.
const healthTimeout = 3 * time.Second

// runHealth is `sessionhost health`: it GETs the running process's
// /health (the AWS session host's loopback listener, or the local
// gateway's API) and exits 0 on 200, 1 otherwise, saying why in one line
// on stderr. The image has no shell or curl, so the container health
// check runs this.
func runHealth(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	url, err := healthURL(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "sessionhost health:", err)
		return exitError
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	// No proxy (the target is loopback) and no redirects (only a 200
	// from the target itself counts).
	client := &http.Client{Transport: &http.Transport{Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()
	if err := health.Probe(ctx, client, url); err != nil {
		fmt.Fprintln(stderr, "sessionhost", err)
		return exitError
	}
	return exitOK
}

// healthURL is the /health the running process serves: the AWS session
// host's health listener (GATEWAY_HEALTH_ADDR) with GATEWAY_TABLE set,
// else the local gateway's API (GATEWAY_ADDR).
func healthURL(getenv func(string) string) (string, error) {
	if config.AWSMode(getenv) {
		addr, err := config.HealthAddr(getenv)
		if err != nil {
			return "", err
		}
		return "http://" + addr + "/health", nil
	}
	cfg, err := config.LocalFromEnv(getenv)
	if err != nil {
		return "", fmt.Errorf("configuration: %w", err)
	}
	addr, err := dialAddr(cfg.Addr)
	if err != nil {
		return "", err
	}
	return "http://" + addr + "/health", nil
}

// dialAddr turns a listen address into one to connect to from the same
// host: a wildcard (empty, 0.0.0.0, ::) becomes 127.0.0.1. Go listens on
// :: dual-stack, so the IPv4 loopback reaches it too, and a container
// may have no IPv6 loopback at all.
func dialAddr(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("GATEWAY_ADDR %q: want host:port", listen)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
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
  sessionhost health      ask the running gateway's GET /health; exit 0 if it
                          answers 200 within 3 s, else 1 with the reason on
                          stderr (the container health check; no shell needed)
  sessionhost help        print this text (also -h, --help)

health: the local gateway answers GET /health on GATEWAY_ADDR (0.0.0.0 and
:: are asked on 127.0.0.1). The AWS session host serves no API: it answers
GET /health on a loopback-only listener, 200 while each of its pollers (the
three lane queues, the command queue, the outbox relay) has polled
successfully within 2 minutes, else 503 naming the stale ones. It also
writes its outbox lag to stdout as a CloudWatch metric (EMF): namespace
WaGateway, OutboxLagSeconds (the worst of each minute), dimension Table.

environment of the AWS session host's health check (unset: the default shown):
`)
	fmt.Fprintf(&b, "  %s=%s\n", config.HealthVar.Name, config.HealthVar.Default)
	for _, line := range wrap(config.HealthVar.Meaning, 68) {
		fmt.Fprintf(&b, "      %s\n", line)
	}
	b.WriteString(`
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
