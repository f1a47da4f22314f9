// Command sessionhost is the gateway's long-running process. With
// GATEWAY_TABLE set it is the AWS session host (ECS Fargate): WhatsApp
// sessions fed by the SQS lane queues, state in DynamoDB, events to
// EventBridge, no inbound connections. Without it, it is the local
// all-in-one gateway: the public HTTP API, state, lane queues, sessions
// and webhooks in one process on one SQLite file. `sessionhost admin ...`
// manages tenants and keys of that file.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/whatsapp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if config.AWSMode(os.Getenv) {
		whatsapp.RouteSignalLogs(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
		if err := runAWS(ctx, os.Getenv, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "sessionhost:", err)
			os.Exit(1)
		}
		return
	}
	cfg, err := config.LocalFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		os.Exit(2)
	}
	log := newLogger(cfg, os.Stderr)
	whatsapp.RouteSignalLogs(log)
	if len(os.Args) > 1 && os.Args[1] == "admin" {
		err = runAdmin(ctx, cfg, os.Args[2:], os.Stdout, log)
	} else {
		err = runLocal(ctx, cfg, os.Stdout, log, nil)
	}
	if err != nil {
		log.Error("sessionhost stopped", "err", err.Error())
		os.Exit(1)
	}
}

func newLogger(cfg config.Local, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
