// Package gateway holds the use cases behind the public API: tenants and
// keys, instances, sending and reading messages, and monitoring. It knows
// nothing of HTTP or of which adapters it runs on; it declares the ports it
// needs (port.go) and returns fault errors that the HTTP layer maps.
package gateway

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/netguard"
)

// ErrIdempotencyReplay is returned by MessageStore.CreateMessage when the
// idempotency key was already used; the service then replays.
var ErrIdempotencyReplay = errors.New("idempotency key already used")

// idempotencyTTL is how long a send's Idempotency-Key is remembered.
const idempotencyTTL = 24 * time.Hour

// Service implements the gateway's use cases.
type Service struct {
	store   Store
	shards  *shards // the lane queues of each shard (shard.go)
	clock   clock.Clock
	urls    netguard.Policy
	log     *slog.Logger
	started time.Time
	newID   func() string
	keys    keyCache
	sched   Scheduler
	// onEvent wakes the dispatcher after events were stored or made due.
	onEvent func()
}

// Config wires a Service.
type Config struct {
	Store  Store
	Queues map[lane.Lane]Enqueuer // one per lane (shard 0's)
	// ExtraShards are the lane queues of shards 1, 2, ... on AWS with
	// several shards; the Store must then implement ShardLoads. New
	// instances go to the least loaded shard, and each instance's work to
	// its shard's queues.
	ExtraShards []map[lane.Lane]Enqueuer
	Clock       clock.Clock
	URLs        netguard.Policy
	Log         *slog.Logger
	// Scheduler, optional, lets POST /message/send pick the instance
	// that can send soonest.
	Scheduler Scheduler
	// OnEvent, optional, is called after events were stored or a delivery
	// was made due again, to wake the dispatcher.
	OnEvent func()
}

// New returns a Service, or an error if cfg is incomplete.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Clock == nil || cfg.Log == nil {
		return nil, errors.New("gateway: store, clock and logger are required")
	}
	sh := &shards{queues: append([]map[lane.Lane]Enqueuer{cfg.Queues}, cfg.ExtraShards...), store: cfg.Store, clock: cfg.Clock}
	for n, qs := range sh.queues {
		for _, l := range lane.All() {
			if qs[l] == nil {
				return nil, fmt.Errorf("gateway: no queue for lane %s of shard %d", l, n)
			}
		}
	}
	if sh.count() > 1 {
		loads, ok := cfg.Store.(ShardLoads)
		if !ok {
			return nil, errors.New("gateway: several shards need a store that counts their instances (ShardLoads)")
		}
		sh.loads = loads
	}
	return &Service{
		store:   cfg.Store,
		shards:  sh,
		clock:   cfg.Clock,
		urls:    cfg.URLs,
		log:     cfg.Log,
		started: cfg.Clock.Now(),
		newID:   func() string { return uuid.NewString() },
		sched:   cfg.Scheduler,

		onEvent: cfg.OnEvent,
	}, nil
}
