package dispatch_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/dispatch"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/sqlite"
	"github.com/wagateway/wagateway/internal/tenant"
	"github.com/wagateway/wagateway/internal/webhook"
)

var benchDeliveries = flag.Int("bench.deliveries", 20000, "events BenchmarkDelivery delivers")

// BenchmarkDelivery: signed deliveries per second from the dispatcher
// (outbox in SQLite, one attempt each, outcome recorded) to a loopback
// receiver, against plain POSTs of the same bodies to the same receiver
// from as many concurrent clients, in the same run.
func BenchmarkDelivery(b *testing.B) {
	ctx := context.Background()
	n := *benchDeliveries
	var hits atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		hits.Add(1)
	}))
	defer recv.Close()

	body, err := events.New(events.MessageSent, "acme__c__l", events.Sent{ID: "3b2e1f4a-1111-4222-8333-444455556666",
		To: "5491112345678", Lane: "normal", Type: "text", SentAt: "2026-03-15T10:30:00.000Z"}, time.Now())
	require.NoError(b, err)
	raw, err := body.Body()
	require.NoError(b, err)

	// Baseline: plain POSTs, 32 at a time, same bodies, same receiver.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				res, err := client.Post(recv.URL+"/hook", "application/json", bytes.NewReader(raw))
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	plain := time.Since(start)
	b.StopTimer()

	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "g.db"))
	require.NoError(b, err)
	defer db.Close()
	st := sqlite.NewStore(db, nil)
	now := time.Now()
	require.NoError(b, st.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: now}))
	name, _ := instance.ParseName("acme__c__l")
	require.NoError(b, st.CreateInstance(ctx, instance.Instance{Name: name, WebhookURL: recv.URL + "/hook",
		WebhookSecret: "0123456789abcdef", State: instance.StateOpen, CreatedAt: now}))
	var added atomic.Int64
	var wg2 sync.WaitGroup
	for range 32 {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for i := added.Add(1); i <= int64(n); i = added.Add(1) {
				require.NoError(b, st.AddEvent(ctx, outbox.Event{ID: fmt.Sprint("d", i), TenantID: "acme",
					Instance: "acme__c__l", Name: "message.sent", Body: raw, CreatedAt: now}))
			}
		}()
	}
	wg2.Wait()
	hits.Store(0)
	d := dispatch.New(dispatch.Config{Store: st, Clock: clock.Real{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Client: webhook.New(webhook.Options{Policy: netguard.Policy{AllowLoopback: true}})})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	b.StartTimer()
	start = time.Now()
	go func() { defer close(done); d.Run(runCtx) }()
	// The receiver's count is the cheap signal; the outbox is checked
	// once at the end (polling it would compete with the dispatcher).
	require.Eventually(b, func() bool { return hits.Load() >= int64(n) }, 5*time.Minute, time.Millisecond)
	signed := time.Since(start)
	b.StopTimer()
	require.Eventually(b, func() bool {
		list, err := st.ListDeliveries(ctx, "acme__c__l", outbox.Retrying, 1)
		return err == nil && len(list) == 0
	}, time.Minute, 50*time.Millisecond, "every outcome recorded")
	stop()
	<-done

	plainRate, signedRate := float64(n)/plain.Seconds(), float64(n)/signed.Seconds()
	b.ReportMetric(signedRate, "deliveries/s")
	b.ReportMetric(plainRate, "plain-posts/s")
	b.ReportMetric(signedRate/plainRate, "ratio")
	fmt.Printf("\nWebhook delivery (%d events, loopback receiver)\n| path | per second |\n|---|---|\n", n)
	fmt.Printf("| plain POSTs, 32 concurrent | %.0f |\n| dispatcher: claim, sign, POST, record | %.0f |\n", plainRate, signedRate)
	fmt.Printf("ratio %.0f%% (target >= 50%%), %.0f deliveries/s (target >= 2000)\n\n", 100*signedRate/plainRate, signedRate)
}
