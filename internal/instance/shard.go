package instance

import (
	"sync"
	"time"
)

// ShardMemory is how long an instance's shard, once read, is trusted. A
// shard never changes while the instance exists, but an instance deleted
// and created again under its name may land on another shard, and
// readers of the old one must see that within this time.
const ShardMemory = time.Minute

// Shards remembers the shards of instances as read, each for
// ShardMemory. The API (routing work to a shard) and the session hosts
// (claiming only their shard's instances) keep one each. Safe for
// concurrent use.
type Shards struct {
	mu sync.Mutex
	of map[string]knownShard
}

type knownShard struct {
	shard int
	until time.Time
}

// Get returns the shard remembered for name at now, if it is still
// trusted.
func (s *Shards) Get(name string, now time.Time) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.of[name]
	if !ok || !now.Before(k.until) {
		return 0, false
	}
	return k.shard, true
}

// Put remembers name's shard, read at now.
func (s *Shards) Put(name string, shard int, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.of == nil {
		s.of = map[string]knownShard{}
	}
	s.of[name] = knownShard{shard: shard, until: now.Add(ShardMemory)}
}
