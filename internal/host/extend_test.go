package host_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/queue"
	"github.com/wagateway/wagateway/internal/sqlite"
)

// oneMessageQueue hands out one message once, then long-polls until the
// host stops, and records every visibility change on the fake clock.
type oneMessageQueue struct {
	clk  *clock.Fake
	body []byte

	mu       sync.Mutex
	given    bool
	receives int // calls of Receive: a second one means the first batch is held
	changes  []visibilityChange
}

type visibilityChange struct {
	at time.Time
	by time.Duration
}

var _ host.Receiver = (*oneMessageQueue)(nil)

func (q *oneMessageQueue) Receive(ctx context.Context, _ int, _, _ time.Duration) ([]queue.Delivery, error) {
	q.mu.Lock()
	q.receives++
	if !q.given {
		q.given = true
		q.mu.Unlock()
		return []queue.Delivery{{Body: q.body, Receipt: "r1", ReceiveCount: 1}}, nil
	}
	q.mu.Unlock()
	<-ctx.Done()
	return nil, ctx.Err()
}

func (q *oneMessageQueue) ChangeVisibility(_ context.Context, _ string, by time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.changes = append(q.changes, visibilityChange{at: q.clk.Now(), by: by})
	return nil
}

func (q *oneMessageQueue) Delete(context.Context, string) error { return nil }

func (q *oneMessageQueue) receiveCount() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.receives
}

func (q *oneMessageQueue) recorded() (bool, []visibilityChange) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.given, append([]visibilityChange(nil), q.changes...)
}

// TestLongWaitsAreExtendedRarely: a message that waits for hours (here:
// its instance is not linked) stays invisible throughout, each extension
// landing before the last one ends, while the extensions grow with its
// age: about two a minute at first, a handful an hour after an hour.
// SQS bills each one.
func TestLongWaitsAreExtendedRarely(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	require.NoError(t, err)
	defer db.Close()
	clk := clock.NewFake(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	byLane := map[lane.Lane]*sqlite.Queue{}
	recv := map[lane.Lane]host.Receiver{}
	enq := map[lane.Lane]gateway.Enqueuer{}
	for _, l := range lane.All() {
		q := sqlite.NewQueue(db, "lane-"+string(l), clock.Real{})
		byLane[l], recv[l], enq[l] = q, q, q
	}
	st := sqlite.NewStore(db, byLane)
	svc, err := gateway.New(gateway.Config{Store: st, Queues: enq, Clock: clock.Real{}, Log: log})
	require.NoError(t, err)
	_, err = svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	_, err = svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: mainInst,
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
	require.NoError(t, err)

	normal := &oneMessageQueue{clk: clk, body: []byte(`{"messageId":"m1","instanceName":"` + mainInst + `","to":"5491112345678","type":"text"}`)}
	recv[lane.Normal] = normal
	h, err := host.New(host.Config{Driver: &fakeDriver{open: map[string]bool{}, rebans: map[string]time.Time{}},
		Store: st, Queues: recv, Clock: clk, Log: log, Fetcher: media.New(media.Options{Policy: netguard.Policy{}})})
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = h.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	// The host receives again once it held the first batch; until then
	// the clock must not move (the message's visibility started at the
	// receive).
	require.Eventually(t, func() bool { return normal.receiveCount() >= 2 && clk.Waiters() > 0 },
		5*time.Second, time.Millisecond)
	received := clk.Now()
	// Step the clock by the extension period, each time after the
	// extender re-armed its timer (the waiter count is back).
	waiters := clk.Waiters()
	const hours = 3
	for range hours * 180 {
		clk.Advance(20 * time.Second)
		require.Eventually(t, func() bool { return clk.Waiters() == waiters }, 5*time.Second, 100*time.Microsecond)
	}

	_, changes := normal.recorded()
	visibleAt := received.Add(60 * time.Second) // the receive's visibility
	perHour := make([]int, hours)
	for _, c := range changes {
		require.True(t, c.at.Before(visibleAt), "extended at %v, after it became visible at %v", c.at, visibleAt)
		require.LessOrEqual(t, c.by, 15*time.Minute)
		visibleAt = c.at.Add(c.by)
		perHour[min(int(c.at.Sub(received)/time.Hour), hours-1)]++
	}
	t.Logf("extensions per hour: %v (extending every 20 s by 60 s: 180 an hour)", perHour)
	require.LessOrEqual(t, perHour[0], 60)
	require.LessOrEqual(t, perHour[2], 6)
}
