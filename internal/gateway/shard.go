package gateway

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/lane"
)

// ShardLoads is what a store with several shards offers: how many
// instances each of shards 0..n-1 has, for assigning new ones.
type ShardLoads interface {
	ShardLoads(ctx context.Context, n int) ([]int, error)
}

// leastLoaded is the shard a new instance goes to: the one with the
// fewest instances, the lowest number among equals.
func leastLoaded(loads []int) int {
	best := 0
	for i, n := range loads {
		if n < loads[best] {
			best = i
		}
	}
	return best
}

// shards routes work to an instance's shard. An instance's shard never
// changes once assigned, so it is read once and remembered for
// shardMemory: an instance deleted and created again under its name may
// land on another shard, and must be routed there within that time.
type shards struct {
	queues []map[lane.Lane]Enqueuer // by shard
	store  Store
	loads  ShardLoads // nil with one shard
	clock  clock.Clock
	mu     sync.Mutex
	of     map[string]knownShard
}

// shardMemory is how long an instance's shard is trusted as read.
const shardMemory = time.Minute

type knownShard struct {
	shard int
	until time.Time
}

// count is the number of shards.
func (sh *shards) count() int { return len(sh.queues) }

// Of returns the shard of the named instance: 0 with one shard, without
// a read; fault.ErrNotFound for an instance that does not exist.
func (sh *shards) Of(ctx context.Context, name string) (int, error) {
	if sh.count() == 1 {
		return 0, nil
	}
	now := sh.clock.Now()
	sh.mu.Lock()
	k, ok := sh.of[name]
	sh.mu.Unlock()
	if ok && now.Before(k.until) {
		return k.shard, nil
	}
	in, err := sh.store.GetInstance(ctx, name)
	if err != nil {
		return 0, err
	}
	n := in.Shard
	if n < 0 || n >= sh.count() {
		return 0, fmt.Errorf("instance %s is on shard %d, but this deployment has %d", name, n, sh.count())
	}
	sh.mu.Lock()
	sh.of[name] = knownShard{shard: n, until: now.Add(shardMemory)}
	sh.mu.Unlock()
	return n, nil
}

// queue returns the lane queue of the named instance's shard.
func (sh *shards) queue(ctx context.Context, name string, l lane.Lane) (Enqueuer, error) {
	n, err := sh.Of(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("shard of %s: %w", name, err)
	}
	return sh.queues[n][l], nil
}

// assign picks the shard of a new instance.
func (s *Service) assign(ctx context.Context) (int, error) {
	if s.shards.count() == 1 {
		return 0, nil
	}
	loads, err := s.shards.loads.ShardLoads(ctx, s.shards.count())
	if err != nil {
		return 0, fmt.Errorf("shard loads: %w", err)
	}
	return leastLoaded(loads), nil
}

// ShardOf returns the shard of the named instance (0 with one shard),
// for the session commands, which go to that shard's command queue.
func (s *Service) ShardOf(ctx context.Context, name string) (int, error) {
	n, err := s.shards.Of(ctx, name)
	if errors.Is(err, fault.ErrNotFound) {
		return 0, errInstanceNotFound
	}
	return n, err
}
