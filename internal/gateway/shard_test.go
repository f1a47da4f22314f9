package gateway_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sqlite"
)

// shardedStore is the SQLite store (one shard by nature) keeping the
// shard the service assigns, as the DynamoDB store does; reads counts
// the instance reads.
type shardedStore struct {
	gateway.Store
	mu     sync.Mutex
	shards map[string]int
	reads  int
}

func (s *shardedStore) CreateInstance(ctx context.Context, in instance.Instance) error {
	if err := s.Store.CreateInstance(ctx, in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shards[in.Name.String()] = in.Shard
	return nil
}

func (s *shardedStore) GetInstance(ctx context.Context, name string) (instance.Instance, error) {
	in, err := s.Store.GetInstance(ctx, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	in.Shard = s.shards[name]
	return in, err
}

func (s *shardedStore) ShardLoads(_ context.Context, n int) ([]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int, n)
	for _, sh := range s.shards {
		out[sh]++
	}
	return out, nil
}

// TestShards: new instances go to the least loaded of three shards (the
// lowest among equals), each message to its instance's shard's lane
// queue, with one read of the instance's shard per instance; an unknown
// instance is 404 and queues nothing.
func TestShards(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	clk := clock.NewFake(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC))
	st := &shardedStore{Store: plainStore{sqlite.NewStore(db, map[lane.Lane]*sqlite.Queue{})}, shards: map[string]int{}}
	qs := make([]*flakyQueue, 3)
	lanes := make([]map[lane.Lane]gateway.Enqueuer, 3)
	for i := range qs {
		qs[i] = &flakyQueue{}
		lanes[i] = map[lane.Lane]gateway.Enqueuer{lane.Urgent: qs[i], lane.Normal: qs[i], lane.Bulk: qs[i]}
	}
	svc, err := gateway.New(gateway.Config{Store: st, Clock: clk, URLs: netguard.Policy{AllowLoopback: true},
		Queues: lanes[0], ExtraShards: lanes[1:], Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	_, err = svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	var got []int
	for i := range 5 {
		in, err := svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: fmt.Sprintf("acme__c__i%d", i),
			WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
		require.NoError(t, err)
		got = append(got, in.Shard)
	}
	require.Equal(t, []int{0, 1, 2, 0, 1}, got)

	st.reads = 0
	for range 2 {
		for i := range 5 {
			in := text("hi")
			in.InstanceName = fmt.Sprintf("acme__c__i%d", i)
			_, _, err := svc.Send(ctx, "acme", in, "")
			require.NoError(t, err)
		}
	}
	require.Equal(t, []int{4, 4, 2}, []int{len(qs[0].sent), len(qs[1].sent), len(qs[2].sent)})
	require.Equal(t, 5, st.reads, "one read per instance, then remembered")
	clk.Advance(time.Minute)
	_, _, err = svc.Send(ctx, "acme", text("hi"), "")
	require.ErrorIs(t, err, fault.ErrNotFound, "acme__c__main was never created")
	in0 := text("hi")
	in0.InstanceName = "acme__c__i0"
	_, _, err = svc.Send(ctx, "acme", in0, "")
	require.NoError(t, err)
	require.Equal(t, 7, st.reads, "read again a minute later: a re-created instance may be elsewhere")
	n, err := svc.ShardOf(ctx, "acme__c__i2")
	require.NoError(t, err)
	require.Equal(t, 2, n)

	in := text("hi")
	in.InstanceName = "acme__c__nope"
	_, _, err = svc.Send(ctx, "acme", in, "")
	require.ErrorIs(t, err, fault.ErrNotFound)
	require.Equal(t, 11, len(qs[0].sent)+len(qs[1].sent)+len(qs[2].sent))

	_, err = gateway.New(gateway.Config{Store: plainStore{st.Store}, Clock: clk, Queues: lanes[0], ExtraShards: lanes[1:],
		Log: slog.New(slog.DiscardHandler)})
	require.ErrorContains(t, err, "ShardLoads")
}
