package dispatch_test

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
	"github.com/wagateway/wagateway/internal/dispatch"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/sqlite"
	"github.com/wagateway/wagateway/internal/tenant"
	"github.com/wagateway/wagateway/internal/webhook"
)

// script answers attempts with the given outcomes, then 200, and notes
// the (fake) time of each attempt.
type script struct {
	mu       sync.Mutex
	clk      *clock.Fake
	outcomes []int
	seen     []webhook.Attempt
	at       []time.Time
}

func (s *script) Deliver(_ context.Context, a webhook.Attempt) webhook.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, a)
	s.at = append(s.at, s.clk.Now())
	code := 200
	if len(s.outcomes) > 0 {
		code, s.outcomes = s.outcomes[0], s.outcomes[1:]
	}
	if code == 200 {
		return webhook.Result{Delivered: true, StatusCode: 200}
	}
	return webhook.Result{StatusCode: code, Error: "HTTP 500"}
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

func setup(t *testing.T, outcomes ...int) (*sqlite.Store, *script, *clock.Fake, func()) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	require.NoError(t, err)
	st := sqlite.NewStore(db, nil)
	clk := clock.NewFake(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC))
	require.NoError(t, st.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: clk.Now()}))
	n, _ := instance.ParseName("acme__c__l")
	require.NoError(t, st.CreateInstance(ctx, instance.Instance{Name: n, WebhookURL: "https://hooks.example.com/h",
		WebhookSecret: "0123456789abcdef", State: instance.StateClose, CreatedAt: clk.Now()}))
	require.NoError(t, st.AddEvent(ctx, outbox.Event{ID: "d1", TenantID: "acme", Instance: "acme__c__l",
		Name: "instance.connected", Body: []byte(`{}`), CreatedAt: clk.Now()}))
	sc := &script{outcomes: outcomes, clk: clk}
	d := dispatch.New(dispatch.Config{Store: st, Client: sc, Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(runCtx) }()
	return st, sc, clk, func() { cancel(); <-done; _ = db.Close() }
}

// advanceUntil moves the fake clock in small steps until cond holds,
// only while the dispatcher waits on it, so fake time never runs ahead of
// a dispatcher slowed down by a loaded machine.
func advanceUntil(t *testing.T, clk *clock.Fake, cond func() bool) {
	t.Helper()
	require.Eventually(t, func() bool {
		if cond() {
			return true
		}
		if clk.Waiters() > 0 {
			clk.Advance(20 * time.Millisecond)
		}
		return false
	}, 20*time.Second, time.Millisecond)
}

func TestRetryScheduleThenDelivered(t *testing.T) {
	st, sc, clk, stop := setup(t, 500, 500)
	defer stop()
	advanceUntil(t, clk, func() bool { return sc.count() >= 3 })
	sc.mu.Lock()
	at := append([]time.Time(nil), sc.at...)
	sc.mu.Unlock()
	// Each retry waits its delay after the failed attempt, give or take
	// the dispatcher's 100 ms poll and a clock step.
	require.InDelta(t, 1.0, at[1].Sub(at[0]).Seconds(), 0.15, "second attempt 1 s after the first")
	require.InDelta(t, 5.0, at[2].Sub(at[1]).Seconds(), 0.15, "third 5 s after the second")
	require.Eventually(t, func() bool {
		d, err := st.GetDelivery(context.Background(), "d1")
		return err == nil && d.Status == outbox.Delivered
	}, 5*time.Second, 5*time.Millisecond)
	d, _ := st.GetDelivery(context.Background(), "d1")
	require.Equal(t, 3, d.Attempts)
	for _, a := range sc.seen {
		require.Equal(t, "d1", a.DeliveryID)
		require.Equal(t, "0123456789abcdef", a.Secret)
	}
}

func TestDeadAfterFourAttemptsAndRedeliver(t *testing.T) {
	st, sc, clk, stop := setup(t, 500, 500, 500, 500)
	defer stop()
	advanceUntil(t, clk, func() bool {
		d, err := st.GetDelivery(context.Background(), "d1")
		return err == nil && d.Status == outbox.Dead
	})
	require.Equal(t, 4, sc.count(), "the first attempt and three retries")
	d, _ := st.GetDelivery(context.Background(), "d1")
	require.Equal(t, 500, d.LastStatusCode)
	require.Equal(t, "HTTP 500", d.LastError)
	clk.Advance(time.Hour)
	time.Sleep(50 * time.Millisecond)
	require.Equal(t, 4, sc.count(), "dead letters stay dead")

	require.NoError(t, st.Redeliver(context.Background(), "d1", clk.Now()))
	advanceUntil(t, clk, func() bool {
		d, err := st.GetDelivery(context.Background(), "d1")
		return err == nil && d.Status == outbox.Delivered
	})
	require.Equal(t, 5, sc.count())
}

func TestDeletedInstanceDeadLetters(t *testing.T) {
	st, sc, clk, stop := setup(t)
	defer stop()
	_, err := st.DeleteInstance(context.Background(), "acme__c__l", clk.Now())
	require.NoError(t, err)
	require.NoError(t, st.AddEvent(context.Background(), outbox.Event{ID: "d2", TenantID: "acme", Instance: "acme__c__l",
		Name: "message.sent", Body: []byte(`{}`), CreatedAt: clk.Now()}))
	advanceUntil(t, clk, func() bool {
		d, err := st.GetDelivery(context.Background(), "d2")
		return err == nil && d.Status == outbox.Dead
	})
	d, _ := st.GetDelivery(context.Background(), "d2")
	require.Equal(t, "instance deleted", d.LastError)
	_ = sc
}
