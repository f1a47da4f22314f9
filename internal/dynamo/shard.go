package dynamo

import (
	"context"
	"fmt"
)

// Attributes of shard assignment: an instance's shard, and each shard's
// load item (SHARD#<n> / LOAD) counting the instances assigned to it,
// moved in the transactions that create and delete instances.
// Instances made before shards existed have no attrShard (shard 0) and
// are not counted.
const (
	attrShard = "shard"
	attrCount = "count"
)

func shardLoadKey(shard int) item { return key(fmt.Sprintf("SHARD#%d", shard), "LOAD") }

// ShardLoads implements gateway.ShardLoads: the instances assigned to
// each of shards 0..n-1, one strongly consistent read each (n is at most
// the stack's 14 shards; instance creation is rare).
func (s *Store) ShardLoads(ctx context.Context, n int) ([]int, error) {
	out := make([]int, n)
	for i := range out {
		it, _, err := s.get(ctx, shardLoadKey(i))
		if err != nil {
			return nil, fmt.Errorf("load of shard %d: %w", i, err)
		}
		out[i] = int(getInt(it, attrCount))
	}
	return out, nil
}
