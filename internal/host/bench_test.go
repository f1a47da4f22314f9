package host_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sandbox"
	"github.com/wagateway/wagateway/internal/sqlite"
)

var (
	benchInstances = flag.Int("bench.instances", 10000, "open sandbox instances in BenchmarkScheduler")
	benchPerInst   = flag.Int("bench.messages", 5, "urgent messages per instance in BenchmarkScheduler")
)

// lateEvents forwards driver events to the host once it exists.
type lateEvents struct{ driver.Events }

// parallel runs fn(i) for i in [0, n) on 32 goroutines.
func parallel(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// BenchmarkScheduler: many open sandbox instances, a few urgent messages
// each, delays scaled by 0.01. It reports sends per second, how late sends
// start against their due time, and the heap an idle open instance costs
// (host session, sandbox connection, everything), measured against the
// same process before the instances connected.
func BenchmarkScheduler(b *testing.B) {
	ctx := context.Background()
	n, per := *benchInstances, *benchPerInst
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "g.db"))
	require.NoError(b, err)
	clk := clock.Real{}
	byLane, enq, recv := map[lane.Lane]*sqlite.Queue{}, map[lane.Lane]gateway.Enqueuer{}, map[lane.Lane]host.Receiver{}
	for _, l := range lane.All() {
		q := sqlite.NewQueue(db, "lane-"+string(l), clk)
		byLane[l], enq[l], recv[l] = q, q, q
	}
	st := sqlite.NewStore(db, byLane)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := gateway.New(gateway.Config{Store: st, Queues: enq, Clock: clk, Log: log, URLs: netguard.Policy{AllowLoopback: true}})
	require.NoError(b, err)
	_, err = svc.CreateTenant(ctx, "acme")
	require.NoError(b, err)
	name := func(i int) string { return fmt.Sprintf("acme__c__i%05d", i) }
	parallel(n, func(i int) {
		_, err := svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: name(i),
			WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
		if err == nil {
			err = st.SetConnection(ctx, name(i), instance.StateClose, fmt.Sprintf("54911%08d", i), time.Time{}, nil)
		}
		require.NoError(b, err)
	})

	var mu sync.Mutex
	var late []time.Duration
	var sent atomic.Int64
	ev := &lateEvents{}
	network := sandbox.New(ev, clk, nil)
	h, err := host.New(host.Config{Driver: network, Store: st, Queues: recv, Clock: clk, Log: log, DelayScale: 0.01,
		Fetcher: media.New(media.Options{Policy: netguard.Policy{AllowLoopback: true}}),
		OnSend: func(d time.Duration) {
			mu.Lock()
			late = append(late, d)
			mu.Unlock()
			sent.Add(1)
		}})
	require.NoError(b, err)
	ev.Events = h

	// Everything is queued before the host starts, so what is measured
	// is the host draining, not the enqueue path (measured elsewhere).
	enqStart := time.Now()
	parallel(n*per, func(k int) {
		_, _, err := svc.Send(ctx, "acme", gateway.SendInput{InstanceName: name(k % n), To: "5491112345678",
			Lane: "urgent", Type: "text", Content: contentOf(k)}, "")
		require.NoError(b, err)
	})
	enqueued := time.Since(enqStart)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = h.Run(runCtx) }()
	defer func() { stop(); <-done; _ = db.Close() }()
	require.Eventually(b, func() bool { return sent.Load() >= int64(n*per) }, 10*time.Minute, 10*time.Millisecond)
	elapsed := time.Since(start)
	b.StopTimer()

	// Idle: every instance open, nothing queued.
	require.Eventually(b, func() bool {
		list, err := st.ListLinked(ctx)
		require.NoError(b, err)
		for _, in := range list {
			if in.State != instance.StateOpen {
				return false
			}
		}
		return len(list) == n
	}, time.Minute, 100*time.Millisecond, "all instances open")
	time.Sleep(300 * time.Millisecond)
	runtime.GC()
	var idle runtime.MemStats
	runtime.ReadMemStats(&idle)
	perIdle := float64(int64(idle.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)

	mu.Lock()
	slices.Sort(late)
	p50, p99 := late[len(late)/2], late[len(late)*99/100]
	mu.Unlock()
	rate := float64(n*per) / elapsed.Seconds()
	b.ReportMetric(rate, "sends/s")
	b.ReportMetric(float64(p50.Microseconds())/1000, "late-p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "late-p99-ms")
	b.ReportMetric(perIdle, "B/idle-instance")
	fmt.Printf("\nScheduler (%d open sandbox instances, %d urgent messages each, delay scale 0.01)\n", n, per)
	fmt.Printf("| metric | value | target |\n|---|---|---|\n")
	fmt.Printf("| sends/s (host start, with connecting every instance, to the last send) | %.0f | >= 5000 |\n", rate)
	fmt.Printf("| (enqueueing them beforehand took) | %s | |\n", enqueued.Round(time.Millisecond))
	fmt.Printf("| lateness p50 | %s | |\n| lateness p99 | %s | < 50ms |\n", p50.Round(time.Microsecond), p99.Round(time.Microsecond))
	fmt.Printf("| heap per idle open instance | %.0f B | < 20 KB |\n\n", perIdle)
}
