package main

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"

	"github.com/google/uuid"

	"github.com/wagateway/wagateway/internal/cloud"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/devicestore"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/sandbox"
	"github.com/wagateway/wagateway/internal/whatsapp"
)

// runAWS runs the session host in its AWS shape (ECS Fargate) until ctx
// ends: sessions fed by the shard's SQS lane queues, state and device keys
// in DynamoDB, events relayed to EventBridge, session commands from the
// command queue, inbound media kept in the S3 media bucket. It serves no
// API: media.url points at the API (GATEWAY_PUBLIC_URL); its only
// listener is GET /health on loopback, for the container health check.
// Logs go to stderr, the outbox lag metric (EMF lines) to stdout: the
// awslogs driver ships both to CloudWatch Logs.
func runAWS(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	healthAddr, herr := config.HealthAddr(getenv)
	p, err := cloud.Load(ctx, getenv, config.ForHost, stderr)
	if err := errors.Join(err, herr); err != nil {
		return err
	}
	cfg, clients, log, clk := p.Config, p.Clients, p.Options.Log, p.Options.Clock
	events := driver.NewDeferred()
	// This process's name in the instance leases: unique per start, so a
	// restarted task is never taken for its predecessor.
	holder := "host-" + uuid.NewString()
	var drv host.Driver
	switch cfg.Driver {
	case config.DriverSandbox:
		log.Warn("the sandbox driver sends nothing to WhatsApp; use it for trials only")
		sbx := sandbox.New(events, clk, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
		// Each host has its own sandbox network; the leases they share
		// let it refuse a host acting for an instance it no longer holds.
		sbx.CheckFences(dynamo.NewLeaseStore(clients.DynamoDB, cfg.Table), log)
		drv = sbx
	default:
		// A device's key writes are checked against its instance's lease,
		// like every write the host makes for it.
		devices := devicestore.New(clients.DynamoDB, cfg.DeviceTable, nil,
			devicestore.WithFences(dynamo.NewLeaseStore(clients.DynamoDB, cfg.Table)))
		wa, err := whatsapp.New(whatsapp.Config{Devices: devices, Bindings: devices.Bindings(), Fences: devices,
			Events: events, Clock: clk, Log: log})
		if err != nil {
			return err
		}
		defer wa.Close()
		drv = wa
	}
	sh, err := cloud.NewSessionHost(cfg, clients, cloud.HostOptions{
		Options: p.Options,
		Driver:  drv, DelayScale: cfg.LaneDelayScale,
		HealthAddr: healthAddr, Metrics: stdout, Holder: holder, LeaseTTL: cfg.LeaseTTL,
	})
	if err != nil {
		return err
	}
	events.Bind(sh.Host)
	log.Info("session host started", "holder", holder, "driver", cfg.Driver, "table", cfg.Table, "mediaBucket", cfg.MediaBucket,
		"health", sh.HealthAddr())
	return sh.Run(ctx)
}
