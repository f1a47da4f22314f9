package host_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/message"
)

// heldSend holds the next Send in the driver until the returned release
// is called with the error the send should end with; entered closes once
// the send is held. A test that fails first releases it on cleanup, so
// the host can stop.
func heldSend(t *testing.T, r *rig) (entered <-chan struct{}, release func(error)) {
	in, out := make(chan struct{}), make(chan error, 1)
	r.drv.setHold(func(driver.Outbound) error {
		r.drv.setHold(nil)
		close(in)
		return <-out
	})
	var once sync.Once
	release = func(err error) { once.Do(func() { out <- err }) }
	t.Cleanup(func() { release(errors.New("test ended")) })
	return in, release
}

// TestWithdrawalDuringSendLeavesItToTheSend: a flush or an instance
// deletion that comes while the message is being handed to WhatsApp does
// not touch it (it goes out and is recorded sent, or, if the send did not
// happen, is failed as the deletion would have).
func TestWithdrawalDuringSendLeavesItToTheSend(t *testing.T) {
	ctx := context.Background()
	t.Run("flush", func(t *testing.T) {
		r := newLinkedRig(t)
		entered, release := heldSend(t, r)
		acc, _, err := r.svc.Send(ctx, "acme", text("5491100000001", "hi", "urgent"), "")
		require.NoError(t, err)
		<-entered
		n, err := r.svc.FlushQueue(ctx, "acme", mainInst)
		require.NoError(t, err)
		require.Zero(t, n, "the message in flight is not flushed")
		release(nil)
		waitFor(t, "recorded sent", func() bool { return status(t, r, acc.ID).Status == message.Sent })
		require.Len(t, r.drv.sentList(), 1)
	})
	t.Run("instance deleted, send did not happen", func(t *testing.T) {
		r := newLinkedRig(t)
		entered, release := heldSend(t, r)
		acc, _, err := r.svc.Send(ctx, "acme", text("5491100000001", "hi", "urgent"), "")
		require.NoError(t, err)
		<-entered
		_, err = r.svc.DeleteInstance(ctx, "acme", mainInst)
		require.NoError(t, err)
		require.Equal(t, message.Pending, status(t, r, acc.ID).Status, "left to the send in flight")
		release(driver.ErrNotConnected)
		waitFor(t, "failed as deleted", func() bool { return status(t, r, acc.ID).Status == message.Failed })
		require.Equal(t, message.ErrorInstanceDeleted, status(t, r, acc.ID).Error)
		require.Empty(t, r.drv.sentList())
	})
}

// TestFlushBeforeTheSendWins: a message flushed while the host fetches its
// media (after its last pending check, before the send) is never sent.
func TestFlushBeforeTheSendWins(t *testing.T) {
	ctx := context.Background()
	r := newLinkedRig(t)
	fetching, stall := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(fetching)
		<-stall
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngBytes)
	}))
	defer srv.Close()
	defer func() {
		select {
		case <-stall:
		default:
			close(stall)
		}
	}()
	acc, _, err := r.svc.Send(ctx, "acme", gateway.SendInput{InstanceName: mainInst, To: "5491100000001", Lane: "urgent",
		Type: message.Image, Content: message.Content{MediaURL: srv.URL + "/a.png"}}, "")
	require.NoError(t, err)
	<-fetching
	n, err := r.svc.FlushQueue(ctx, "acme", mainInst)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	close(stall)
	got := status(t, r, acc.ID)
	require.Equal(t, message.Failed, got.Status)
	require.Equal(t, message.ErrorFlushed, got.Error)
	// The host finishes the message without sending: its queue entry goes.
	waitFor(t, "queue entry deleted", func() bool {
		byLane, err := r.store.PendingByLane(ctx, mainInst)
		require.NoError(t, err)
		return len(byLane) == 0 && queueLen(t, r) == 0
	})
	require.Empty(t, r.drv.sentList())
}

// newLinkedRig is a rig on the real clock (lane delays scaled down) with
// one linked, open instance.
func newLinkedRig(t *testing.T) *rig {
	t.Helper()
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	linkInstances(t, r, mainInst)
	return r
}

// pngBytes is enough of a PNG for the media fetcher's sniffing.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)

func queueLen(t *testing.T, r *rig) int {
	t.Helper()
	total := 0
	for _, q := range r.queues {
		n, err := q.Len(context.Background())
		require.NoError(t, err)
		total += n
	}
	return total
}

func status(t *testing.T, r *rig, id string) message.Message {
	t.Helper()
	m, err := r.store.GetMessage(context.Background(), id)
	require.NoError(t, err)
	return m
}
