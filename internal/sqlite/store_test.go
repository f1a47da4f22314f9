package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/gateway/storetest"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/tenant"
)

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) gateway.Store { return NewStore(openQueueDB(t), nil) })
}

func TestPurgeIdempotency(t *testing.T) {
	ctx := context.Background()
	st := NewStore(openQueueDB(t), nil)
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	require.NoError(t, st.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: now}))
	n, err := instance.ParseName("acme__c__l")
	require.NoError(t, err)
	require.NoError(t, st.CreateInstance(ctx, instance.Instance{Name: n, State: instance.StateClose, CreatedAt: now}))
	for i, ttl := range []time.Duration{time.Hour, 25 * time.Hour} {
		m := message.Message{ID: fmt.Sprint("m", i), Tenant: "acme", Instance: "acme__c__l", Lane: lane.Normal,
			To: "5491112345678", Type: message.Text, Status: message.Pending, CreatedAt: now}
		rec := &gateway.Idempotency{TenantID: "acme", Key: fmt.Sprint("k", i), Status: 202, Body: []byte("{}"), ExpiresAt: now.Add(ttl)}
		require.NoError(t, st.CreateMessage(ctx, m, rec))
	}
	purged, err := st.PurgeIdempotency(ctx, now.Add(2*time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, purged)
	_, ok, err := st.GetIdempotency(ctx, "acme", "k1", now.Add(2*time.Hour))
	require.NoError(t, err)
	require.True(t, ok, "live keys stay")
}

// BenchmarkCreateAndEnqueue is the storage half of a send, from 32
// concurrent senders (as in the HTTP enqueue benchmark).
func BenchmarkCreateAndEnqueue(b *testing.B) {
	ctx := context.Background()
	db := openQueueDB(b)
	clk := clock.Real{}
	queues := map[lane.Lane]*Queue{}
	for _, l := range lane.All() {
		queues[l] = NewQueue(db, "lane-"+string(l), clk)
	}
	st := NewStore(db, queues)
	now := time.Now()
	require.NoError(b, st.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: now}))
	n, err := instance.ParseName("acme__c__l")
	require.NoError(b, err)
	require.NoError(b, st.CreateInstance(ctx, instance.Instance{Name: n, State: instance.StateClose, CreatedAt: now}))
	var seq atomic.Int64
	b.SetParallelism(16) // 16 × GOMAXPROCS(2) = 32 senders
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("%08d-0000-4000-8000-000000000000", seq.Add(1))
			m := message.Message{ID: id, Tenant: "acme", Instance: "acme__c__l", Lane: lane.Normal, To: "5491112345678",
				Type: message.Text, Content: message.Content{Text: "{Hello|Hi}, your order has shipped"}, Status: message.Pending, CreatedAt: now}
			if err := st.CreateAndEnqueue(ctx, m, nil, []byte(`{"messageId":"`+id+`","instanceName":"acme__c__l"}`)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestCloseWhileWriting: writes racing Close end with an error, never a
// panic or a data race.
func TestCloseWhileWriting(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	require.NoError(t, err)
	st := NewStore(db, nil)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				_ = st.PutSetting(context.Background(), fmt.Sprint(i, "-", j), []byte("x"))
			}
		}()
	}
	require.NoError(t, db.Close())
	wg.Wait()
	require.Error(t, st.PutSetting(context.Background(), "after", []byte("x")))
}
