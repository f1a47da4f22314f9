package main

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/httpapi"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/tenant"
)

// adapters are what the API runs on: DynamoDB, the shard's SQS queues and
// the command client on AWS (newHandler); the tests pass local ones.
type adapters struct {
	store    gateway.Store
	queues   map[lane.Lane]gateway.Enqueuer
	sessions httpapi.Sessions
}

// assemble builds the public API on a, configured as on AWS: webhook and
// media URLs must be https to public addresses (no loopback), the
// operator key is kept only as its hash, and the per-tenant rate limit
// holds per execution environment (each concurrent Lambda instance keeps
// its own buckets). There are no sandbox routes: the AWS shape runs the
// real driver.
func assemble(cfg config.AWS, a adapters, clk clock.Clock, log *slog.Logger) (http.Handler, error) {
	svc, err := gateway.New(gateway.Config{Store: a.store, Queues: a.queues, Clock: clk, Log: log, URLs: netguard.Policy{}})
	if err != nil {
		return nil, fmt.Errorf("gateway service: %w", err)
	}
	return httpapi.New(httpapi.Config{
		Service: svc, AdminKeyHash: tenant.Hash(cfg.AdminKey), Clock: clk, Log: log,
		RatePerSecond: cfg.RatePerSecond, RateBurst: cfg.RateBurst, Sessions: a.sessions,
	}), nil
}
