package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
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
)

// footprint is the process's memory and goroutines after a full GC.
type footprint struct {
	rss        int64 // resident set, bytes
	heap       int64 // Go heap and stacks in use, bytes
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
	return footprint{rss: r, heap: int64(ms.HeapInuse + ms.StackInuse), goroutines: runtime.NumGoroutine()}
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

	cfg, err := config.LocalFromEnv(func(string) string { return "" })
	require.NoError(b, err)
	cfg.DataDir, cfg.AdminKey, cfg.Driver, cfg.RatePerSecond = b.TempDir(), testAdminKey, config.DriverWhatsmeow, 0
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out bytes.Buffer
	app, err := openLocalWith(context.Background(), cfg, &out, log, localOptions{whatsAppHTTPClient: wa.whatsAppClient(b)})
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := app.startHost(ctx, log)
	b.Cleanup(func() {
		cancel()
		<-done
		_ = app.db.Close()
	})
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("demo__density__s%05d", i)
		_, err := app.service.CreateInstance(ctx, "demo", gateway.CreateInstanceInput{InstanceName: names[i],
			WebhookURL: hook.URL + "/hook", WebhookSecret: "0123456789abcdef"})
		require.NoError(b, err)
	}
	base := measure(b, 2*time.Second)

	b.ResetTimer()
	start := time.Now()
	linkAll(b, ctx, app, wa, names)
	linking := time.Since(start)
	b.StopTimer()

	idle := measure(b, *densityIdle)
	srv := wa.stats(b)
	require.Equal(b, n, srv.Connected, "every device is connected at the server")
	for _, name := range names {
		in, err := app.store.GetInstance(ctx, name)
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
	fmt.Printf("per session: %.0f KiB RSS (target < 300 KiB); linking took %s (%d at a time); fake server process (not counted): %s RSS, %d goroutines\n\n",
		perRSS, linking.Round(time.Millisecond), *densityLinkers, mib(srv.RSS), srv.Goroutines)
}

// linkAll links every instance, -bench.linkers at a time, each with a
// phone number of its own.
func linkAll(b *testing.B, ctx context.Context, app *localApp, wa *fakeWAProcess, names []string) {
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
				if err := linkOne(ctx, app, wa, names[i], fmt.Sprintf("54911%08d", i)); err != nil {
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

// linkOne takes one instance from close to open.
func linkOne(ctx context.Context, app *localApp, wa *fakeWAProcess, name, phone string) error {
	code, err := app.host.LinkQR(ctx, name)
	if err != nil {
		return fmt.Errorf("QR of %s: %w", name, err)
	}
	if _, err := wa.scan(ctx, code, phone); err != nil {
		return fmt.Errorf("scan for %s: %w", name, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		in, err := app.store.GetInstance(ctx, name)
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
