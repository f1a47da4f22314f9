package sqs

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/emulator"
	"github.com/wagateway/wagateway/internal/queue"
	"github.com/wagateway/wagateway/internal/queue/queuetest"
)

var _ queuetest.Queue = (*Queue)(nil)

func TestMain(m *testing.M) { os.Exit(emulator.Main(m)) }

var queueSeq atomic.Int64

// queueName is unique within the emulator, which other test binaries may
// share (emulator.SQSEndpointEnv), and short enough for SQS's 80
// characters with the .fifo suffix.
func queueName(prefix string) string {
	return fmt.Sprintf("%s-%d-%s", prefix, queueSeq.Add(1), uuid.NewString()[:8])
}

// newQueue creates a fresh queue on the emulator; dlq > 0 gives it a
// dead-letter queue after that many receives, returned second.
func newQueue(t *testing.T, fifo bool, dlq int) (*Queue, *Queue) {
	t.Helper()
	ep := emulator.SQS(t)
	cli := emulator.SQSClient(ep)
	name := queueName("lane")
	if dlq == 0 {
		return New(cli, emulator.CreateQueue(t, ep, name, fifo, "", 0)), nil
	}
	dlqURL := emulator.CreateQueue(t, ep, name+"-dlq", fifo, "", 0)
	return New(cli, emulator.CreateQueue(t, ep, name, fifo, name+"-dlq", dlq)), New(cli, dlqURL)
}

// TestQueueConformance runs the lane queue contract against FIFO queues of
// the emulator. fauxqs lacks one rule the suite leaves to adapters (stale
// receipts on Delete, see TestStaleReceipts); every case of the suite
// passes on it.
func TestQueueConformance(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) queuetest.Queue {
		q, _ := newQueue(t, true, 0)
		return q
	})
}

func receiveOne(t *testing.T, q *Queue, visibility time.Duration) queue.Delivery {
	t.Helper()
	ds, err := q.Receive(t.Context(), 10, visibility, 2*time.Second)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	return ds[0]
}

func requireEmpty(t *testing.T, q *Queue) {
	t.Helper()
	ds, err := q.Receive(t.Context(), 10, time.Minute, 0)
	require.NoError(t, err)
	require.Empty(t, ds)
}

// The emulator reports stale receipts for ChangeMessageVisibility as AWS
// does (MessageNotInflight), once it has noticed the visibility ended (on
// the next receive; before, it accepts the stale receipt). For
// DeleteMessage it lacks the rule: fauxqs accepts any receipt, where AWS
// rejects an expired FIFO receipt with InvalidParameterValue;
// TestStaleReceiptAnswers maps AWS's answers instead. Here a stale Delete
// must at least never fail any other way, nor delete the new delivery.
func TestStaleReceipts(t *testing.T) {
	t.Parallel() // the conformance suite runs its cases one at a time
	ctx := t.Context()
	q, _ := newQueue(t, true, 0)
	require.NoError(t, q.Send(ctx, "g", "d1", []byte("m1")))

	expired := receiveOne(t, q, time.Second)
	time.Sleep(1100 * time.Millisecond)
	current := receiveOne(t, q, time.Minute)
	require.Equal(t, 2, current.ReceiveCount)
	require.ErrorIs(t, q.ChangeVisibility(ctx, expired.Receipt, time.Minute), queue.ErrStaleReceipt, "after a new delivery")
	if err := q.Delete(ctx, expired.Receipt); err != nil {
		require.ErrorIs(t, err, queue.ErrStaleReceipt, "after a new delivery")
	}
	require.NoError(t, q.ChangeVisibility(ctx, current.Receipt, time.Minute), "the stale delete left the new delivery in flight")

	require.NoError(t, q.Delete(ctx, current.Receipt))
	require.ErrorIs(t, q.ChangeVisibility(ctx, current.Receipt, time.Minute), queue.ErrStaleReceipt, "after delete")
	if err := q.Delete(ctx, current.Receipt); err != nil {
		require.ErrorIs(t, err, queue.ErrStaleReceipt, "deleted twice")
	}
	requireEmpty(t, q)
}

func TestDeleteBatch(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	q, _ := newQueue(t, false, 0) // standard: one Receive may return many messages
	const n = 23                  // three requests: 10, 10, 3
	for i := range n {
		require.NoError(t, q.Send(ctx, "", "", []byte(fmt.Sprint("m", i))))
	}
	var receipts []string
	seen := map[string]bool{}
	for tries := 0; len(receipts) < n; tries++ {
		require.Less(t, tries, 3*n, "did not receive every message")
		ds, err := q.Receive(ctx, 10, time.Minute, time.Second)
		require.NoError(t, err)
		for _, d := range ds {
			require.False(t, seen[string(d.Body)], "%s received twice", d.Body)
			seen[string(d.Body)] = true
			receipts = append(receipts, d.Receipt)
		}
	}
	require.NoError(t, q.DeleteBatch(ctx, receipts))
	for _, r := range receipts {
		require.ErrorIs(t, q.ChangeVisibility(ctx, r, 0), queue.ErrStaleReceipt, "deleted by the batch")
	}
	requireEmpty(t, q)
	require.NoError(t, q.DeleteBatch(ctx, nil), "nothing to delete")
}

