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
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/queue"
	"github.com/wagateway/wagateway/internal/sqlite"
)

// pollQueue is a lane queue that plays SQS's long polls without a clock:
// a receive takes up to max waiting messages at once; on an empty queue
// the receiver waits until the next receiver comes (its poll "ended"
// empty then) or the host stops. So a lone receiver waits for good, and
// each extra one costs the few empty polls it would on SQS. Its bodies
// are unreadable, so the host deletes each message it receives.
type pollQueue struct {
	mu      sync.Mutex
	waiting int // messages not yet received
	inside  int // receivers in Receive now
	most    int // the most receivers in Receive at once
	calls   int
	blocked bool          // a receiver waits on the empty queue
	release chan struct{} // ends that receiver's poll
	deleted int
}

var _ host.Receiver = (*pollQueue)(nil)

func (q *pollQueue) Receive(ctx context.Context, limit int, _, _ time.Duration) ([]queue.Delivery, error) {
	q.mu.Lock()
	q.calls++
	q.inside++
	q.most = max(q.most, q.inside)
	defer func() { q.mu.Lock(); q.inside--; q.mu.Unlock() }()
	if q.waiting == 0 {
		if q.blocked {
			close(q.release)
		}
		release := make(chan struct{})
		q.blocked, q.release = true, release
		q.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-release:
			return nil, nil
		}
		q.mu.Lock()
		if q.release == release {
			q.blocked = false
		}
		q.mu.Unlock()
		return nil, ctx.Err()
	}
	n := min(limit, q.waiting)
	q.waiting -= n
	q.mu.Unlock()
	ds := make([]queue.Delivery, n)
	for i := range ds {
		ds[i] = queue.Delivery{Body: []byte("not json"), Receipt: "r", ReceiveCount: 1}
	}
	return ds, nil
}

func (q *pollQueue) ChangeVisibility(context.Context, string, time.Duration) error { return nil }

func (q *pollQueue) Delete(context.Context, string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.deleted++
	return nil
}

func (q *pollQueue) state() (deleted, inside, most, calls int, blocked bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.deleted, q.inside, q.most, q.calls, q.blocked
}

// TestReceiversFollowTheBacklog: one receiver polls a quiet lane; full
// receives start more (never over four), and they stop once the backlog
// is gone, leaving one long poll — SQS bills every empty poll.
func TestReceiversFollowTheBacklog(t *testing.T) {
	tests := []struct {
		name     string
		backlog  int
		wantMost func(int) bool
	}{
		{"quiet lane: one receiver", 0, func(most int) bool { return most == 1 }},
		{"a few messages: one receiver", 7, func(most int) bool { return most == 1 }},
		{"a backlog: more receivers, at most four", 2000, func(most int) bool { return most > 1 && most <= 4 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
			require.NoError(t, err)
			defer db.Close()
			recv := map[lane.Lane]host.Receiver{}
			byLane := map[lane.Lane]*sqlite.Queue{}
			for _, l := range lane.All() {
				q := sqlite.NewQueue(db, "lane-"+string(l), clock.Real{})
				byLane[l], recv[l] = q, q
			}
			bulk := &pollQueue{waiting: tc.backlog}
			recv[lane.Bulk] = bulk
			h, err := host.New(host.Config{Driver: &fakeDriver{open: map[string]bool{}, rebans: map[string]time.Time{}},
				Store: sqlite.NewStore(db, byLane), Queues: recv, Clock: clock.Real{},
				Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Fetcher: media.New(media.Options{Policy: netguard.Policy{}})})
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = h.Run(ctx) }()
			defer func() { cancel(); <-done }()

			// Drained, and down to the one long poll.
			require.Eventually(t, func() bool {
				deleted, inside, _, _, blocked := bulk.state()
				return deleted == tc.backlog && inside == 1 && blocked
			}, 10*time.Second, time.Millisecond)
			deleted, _, most, calls, _ := bulk.state()
			require.Equal(t, tc.backlog, deleted)
			require.True(t, tc.wantMost(most), "most receivers at once: %d", most)
			// Beyond the full receives, the empty and partial polls are a
			// few per receiver as the backlog ends (receivers racing for
			// its last messages, each extra one stopping): a constant,
			// not a share of the backlog.
			require.LessOrEqual(t, calls, tc.backlog/10+16, "receives: %d", calls)
		})
	}
}
