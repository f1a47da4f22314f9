package dispatch_test

import (
	"bytes"
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
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

var (
	benchDeliveries = flag.Int("bench.deliveries", 20000, "events BenchmarkDelivery delivers per round")
	benchRounds     = flag.Int("bench.rounds", 5, "rounds of BenchmarkDelivery; the median is reported")
)

// BenchmarkDelivery: signed deliveries per second from the dispatcher
// (outbox in SQLite, one attempt each, outcome recorded) to a loopback
// receiver, against plain POSTs of the same bodies to the same receiver
// from 32 concurrent clients. The two alternate over several rounds and
// the median round is reported: on a shared machine both rates drift
// together, and a ratio taken within a round cancels most of that.
func BenchmarkDelivery(b *testing.B) {
	ctx := context.Background()
	n, rounds := *benchDeliveries, *benchRounds
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

	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "g.db"))
	require.NoError(b, err)
	defer db.Close()
	st := sqlite.NewStore(db, nil)
	now := time.Now()
	require.NoError(b, st.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: now}))
	name, _ := instance.ParseName("acme__c__l")
	require.NoError(b, st.CreateInstance(ctx, instance.Instance{Name: name, WebhookURL: recv.URL + "/hook",
		WebhookSecret: "0123456789abcdef", State: instance.StateOpen, CreatedAt: now}))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	deliverer := webhook.New(webhook.Options{Policy: netguard.Policy{AllowLoopback: true}})

	b.ResetTimer()
	var results []deliveryRound
	for r := range rounds {
		b.StopTimer()
		addEvents(b, st, r, n, raw)
		b.StartTimer()
		plain := plainPosts(client, recv.URL+"/hook", raw, n)
		hits.Store(0)
		signed := dispatchAll(b, st, deliverer, &hits, n)
		results = append(results, deliveryRound{plain: float64(n) / plain.Seconds(), signed: float64(n) / signed.Seconds()})
	}
	b.StopTimer()

	slices.SortFunc(results, func(x, y deliveryRound) int { return cmp.Compare(x.ratio(), y.ratio()) })
	med := results[len(results)/2]
	b.ReportMetric(med.signed, "deliveries/s")
	b.ReportMetric(med.plain, "plain-posts/s")
	b.ReportMetric(med.ratio(), "ratio")
	fmt.Printf("\nWebhook delivery (%d events per round, loopback receiver; median of %d rounds, ratios %.0f%%..%.0f%%)\n",
		n, rounds, 100*results[0].ratio(), 100*results[len(results)-1].ratio())
	fmt.Printf("| path | per second |\n|---|---|\n")
	fmt.Printf("| plain POSTs, 32 concurrent | %.0f |\n| dispatcher: claim, sign, POST, record | %.0f |\n", med.plain, med.signed)
	fmt.Printf("ratio %.0f%% (target >= 50%%), %.0f deliveries/s (target >= 2000)\n\n", 100*med.ratio(), med.signed)
}

// deliveryRound is one round's rates.
type deliveryRound struct{ plain, signed float64 }

func (r deliveryRound) ratio() float64 { return r.signed / r.plain }

// addEvents puts n events of round r in the outbox, from 32 writers.
func addEvents(b *testing.B, st *sqlite.Store, r, n int, raw []byte) {
	var added atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for i := added.Add(1); i <= int64(n); i = added.Add(1) {
				require.NoError(b, st.AddEvent(context.Background(), outbox.Event{ID: fmt.Sprint("d", r, "-", i), TenantID: "acme",
					Instance: "acme__c__l", Name: "message.sent", Body: raw, CreatedAt: time.Now()}))
			}
		})
	}
	wg.Wait()
}

// plainPosts POSTs body n times, 32 at a time, and says how long it took.
func plainPosts(client *http.Client, url string, body []byte, n int) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 32 {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				res, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// dispatchAll runs a dispatcher until the receiver has seen n events (the
// cheap signal; polling the outbox would compete with the dispatcher) and
// says how long that took; it stops the dispatcher once every outcome is
// recorded.
func dispatchAll(b *testing.B, st *sqlite.Store, client *webhook.Client, hits *atomic.Int64, n int) time.Duration {
	d := dispatch.New(dispatch.Config{Store: st, Clock: clock.Real{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Client: client})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	start := time.Now()
	go func() { defer close(done); d.Run(ctx) }()
	require.Eventually(b, func() bool { return hits.Load() >= int64(n) }, 5*time.Minute, time.Millisecond)
	took := time.Since(start)
	require.Eventually(b, func() bool {
		list, err := st.ListDeliveries(ctx, "acme__c__l", outbox.Retrying, 1)
		return err == nil && len(list) == 0
	}, time.Minute, 10*time.Millisecond, "every outcome recorded")
	stop()
	<-done
	return took
}