func TestStandardQueueSend(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	q, _ := newQueue(t, false, 0)
	require.NoError(t, q.Send(ctx, "", "ignored", []byte(`{"event":"x"}`)))
	require.NoError(t, q.Send(ctx, "", "ignored", []byte(`{"event":"x"}`)), "no deduplication on a standard queue")
	var got []queue.Delivery
	for tries := 0; len(got) < 2; tries++ {
		require.Less(t, tries, 5)
		ds, err := q.Receive(ctx, 10, time.Minute, time.Second)
		require.NoError(t, err)
		got = append(got, ds...)
	}
	for _, d := range got {
		require.Equal(t, `{"event":"x"}`, string(d.Body))
		require.Empty(t, d.GroupID)
		require.Empty(t, d.DedupID)
		require.Equal(t, 1, d.ReceiveCount)
	}
}

func TestSendRejectsWhatSQSCannotCarry(t *testing.T) {
	ctx := t.Context()
	fifo, _ := newQueue(t, true, 0)
	tests := []struct {
		name           string
		group, dedupID string
		body           []byte
	}{
		{"no dedup id on FIFO", "g", "", []byte("m")},
		{"empty body", "g", "d", nil},
		{"not UTF-8", "g", "d", []byte{0xff, 0xfe}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Error(t, fifo.Send(ctx, tc.group, tc.dedupID, tc.body))
		})
	}
	requireEmpty(t, fifo)
}

// After maxReceiveCount receives, the next receive moves the message to
// the dead-letter queue, as the webhook retries rely on.
func TestDeadLetterRedrive(t *testing.T) {
	t.Parallel()
	for _, fifo := range []bool{false, true} {
		t.Run(fmt.Sprint("fifo=", fifo), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			q, dlq := newQueue(t, fifo, 2)
			group := ""
			if fifo {
				group = "g"
			}
			require.NoError(t, q.Send(ctx, group, "d", []byte("poison")))
			for want := 1; want <= 2; want++ {
				d := receiveOne(t, q, time.Minute)
				require.Equal(t, want, d.ReceiveCount)
				require.NoError(t, q.ChangeVisibility(ctx, d.Receipt, 0)) // fail fast instead of waiting
			}
			ds, err := q.Receive(ctx, 10, time.Minute, time.Second)
			require.NoError(t, err)
			require.Empty(t, ds, "moved to the dead-letter queue instead of a third delivery")

			d := receiveOne(t, dlq, time.Minute)
			require.Equal(t, "poison", string(d.Body))
			require.Equal(t, group, d.GroupID)
			require.NoError(t, dlq.Delete(ctx, d.Receipt))
		})
	}
}

func TestReceiveRejectsWhatSQSCannotDo(t *testing.T) {
	q, _ := newQueue(t, true, 0)
	tests := []struct {
		name             string
		max              int
		visibility, wait time.Duration
	}{
		{"max 0", 0, time.Minute, 0},
		{"max 11", 11, time.Minute, 0},
		{"visibility 0 (would mean the queue default)", 1, 0, 0},
		{"visibility over 12h", 1, 12*time.Hour + time.Second, 0},
		{"negative wait", 1, time.Minute, -time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := q.Receive(t.Context(), tc.max, tc.visibility, tc.wait)
			require.Error(t, err)
		})
	}
	require.Error(t, q.ChangeVisibility(t.Context(), "r", -time.Second))
}

func TestReceiveCutShortReturnsContextError(t *testing.T) {
	t.Parallel()
	q, _ := newQueue(t, true, 0)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := q.Receive(ctx, 1, time.Minute, 20*time.Second)
	require.Equal(t, context.DeadlineExceeded, err, "ctx.Err() itself")
	require.Less(t, time.Since(start), time.Second)
}

func TestMissingQueueIsAnErrorNamingIt(t *testing.T) {
	ep := emulator.SQS(t)
	q := New(emulator.SQSClient(ep), ep+"/000000000000/missing.fifo")
	err := q.Send(t.Context(), "g", "d", []byte("m"))
	require.ErrorContains(t, err, "queue missing.fifo: send")
	require.NotErrorIs(t, err, queue.ErrStaleReceipt)
}
