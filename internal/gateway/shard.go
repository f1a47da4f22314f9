package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
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

// shards routes work to an instance's shard, read from the store and
// remembered (instance.Shards).
type shards struct {
	queues []map[lane.Lane]Enqueuer // by shard
	store  Store
	loads  ShardLoads // nil with one shard
	clock  clock.Clock
	known  instance.Shards
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
	if n, ok := sh.known.Get(name, now); ok {
		return n, nil
	}
	in, err := sh.store.GetInstance(ctx, name)
	if err != nil {
		return 0, err
	}
	n := in.Shard
	if n < 0 || n >= sh.count() {
		return 0, fmt.Errorf("instance %s is on shard %d, but this deployment has %d", name, n, sh.count())
	}
	sh.known.Put(name, n, now)
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
