package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"github.com/wagateway/wagateway/internal/local"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

var (
	densitySessions = flag.Int("bench.sessions", 1000, "linked sessions BenchmarkSessionDensity holds")
	densityLinkers  = flag.Int("bench.linkers", 16, "concurrent linkings in BenchmarkSessionDensity")
	densityIdle     = flag.Duration("bench.idle", 10*time.Second, "how long BenchmarkSessionDensity lets the linked sessions idle before measuring")
	heapProfile     = flag.String("bench.heapprofile", "", "write a heap profile of the session host here when the linked sessions are measured (BenchmarkSessionDensity idle, BenchmarkInboundLoad after the load); with -test.memprofilerate=4096 for finer sampling")
)

// footprint is the process's memory and goroutines after a full GC.
type footprint struct {
	rss        int64 // resident set, bytes
	heap       int64 // Go heap and stacks in use, bytes
	stacks     int64 // of which goroutine stacks, bytes
	objects    int64 // of which live heap objects (the rest: free room in spans in use), bytes
	goroutines int
}

// measure waits settle, collects garbage and returns the freed memory to
// the OS (so RSS counts what is live), then reads the footprint.
func measure(b *testing.B, settle time.Duration) footprint {
	time.Sleep(settle)
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r, err := rss()
	require.NoError(b, err)
	return footprint{rss: r, heap: int64(ms.HeapInuse + ms.StackInuse), stacks: int64(ms.StackInuse), objects: int64(ms.HeapAlloc), goroutines: runtime.NumGoroutine()}
}

// writeHeapProfile writes the heap profile -bench.heapprofile names, if
// any, while the sessions are still linked (go test's -memprofile is
// written after the cleanups closed them).
func writeHeapProfile(b *testing.B) {
	if *heapProfile == "" {
		return
	}
	f, err := os.Create(*heapProfile)
	require.NoError(b, err)
	defer f.Close()
	require.NoError(b, pprof.Lookup("heap").WriteTo(f, 0))
	g, err := os.Create(*heapProfile + ".goroutines")
	require.NoError(b, err)
	defer g.Close()
	require.NoError(b, pprof.Lookup("goroutine").WriteTo(g, 1))
}

