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
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sqlite"
)

// serviceOn starts a service on the database at path, as the local
// gateway does at each start; close stops it.
func serviceOn(t *testing.T, path string, clk clock.Clock) (svc *gateway.Service, close func()) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	fq := &flakyQueue{}
	svc, err = gateway.New(gateway.Config{
		Store: sqlite.NewStore(db, nil), Clock: clk, URLs: netguard.Policy{AllowLoopback: true},
		Queues: map[lane.Lane]gateway.Enqueuer{lane.Urgent: fq, lane.Normal: fq, lane.Bulk: fq},
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	return svc, func() { require.NoError(t, db.Close()) }
}

// TestNumberCheckLimit, on the fake clock: 500 numbers pass, the 501st is
// a 429 whose Retry-After is when the oldest check leaves the hour, a
// restart does not reset the count, and the hour rolls.
func TestNumberCheckLimit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	clk := clock.NewFake(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC))
	svc, stop := serviceOn(t, path, clk)
	_, err := svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	_, err = svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__main",
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
	require.NoError(t, err)

	clk.Advance(1500 * time.Millisecond) // the oldest check at 10:00:01.5
	for range 10 {
		require.NoError(t, svc.ReserveNumberChecks(ctx, "acme", "acme__c__main", 50))
		clk.Advance(time.Minute)
	}
	clk.Advance(250 * time.Millisecond) // 10:10:01.75: 49 min 59.75 s until 11:00:01.5
	requireLimited(t, svc.ReserveNumberChecks(ctx, "acme", "acme__c__main", 1), 50*60)

	stop()
	svc, stop = serviceOn(t, path, clk)
	defer func() { stop() }()
	requireLimited(t, svc.ReserveNumberChecks(ctx, "acme", "acme__c__main", 1), 50*60)

	clk.Advance(49*time.Minute + 59750*time.Millisecond) // 11:00:01.5: the first 50 left
	require.NoError(t, svc.ReserveNumberChecks(ctx, "acme", "acme__c__main", 50))
	requireLimited(t, svc.ReserveNumberChecks(ctx, "acme", "acme__c__main", 1), 60)
}

func requireLimited(t *testing.T, err error, retryAfter int) {
	t.Helper()
	require.ErrorIs(t, err, fault.ErrRateLimited)
	var rl *fault.RateLimitedError
	require.True(t, errors.As(err, &rl))
	require.Equal(t, retryAfter, rl.RetryAfter())
	require.Contains(t, rl.Msg, "500 numbers per hour")
}

// TestNumberCheckTenancy: another tenant's instance is 403 and an unknown
// one 404, and neither counts anything.
func TestNumberCheckTenancy(t *testing.T) {
	ctx := context.Background()
	svc, st, _, _ := newService(t, true)
	for _, c := range []struct {
		tenant, name string
		want         error
	}{
		{"beta", "acme__c__main", fault.ErrForbidden},
		{"acme", "acme__c__gone", fault.ErrNotFound},
		{"acme", "not-a-name", nil},
	} {
		err := svc.ReserveNumberChecks(ctx, c.tenant, c.name, 500)
		require.Error(t, err)
		if c.want != nil {
			require.ErrorIs(t, err, c.want)
		} else {
			var v *fault.ValidationError
			require.True(t, errors.As(err, &v), "%v", err)
		}
	}
	_, ok, err := st.ReserveNumberChecks(ctx, "acme__c__gone", 500, time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.True(t, ok, "the refused 404 counted nothing")
	require.NoError(t, svc.ReserveNumberChecks(ctx, "acme", "acme__c__main", 500), "the refused 403 counted nothing")
}
