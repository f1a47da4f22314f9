package gateway_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sqlite"
)

// plainStore hides the SQLite store's AtomicEnqueuer, to exercise the
// store-then-enqueue path the AWS shape takes.
type plainStore struct{ gateway.Store }

// flakyQueue fails every Send while down.
type flakyQueue struct {
	down bool
	sent []string
}

func (q *flakyQueue) Send(_ context.Context, _, dedupID string, _ []byte) error {
	if q.down {
		return errors.New("queue unavailable")
	}
	q.sent = append(q.sent, dedupID)
	return nil
}

func newService(t *testing.T, atomic bool) (*gateway.Service, *sqlite.Store, *flakyQueue, *clock.Fake) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	clk := clock.NewFake(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC))
	byLane := map[lane.Lane]*sqlite.Queue{}
	for _, l := range lane.All() {
		byLane[l] = sqlite.NewQueue(db, string(l), clk)
	}
	st := sqlite.NewStore(db, byLane)
	fq := &flakyQueue{}
	var store gateway.Store = st
	if !atomic {
		store = plainStore{st}
	}
	svc, err := gateway.New(gateway.Config{
		Store: store, Clock: clk, URLs: netguard.Policy{AllowLoopback: true},
		Queues: map[lane.Lane]gateway.Enqueuer{lane.Urgent: fq, lane.Normal: fq, lane.Bulk: fq},
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	_, err = svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__main",
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
	require.NoError(t, err)
	return svc, st, fq, clk
}

func text(s string) gateway.SendInput {
	return gateway.SendInput{InstanceName: "acme__c__main", To: "5491112345678", Type: message.Text, Content: message.Content{Text: s}}
}

// TestNoAcceptWithoutQueue: when the queue refuses a message, the client
// gets an error (not a 202), the message is failed "not queued", and the
// Idempotency-Key is free for the retry.
func TestNoAcceptWithoutQueue(t *testing.T) {
	ctx := context.Background()
	svc, st, fq, _ := newService(t, false)
	fq.down = true
	_, _, err := svc.Send(ctx, "acme", text("hi"), "k1")
	require.Error(t, err)
	var fe *fault.Error
	require.False(t, errors.As(err, &fe), "an internal error, answered as a bare 500")
	counts, err := st.PendingByLane(ctx, "acme__c__main")
	require.NoError(t, err)
	require.Empty(t, counts, "nothing left pending")
	stats, err := st.TenantStats(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, 1, stats[0].Failed)

	fq.down = false
	acc, replayed, err := svc.Send(ctx, "acme", text("hi"), "k1")
	require.NoError(t, err)
	require.False(t, replayed, "a failed first attempt is not replayed")
	require.Equal(t, []string{acc.ID}, fq.sent)
	m, err := st.GetMessage(ctx, acc.ID)
	require.NoError(t, err)
	require.Equal(t, message.Pending, m.Status)
}

func TestSendPaths(t *testing.T) {
	for _, atomic := range []bool{true, false} {
		t.Run(map[bool]string{true: "atomic", false: "store then enqueue"}[atomic], func(t *testing.T) {
			ctx := context.Background()
			svc, st, fq, clk := newService(t, atomic)
			acc, replayed, err := svc.Send(ctx, "acme", text("{a|b}"), "k")
			require.NoError(t, err)
			require.False(t, replayed)
			require.Equal(t, "normal", acc.Lane)
			require.Equal(t, "2026-03-15T10:00:00.000Z", acc.QueuedAt)
			again, replayed, err := svc.Send(ctx, "acme", text("other"), "k")
			require.NoError(t, err)
			require.True(t, replayed)
			require.Equal(t, acc, again)

			_, _, err = svc.Send(ctx, "acme", gateway.SendInput{InstanceName: "acme__c__gone", To: "5491112345678",
				Type: message.Text, Content: message.Content{Text: "x"}}, "")
			require.ErrorIs(t, err, fault.ErrNotFound)

			counts, err := st.PendingByLane(ctx, "acme__c__main")
			require.NoError(t, err)
			require.Equal(t, map[lane.Lane]int{lane.Normal: 1}, counts)
			if !atomic {
				require.Equal(t, []string{acc.ID}, fq.sent)
			}

			// A day later the key is forgotten.
			clk.Advance(24*time.Hour + time.Second)
			later, replayed, err := svc.Send(ctx, "acme", text("x"), "k")
			require.NoError(t, err)
			require.False(t, replayed)
			require.NotEqual(t, acc.ID, later.ID)
		})
	}
}

func TestHealthUptime(t *testing.T) {
	svc, _, _, clk := newService(t, true)
	clk.Advance(time.Hour + 1500*time.Millisecond)
	h, err := svc.Health(context.Background())
	require.NoError(t, err)
	require.Equal(t, gateway.Health{Status: "ok", Tenants: 1, Instances: 1, Uptime: 3601}, h)
}

// TestKeyRevocation: a key deleted through the service stops at once; one
// deleted behind its back (the CLI of another process) within the cache TTL.
func TestKeyRevocation(t *testing.T) {
	ctx := context.Background()
	svc, st, _, clk := newService(t, true)
	plain, k, err := svc.CreateKey(ctx, "acme")
	require.NoError(t, err)
	tenantID, err := svc.Authenticate(ctx, plain)
	require.NoError(t, err)
	require.Equal(t, "acme", tenantID)
	require.NoError(t, svc.DeleteKey(ctx, "acme", k.ID))
	_, err = svc.Authenticate(ctx, plain)
	require.ErrorIs(t, err, fault.ErrUnauthorized)

	plain, k, err = svc.CreateKey(ctx, "acme")
	require.NoError(t, err)
	_, err = svc.Authenticate(ctx, plain)
	require.NoError(t, err)
	require.NoError(t, st.DeleteKey(ctx, "acme", k.ID)) // not through svc
	_, err = svc.Authenticate(ctx, plain+"x")
	require.ErrorIs(t, err, fault.ErrUnauthorized, "a cached key still needs the exact plaintext")
	clk.Advance(2 * time.Second)
	_, err = svc.Authenticate(ctx, plain)
	require.ErrorIs(t, err, fault.ErrUnauthorized, "gone once the cache entry expires")
}
