// Package queuetest is the conformance suite of the lane queue port: every
// adapter (SQLite locally, SQS on AWS) runs Run and must pass it unchanged.
//
// # The contract
//
// A lane queue has the semantics of an AWS SQS FIFO queue, and adapters
// promise nothing beyond them, so code written against one adapter behaves
// the same on the other:
//
//   - Messages belong to a group (on the send path: the instance). Within a
//     group, messages are received in the order they were sent. Across
//     groups there is no order.
//   - While a message of a group is in flight (received, neither deleted nor
//     past its visibility timeout), no other message of that group is handed
//     out, to any receiver. Other groups are not held back. One Receive may
//     return several messages of one group, in order, or only its head.
//   - A received message stays invisible for the visibility timeout given to
//     Receive. ChangeVisibility restarts that timeout from now (0 releases
//     the message at once). Delete removes it for good. If neither happens in
//     time, the message becomes receivable again, ahead of the rest of its
//     group, with ReceiveCount one higher and a new receipt: delivery is at
//     least once, and consumers must tolerate a redelivery.
//   - A Send whose deduplication id was sent to the same queue in the last
//     five minutes succeeds and is dropped, even if the first message was
//     already deleted. Producers retry a Send of unknown outcome with the
//     same id.
//   - Receive returns at most max (1..10) messages. With wait > 0 it long-polls:
//     it returns as soon as a message is receivable, or empty when wait ends.
//     It gives up when ctx ends.
//   - ReceiveCount is how many times the message has been handed out, 1 on
//     first delivery (SQS's ApproximateReceiveCount).
//   - Durations are whole seconds, because SQS only takes whole seconds:
//     visibility 1 s to 12 h (0 only to release with ChangeVisibility),
//     wait 0 to 20 s. Adapters may accept finer values; callers must not
//     rely on it.
//   - A receipt is valid only for the delivery that produced it. Using it
//     after its message was deleted, became visible again, or was received
//     again is a caller bug with an adapter-defined outcome: adapters that can
//     tell report queue.ErrStaleReceipt (SQLite always does); SQS accepts
//     some stale deletes silently. The suite therefore does not test stale
//     receipts; adapters test them themselves.
//
// The suite uses real time (an SQS emulator has no fake clock) and spends
// about five seconds waiting for visibility timeouts and long polls.
package queuetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/queue"
)

// Queue is the full lane queue contract the suite checks.
type Queue interface {
	// Send enqueues body in group groupID. A second Send with the same dedupID within 5 minutes is accepted and dropped.
	Send(ctx context.Context, groupID, dedupID string, body []byte) error
	// Receive returns up to max visible messages (max 1..10), waiting up to wait for at least one; each becomes invisible for visibility.
	Receive(ctx context.Context, max int, visibility, wait time.Duration) ([]queue.Delivery, error)
	ChangeVisibility(ctx context.Context, receipt string, visibility time.Duration) error
	Delete(ctx context.Context, receipt string) error
}

// Run runs every conformance case; newQueue returns a fresh, empty queue for each case.
func Run(t *testing.T, newQueue func(t *testing.T) Queue) {
	cases := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, q Queue)
	}{
		{"RoundTrip", roundTrip},
		{"FIFOWithinGroup", fifoWithinGroup},
		{"InFlightBlocksItsGroupOnly", inFlightBlocksItsGroupOnly},
		{"VisibilityExpiryRedelivers", visibilityExpiryRedelivers},
		{"ChangeVisibility", changeVisibility},
		{"Deduplication", deduplication},
		{"MaxAndSeveralGroups", maxAndSeveralGroups},
		{"LongPoll", longPoll},
		{"ReceiveHonoursContext", receiveHonoursContext},
		{"InterleavedGroupsKeepOrder", interleavedGroupsKeepOrder},
		{"ConcurrentReceivers", concurrentReceivers},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			c.run(t, ctx, newQueue(t))
		})
	}
}

const (
	hold = 30 * time.Second // a visibility no case outlives
	poll = 2 * time.Second  // a wait for messages that should already be there
)

func send(t *testing.T, ctx context.Context, q Queue, group, dedup, body string) {
	t.Helper()
	require.NoError(t, q.Send(ctx, group, dedup, []byte(body)))
}

// receive long-polls once and requires at least one message.
func receive(t *testing.T, ctx context.Context, q Queue, max int, visibility time.Duration) []queue.Delivery {
	t.Helper()
	ds, err := q.Receive(ctx, max, visibility, poll)
	require.NoError(t, err)
	require.NotEmpty(t, ds, "expected a message")
	require.LessOrEqual(t, len(ds), max)
	return ds
}

// receiveNone requires that nothing is receivable right now.
func receiveNone(t *testing.T, ctx context.Context, q Queue) {
	t.Helper()
	ds, err := q.Receive(ctx, 10, hold, 0)
	require.NoError(t, err)
	require.Empty(t, ds, "expected no receivable message")
}

func bodies(ds []queue.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d.Body)
	}
	return out
}