// rss is the process's resident set size (VmRSS of /proc/self/status).
func rss() (int64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

// BenchmarkSessionDensity links -bench.sessions instances through the
// whatsmeow driver to a fake WhatsApp server running in a child process,
// lets them idle, and reports what each idle linked session adds to the
// session host process: RSS and goroutines, against the same process with
// the instances created but none linked, measured in the same run.
//
// Linking goes through the host directly, not HTTP: host.LinkQR (what GET
// /instance/{name}/qr calls, minus the PNG) starts the linking and returns
// the raw code, the fake phone scans it, and the instance is open once
// the host stored Connected. -bench.linkers linkings run at once.
func BenchmarkSessionDensity(b *testing.B) {
	if *fakeWAChild {
		serveFakeWhatsApp(b)
		return
	}
	n := *densitySessions
	wa := startFakeWAProcess(b)
	whatsapptest.TrustTestRoot(b)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(hook.Close)

	ctx, app, names := openBenchHost(b, wa, hook.URL+"/hook", "density", n)
	base := measure(b, 2*time.Second)

	b.ResetTimer()
	start := time.Now()
	linkAll(b, ctx, app, wa, names)
	linking := time.Since(start)
	b.StopTimer()

	idle := measure(b, *densityIdle)
	writeHeapProfile(b)
	srv := wa.stats(b)
	require.Equal(b, n, srv.Connected, "every device is connected at the server")
	for _, name := range names {
		in, err := app.Store.GetInstance(ctx, name)
		require.NoError(b, err)
		require.Equal(b, instance.StateOpen, in.State, name)
	}

	perRSS := float64(idle.rss-base.rss) / float64(n) / 1024
	perHeap := float64(idle.heap-base.heap) / float64(n) / 1024
	perG := float64(idle.goroutines-base.goroutines) / float64(n)
	b.ReportMetric(perRSS, "KiB-RSS/session")
	b.ReportMetric(perG, "goroutines/session")
	b.ReportMetric(perHeap, "KiB-heap/session")
	b.ReportMetric(linking.Seconds(), "link-s")
	mib := func(v int64) string { return fmt.Sprintf("%.1f MiB", float64(v)/(1<<20)) }
	fmt.Printf("\nSession density (%d linked whatsmeow sessions against a fake WhatsApp server in a child process, idle %s, after GC)\n", n, *densityIdle)
	fmt.Printf("| session host process | sessions | RSS | Go heap+stacks | goroutines |\n|---|---|---|---|---|\n")
	fmt.Printf("| baseline: instances created, none linked | 0 | %s | %s | %d |\n", mib(base.rss), mib(base.heap), base.goroutines)
	fmt.Printf("| all linked, idle | %d | %s | %s | %d |\n", n, mib(idle.rss), mib(idle.heap), idle.goroutines)
	fmt.Printf("| per idle session | 1 | %.0f KiB | %.0f KiB | %.2f |\n", perRSS, perHeap, perG)
	fmt.Printf("per session: %.0f KiB RSS (target < 150 KiB); of the Go heap+stacks: %.1f KiB live objects, %.1f KiB stacks; linking took %s (%d at a time); fake server process (not counted): %s RSS, %d goroutines\n\n",
		perRSS, float64(idle.objects-base.objects)/float64(n)/1024, float64(idle.stacks-base.stacks)/float64(n)/1024, linking.Round(time.Millisecond), *densityLinkers, mib(srv.RSS), srv.Goroutines)
}

// openBenchHost opens the local gateway with the whatsmeow driver pointed
// at the fake WhatsApp process, starts its host, and creates n instances
// named demo__<kind>__s00000... with their webhooks at hookURL; all of it
// stops at the end of b.
func openBenchHost(b *testing.B, wa *fakeWAProcess, hookURL, kind string, n int) (context.Context, *local.App, []string) {
	b.Helper()
	cfg, err := config.LocalFromEnv(func(string) string { return "" })
	require.NoError(b, err)
	cfg.DataDir, cfg.AdminKey, cfg.Driver, cfg.RatePerSecond = b.TempDir(), testAdminKey, config.DriverWhatsmeow, 0
	// The API is not served; the address only makes media.url absolute.
	cfg = cfg.WithListener("127.0.0.1:8080")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out bytes.Buffer
	app, err := local.OpenWith(context.Background(), cfg, &out, log, local.Options{WhatsAppHTTPClient: wa.whatsAppClient(b)})
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := app.StartHost(ctx, log)
	b.Cleanup(func() {
		cancel()
		<-done
		_ = app.DB.Close()
	})
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("demo__%s__s%05d", kind, i)
		_, err := app.Service.CreateInstance(ctx, "demo", gateway.CreateInstanceInput{InstanceName: names[i],
			WebhookURL: hookURL, WebhookSecret: "0123456789abcdef"})
		require.NoError(b, err)
	}
	return ctx, app, names
}

// linkAll links every instance, -bench.linkers at a time, each with a
// phone number of its own.
func linkAll(b *testing.B, ctx context.Context, app *local.App, wa *fakeWAProcess, names []string) {
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range *densityLinkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(names) {
					return
				}
				if err := linkOne(ctx, app, wa, names[i], benchPhone(i)); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					next.Store(int64(len(names))) // stop the others
					return
				}
			}
		})
	}
	wg.Wait()
	require.NoError(b, firstErr)
}

// benchPhone is the phone number linkAll links the i-th instance to.
func benchPhone(i int) string { return fmt.Sprintf("54911%08d", i) }

// linkOne takes one instance from close to open.
func linkOne(ctx context.Context, app *local.App, wa *fakeWAProcess, name, phone string) error {
	code, err := app.Host.LinkQR(ctx, name)
	if err != nil {
		return fmt.Errorf("QR of %s: %w", name, err)
	}
	if _, err := wa.scan(ctx, code, phone); err != nil {
		return fmt.Errorf("scan for %s: %w", name, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		in, err := app.Store.GetInstance(ctx, name)
		if err != nil {
			return err
		}
		if in.State == instance.StateOpen {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is %s a minute after the scan", name, in.State)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
