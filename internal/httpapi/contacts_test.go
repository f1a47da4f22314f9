package httpapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sqlite"
)

// checkingSessions answers every number check with "on WhatsApp" and
// counts the numbers asked; the other operations are not used here.
type checkingSessions struct {
	Sessions
	asked atomic.Int64
}

func (s *checkingSessions) CheckContacts(_ context.Context, _ string, phones []string) ([]bool, error) {
	s.asked.Add(int64(len(phones)))
	out := make([]bool, len(phones))
	for i := range out {
		out[i] = true
	}
	return out, nil
}

// checkGateway is the handler over a service on the SQLite file path,
// with the fake clock clk; the first call creates tenant acme and the
// open instance acme__c__main and returns the key.
func checkGateway(t *testing.T, path string, clk clock.Clock, sessions Sessions, key string) (http.Handler, string, func()) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	queues, enq := map[lane.Lane]*sqlite.Queue{}, map[lane.Lane]gateway.Enqueuer{}
	for _, l := range lane.All() {
		queues[l] = sqlite.NewQueue(db, string(l), clk)
		enq[l] = queues[l]
	}
	store := sqlite.NewStore(db, queues)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := gateway.New(gateway.Config{Store: store, Queues: enq, Clock: clk, URLs: netguard.Policy{AllowLoopback: true}, Log: log})
	require.NoError(t, err)
	if key == "" {
		_, err = svc.CreateTenant(ctx, "acme")
		require.NoError(t, err)
		key, _, err = svc.CreateKey(ctx, "acme")
		require.NoError(t, err)
		_, err = svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__main",
			WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
		require.NoError(t, err)
		require.NoError(t, store.SetConnection(ctx, "acme__c__main", instance.StateOpen, "5491100000001", clk.Now(), nil))
	}
	return New(Config{Service: svc, Sessions: sessions, Clock: clk, Log: log}), key, func() { _ = db.Close() }
}

// numbersBody is a check of n distinct numbers.
func numbersBody(n, from int) string {
	list := make([]string, n)
	for i := range list {
		list[i] = fmt.Sprintf(`"54911%08d"`, from+i)
	}
	return `{"phoneNumbers":[` + strings.Join(list, ",") + `]}`
}

// TestNumberCheckLimit: on the fake clock, 500 numbers pass in ten
// requests; the 501st is refused with 429 and the Retry-After that lets
// it through (the first request's numbers leave the rolling hour), and
// a restart on the same database does not reset the count. Refused
// requests reach WhatsApp with nothing.
func TestNumberCheckLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.db")
	clk := clock.NewFake(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC))
	sessions := &checkingSessions{}
	h, key, closeDB := checkGateway(t, path, clk, sessions, "")
	check := func(h http.Handler, body string) answer {
		return testAPI{h: h, key: key}.do(t, http.MethodPost, "/instance/acme__c__main/contacts/check", body,
			"Content-Type", "application/json")
	}
	start := clk.Now()
	for i := range 10 {
		a := check(h, numbersBody(50, i*50))
		require.Equal(t, http.StatusOK, a.status, "request %d: %v", i, a.body)
		clk.Advance(time.Minute)
	}
	require.EqualValues(t, 500, sessions.asked.Load())

	a := check(h, numbersBody(1, 900))
	require.Equal(t, http.StatusTooManyRequests, a.status, a.body)
	require.Contains(t, a.body["error"], "Number check limit reached")
	wait := start.Add(time.Hour).Sub(clk.Now())
	require.Equal(t, fmt.Sprint(int(wait/time.Second)), a.header.Get("Retry-After"), "until the first 50 leave the hour")
	require.EqualValues(t, 500, sessions.asked.Load(), "a refused request reaches nobody")

	closeDB()
	h, _, closeDB = checkGateway(t, path, clk, sessions, key)
	defer closeDB()
	a = check(h, numbersBody(1, 900))
	require.Equal(t, http.StatusTooManyRequests, a.status, "a restart does not reset the count: %v", a.body)

	clk.Advance(wait - time.Second)
	require.Equal(t, http.StatusTooManyRequests, check(h, numbersBody(1, 900)).status, "a second early")
	clk.Advance(time.Second)
	require.Equal(t, http.StatusOK, check(h, numbersBody(50, 900)).status, "the first request's 50 have left the hour")
	require.Equal(t, http.StatusTooManyRequests, check(h, numbersBody(1, 950)).status)
	require.EqualValues(t, 550, sessions.asked.Load())
}