func roundTrip(t *testing.T, ctx context.Context, q Queue) {
	send(t, ctx, q, "g1", "d1", "hello")
	ds := receive(t, ctx, q, 10, hold)
	require.Len(t, ds, 1)
	d := ds[0]
	require.Equal(t, "hello", string(d.Body))
	require.Equal(t, "g1", d.GroupID)
	require.Equal(t, "d1", d.DedupID)
	require.Equal(t, 1, d.ReceiveCount)
	require.NotEmpty(t, d.Receipt)
	require.NoError(t, q.Delete(ctx, d.Receipt))
	receiveNone(t, ctx, q)
}

func fifoWithinGroup(t *testing.T, ctx context.Context, q Queue) {
	const n = 20
	for i := range n {
		send(t, ctx, q, "g", fmt.Sprint("d", i), fmt.Sprint("m", i))
	}
	var got []string
	for len(got) < n {
		for _, d := range receive(t, ctx, q, 10, hold) {
			got = append(got, string(d.Body))
			require.NoError(t, q.Delete(ctx, d.Receipt))
		}
	}
	for i := range n {
		require.Equal(t, fmt.Sprint("m", i), got[i], "order within the group")
	}
	receiveNone(t, ctx, q)
}

func inFlightBlocksItsGroupOnly(t *testing.T, ctx context.Context, q Queue) {
	send(t, ctx, q, "A", "a0", "a0")
	send(t, ctx, q, "A", "a1", "a1")
	first := receive(t, ctx, q, 1, hold)
	require.Equal(t, []string{"a0"}, bodies(first))

	receiveNone(t, ctx, q) // a1 waits behind the in-flight a0
	send(t, ctx, q, "B", "b0", "b0")
	ds := receive(t, ctx, q, 10, hold)
	require.Equal(t, "b0", string(ds[0].Body), "group B is not held back")
	for _, d := range ds {
		require.Equal(t, "B", d.GroupID, "nothing of group A while a0 is in flight")
	}

	require.NoError(t, q.Delete(ctx, first[0].Receipt))
	ds = receive(t, ctx, q, 1, hold)
	require.Equal(t, []string{"a1"}, bodies(ds), "deleting a0 releases a1")
}

func visibilityExpiryRedelivers(t *testing.T, ctx context.Context, q Queue) {
	send(t, ctx, q, "g", "d0", "m0")
	send(t, ctx, q, "g", "d1", "m1")
	first := receive(t, ctx, q, 1, time.Second)
	require.Equal(t, []string{"m0"}, bodies(first))
	receiveNone(t, ctx, q)

	start := time.Now()
	again, err := q.Receive(ctx, 1, hold, 5*time.Second)
	require.NoError(t, err)
	require.Len(t, again, 1, "the message comes back once its visibility ends")
	require.Less(t, time.Since(start), 4*time.Second)
	d := again[0]
	require.Equal(t, "m0", string(d.Body), "ahead of the rest of its group")
	require.Equal(t, "d0", d.DedupID)
	require.Equal(t, 2, d.ReceiveCount)
	require.NotEqual(t, first[0].Receipt, d.Receipt, "a new delivery has a new receipt")
	require.NoError(t, q.Delete(ctx, d.Receipt))
	require.Equal(t, []string{"m1"}, bodies(receive(t, ctx, q, 1, hold)))
}

func changeVisibility(t *testing.T, ctx context.Context, q Queue) {
	send(t, ctx, q, "g", "d", "m")
	ds := receive(t, ctx, q, 1, time.Second)
	require.NoError(t, q.ChangeVisibility(ctx, ds[0].Receipt, 3*time.Second))
	time.Sleep(1500 * time.Millisecond)
	receiveNone(t, ctx, q) // past the original 1 s, within the extended 3 s

	require.NoError(t, q.ChangeVisibility(ctx, ds[0].Receipt, 0))
	again := receive(t, ctx, q, 1, hold)
	require.Equal(t, "m", string(again[0].Body), "visibility 0 releases the message at once")
	require.Equal(t, 2, again[0].ReceiveCount)
}

func deduplication(t *testing.T, ctx context.Context, q Queue) {
	send(t, ctx, q, "g", "same", "first")
	send(t, ctx, q, "g", "same", "second") // accepted, dropped
	send(t, ctx, q, "g", "other", "third")
	ds := receive(t, ctx, q, 1, hold)
	require.Equal(t, []string{"first"}, bodies(ds))
	require.NoError(t, q.Delete(ctx, ds[0].Receipt))

	send(t, ctx, q, "g", "same", "fourth") // still dropped after the delete
	ds = receive(t, ctx, q, 1, hold)
	require.Equal(t, []string{"third"}, bodies(ds))
	require.NoError(t, q.Delete(ctx, ds[0].Receipt))

	ds, err := q.Receive(ctx, 10, hold, time.Second)
	require.NoError(t, err)
	require.Empty(t, ds, "a duplicate was delivered")
}
