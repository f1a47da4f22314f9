package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/queue"
	"github.com/wagateway/wagateway/internal/queue/queuetest"
)

var _ queuetest.Queue = (*Queue)(nil)

func openQueueDB(tb testing.TB) *DB { // a fresh database; stores use it too
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "gateway.db"))
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, db.Close()) })
	return db
}

// TestQueueConformance shares one database between the cases, a fresh
// queue name each, which also checks that named queues stay apart.
func TestQueueConformance(t *testing.T) {
	db := openQueueDB(t)
	queuetest.Run(t, func(t *testing.T) queuetest.Queue {
		return NewQueue(db, t.Name(), clock.Real{})
	})
}

func newFakeQueue(t *testing.T) (*Queue, *clock.Fake) {
	clk := clock.NewFake(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
	return NewQueue(openQueueDB(t), "lane", clk), clk
}

func receiveOne(t *testing.T, q *Queue) queue.Delivery {
	t.Helper()
	ds, err := q.Receive(t.Context(), 10, 30*time.Second, 0)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	return ds[0]
}

func requireNothing(t *testing.T, q *Queue) {
	t.Helper()
	ds, err := q.Receive(t.Context(), 10, 30*time.Second, 0)
	require.NoError(t, err)
	require.Empty(t, ds)
}

func TestQueueVisibilityExpiresOnFakeClock(t *testing.T) {
	q, clk := newFakeQueue(t)
	require.NoError(t, q.Send(t.Context(), "g", "d", []byte("m")))
	first := receiveOne(t, q)
	clk.Advance(30*time.Second - time.Millisecond)
	requireNothing(t, q)
	clk.Advance(time.Millisecond)
	again := receiveOne(t, q)
	require.Equal(t, 2, again.ReceiveCount)
	require.NotEqual(t, first.Receipt, again.Receipt)
}

func TestQueueStaleReceipts(t *testing.T) {
	ctx := t.Context()
	q, clk := newFakeQueue(t)
	require.NoError(t, q.Send(ctx, "g", "d", []byte("m")))
	expired := receiveOne(t, q)
	clk.Advance(30 * time.Second)
	require.ErrorIs(t, q.Delete(ctx, expired.Receipt), queue.ErrStaleReceipt, "after expiry")
	require.ErrorIs(t, q.ChangeVisibility(ctx, expired.Receipt, time.Minute), queue.ErrStaleReceipt)

	current := receiveOne(t, q)
	require.ErrorIs(t, q.Delete(ctx, expired.Receipt), queue.ErrStaleReceipt, "after a new delivery")
	require.NoError(t, q.Delete(ctx, current.Receipt))
	require.ErrorIs(t, q.Delete(ctx, current.Receipt), queue.ErrStaleReceipt, "after delete")
	require.ErrorIs(t, q.ChangeVisibility(ctx, current.Receipt, 0), queue.ErrStaleReceipt)
	for _, bad := range []string{"", "x", "1", "1.nope", "-3.abc"} {
		require.ErrorIs(t, q.Delete(ctx, bad), queue.ErrStaleReceipt, "receipt %q", bad)
	}
}

func TestQueueDedupWindowEnds(t *testing.T) {
	ctx := t.Context()
	q, clk := newFakeQueue(t)
	require.NoError(t, q.Send(ctx, "g", "d", []byte("one")))
	require.NoError(t, q.Delete(ctx, receiveOne(t, q).Receipt))
	clk.Advance(5*time.Minute - time.Millisecond)
	require.NoError(t, q.Send(ctx, "g", "d", []byte("dropped")))
	n, err := q.Len(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "still within the window")

	clk.Advance(time.Millisecond)
	require.NoError(t, q.Send(ctx, "g", "d", []byte("two")))
	require.Equal(t, "two", string(receiveOne(t, q).Body))
}

// TestQueueLongPollOnFakeClock shows why Receive waits on the injected
// clock: a waiting receiver sees a visibility expiry when the test advances
// time, and its wait ends on fake time, never on a real timer.
func TestQueueLongPollOnFakeClock(t *testing.T) {
	ctx := t.Context()
	q, clk := newFakeQueue(t)
	require.NoError(t, q.Send(ctx, "g", "d", []byte("m")))
	receiveOne(t, q) // in flight for 30 s

	type result struct {
		ds  []queue.Delivery
		err error
	}
	wait := func(d time.Duration) <-chan result {
		before := clk.Waiters()
		res := make(chan result, 1)
		go func() {
			ds, err := q.Receive(ctx, 1, 30*time.Second, d)
			res <- result{ds, err}
		}()
		require.Eventually(t, func() bool { return clk.Waiters() >= before+2 }, 5*time.Second, time.Millisecond)
		return res
	}

	res := wait(time.Minute)
	clk.Advance(30 * time.Second) // the re-check tick finds the expired message
	r := <-res
	require.NoError(t, r.err)
	require.Len(t, r.ds, 1)
	require.Equal(t, 2, r.ds[0].ReceiveCount)

	res = wait(20 * time.Second)
	clk.Advance(20 * time.Second) // the deadline, before the new 30 s visibility ends
	r = <-res
	require.NoError(t, r.err)
	require.Empty(t, r.ds)
}

func TestQueueLenAndNames(t *testing.T) {
	ctx := t.Context()
	db := openQueueDB(t)
	urgent := NewQueue(db, "urgent", clock.Real{})
	bulk := NewQueue(db, "bulk", clock.Real{})
	require.NoError(t, urgent.Send(ctx, "g", "d", nil))
	require.NoError(t, bulk.Send(ctx, "g", "d", []byte("b"))) // dedup ids are per queue
	require.NoError(t, bulk.Send(ctx, "g", "d2", []byte("b2")))

	d := receiveOne(t, urgent)
	require.Empty(t, d.Body)
	require.ErrorIs(t, bulk.Delete(ctx, d.Receipt), queue.ErrStaleReceipt, "a receipt of another queue")
	n, err := urgent.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "in flight still counts")
	require.NoError(t, urgent.Delete(ctx, d.Receipt))
	n, err = urgent.Len(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = bulk.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
}

func TestQueueRejectsBadArguments(t *testing.T) {
	q, _ := newFakeQueue(t)
	for _, max := range []int{0, 11} {
		_, err := q.Receive(t.Context(), max, time.Second, 0)
		require.Error(t, err, "max %d", max)
	}
	require.Error(t, q.Send(t.Context(), "", "d", nil))
	require.Error(t, q.Send(t.Context(), "g", "", nil))
}

func BenchmarkQueueSend(b *testing.B) {
	q := NewQueue(openQueueDB(b), "bench", clock.Real{})
	body := []byte(`{"messageId":"0b9f6d1e-6a55-4c1f-9d0a-3c1f2a7e9b10","instanceName":"sales-1"}`)
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if err := q.Send(context.Background(), fmt.Sprint("instance-", i%50), fmt.Sprint("msg-", i), body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestQueueReleaseInFlight: what a dead process held is receivable at once
// for the next one, in group order, and the old receipts are void; a
// message that was never received is left as it is.
func TestQueueReleaseInFlight(t *testing.T) {
	q, _ := newFakeQueue(t)
	ctx := t.Context()
	require.NoError(t, q.Send(ctx, "g1", "a", []byte("a")))
	require.NoError(t, q.Send(ctx, "g1", "b", []byte("b")))
	require.NoError(t, q.Send(ctx, "g2", "c", []byte("c")))
	ds, err := q.Receive(ctx, 1, time.Minute, 0) // g1's head only
	require.NoError(t, err)
	require.Len(t, ds, 1)
	held := ds[0]
	require.Equal(t, "a", string(held.Body))

	n, err := q.ReleaseInFlight(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.ErrorIs(t, q.Delete(ctx, held.Receipt), queue.ErrStaleReceipt, "the dead process's receipt is void")

	ds, err = q.Receive(ctx, 10, time.Minute, 0)
	require.NoError(t, err)
	got := map[string]int{}
	for _, d := range ds {
		got[string(d.Body)] = d.ReceiveCount
	}
	require.Equal(t, map[string]int{"a": 2, "c": 1}, got, "a is g1's head again, without waiting out its visibility")

	n, err = q.ReleaseInFlight(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
}
