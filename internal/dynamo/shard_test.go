package dynamo

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/tenant"
)

// TestShardLoads: an instance keeps the shard it was created on, and
// each shard's load counts its instances, in the transactions that
// create and delete them.
func TestShardLoads(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	t0 := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	require.NoError(t, s.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: t0}))
	loads, err := s.ShardLoads(ctx, 3)
	require.NoError(t, err)
	require.Equal(t, []int{0, 0, 0}, loads)
	for i, shard := range []int{2, 0, 2} {
		n, err := instance.ParseName("acme__c__i" + string(rune('0'+i)))
		require.NoError(t, err)
		require.NoError(t, s.CreateInstance(ctx, instance.Instance{Name: n, WebhookURL: "https://hooks.example.com/x",
			WebhookSecret: "0123456789abcdef", State: instance.StateClose, CreatedAt: t0, Shard: shard}))
	}
	in, err := s.GetInstance(ctx, "acme__c__i2")
	require.NoError(t, err)
	require.Equal(t, 2, in.Shard)
	loads, err = s.ShardLoads(ctx, 3)
	require.NoError(t, err)
	require.Equal(t, []int{1, 0, 2}, loads)
	_, err = s.DeleteInstance(ctx, "acme__c__i0", t0)
	require.NoError(t, err)
	loads, err = s.ShardLoads(ctx, 3)
	require.NoError(t, err)
	require.Equal(t, []int{1, 0, 1}, loads)
}
