package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"github.com/wagateway/wagateway/internal/local"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
)

var (
	benchDuration = flag.Duration("bench.duration", 20*time.Second, "how long BenchmarkEnqueue loads each handler, in all")
	benchRounds   = flag.Int("bench.rounds", 4, "BenchmarkEnqueue alternates the handlers this many times, so drift in the machine's speed hits both alike")
	benchClients  = flag.Int("bench.clients", 32, "concurrent keep-alive clients in BenchmarkEnqueue")
	benchBare     = flag.Bool("bench.bare", true, "measure the bare-handler baseline too (off only for profiling)")
)

// loadResult is one or more load phases.
type loadResult struct {
	ok, failed int
	elapsed    time.Duration
	latencies  []time.Duration
}

func (r *loadResult) add(o loadResult) {
	r.ok, r.failed, r.elapsed = r.ok+o.ok, r.failed+o.failed, r.elapsed+o.elapsed
	r.latencies = append(r.latencies, o.latencies...)
}

func (r loadResult) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

func (r loadResult) perSecond() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// load sends POST url with body from `clients` keep-alive clients for d,
// counting responses with status want.
func load(b *testing.B, url string, header http.Header, body []byte, want int, clients int, d time.Duration) loadResult {
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var ok, failed atomic.Int64
	lat := make([][]time.Duration, clients)
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header = header.Clone()
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat[i] = append(lat[i], time.Since(t0))
				if res.StatusCode == want {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return loadResult{ok: int(ok.Load()), failed: int(failed.Load()), elapsed: time.Since(start), latencies: slices.Concat(lat...)}
}

func serveOn(b *testing.B, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// BenchmarkEnqueue measures the enqueue path: POST /message/text over
// loopback with keep-alive clients, against a bare net/http handler that
// answers 202 with a fixed body, in the same run.
func BenchmarkEnqueue(b *testing.B) {
	cfg, err := config.LocalFromEnv(func(string) string { return "" })
	require.NoError(b, err)
	cfg.DataDir, cfg.AdminKey, cfg.Driver, cfg.RatePerSecond = b.TempDir(), testAdminKey, config.DriverSandbox, 0
	var out bytes.Buffer
	app, err := local.Open(context.Background(), cfg, &out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(b, err)
	b.Cleanup(func() { _ = app.DB.Close() })
	key := demoKeyLine.FindStringSubmatch(out.String())[1]
	gwURL := serveOn(b, app.Handler)

	create := []byte(`{"instanceName":"demo__bench__main","webhookUrl":"http://127.0.0.1:9/h","webhookSecret":"0123456789abcdef"}`)
	req, _ := http.NewRequest(http.MethodPost, gwURL+"/instance/create", bytes.NewReader(create))
	req.Header.Set("apikey", key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(b, err)
	res.Body.Close()
	require.Equal(b, http.StatusCreated, res.StatusCode)

	fixed := []byte(`{"id":"3b2e1f4a-1111-4222-8333-444455556666","status":"pending","lane":"normal","queuedAt":"2026-03-15T10:30:00.000Z"}` + "\n")
	bareURL := serveOn(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write(fixed)
	}))

	body := []byte(`{"instanceName":"demo__bench__main","to":"5491112345678","text":"{Hello|Hi}, your order has shipped"}`)
	h := http.Header{"Content-Type": {"application/json"}, "Apikey": {key}}
	b.ResetTimer()
	var bare, gw loadResult
	phase := *benchDuration / time.Duration(*benchRounds)
	for range *benchRounds {
		if *benchBare {
			bare.add(load(b, bareURL+"/message/text", h, body, http.StatusAccepted, *benchClients, phase))
		}
		gw.add(load(b, gwURL+"/message/text", h, body, http.StatusAccepted, *benchClients, phase))
	}
	b.StopTimer()
	if !*benchBare {
		bare = loadResult{ok: 1, elapsed: time.Second}
	}

	ratio := gw.perSecond() / bare.perSecond()
	b.ReportMetric(gw.perSecond(), "msgs/s")
	gp50, gp99 := gw.pct(0.50), gw.pct(0.99)
	b.ReportMetric(float64(gp50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(gp99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(bare.perSecond(), "bare-req/s")
	b.ReportMetric(ratio, "ratio")
	queued, err := app.Queues["normal"].Len(context.Background())
	require.NoError(b, err)
	require.Equal(b, gw.ok, queued, "every 202 is a queued message")
	fmt.Printf("\nEnqueue path (%d keep-alive clients over loopback, %s per handler in %d alternating rounds)\n", *benchClients, *benchDuration, *benchRounds)
	fmt.Printf("| handler | accepted/s | p50 | p99 | errors |\n|---|---|---|---|---|\n")
	fmt.Printf("| bare net/http 202 | %.0f | %s | %s | %d |\n", bare.perSecond(), bare.pct(0.5).Round(time.Microsecond), bare.pct(0.99).Round(time.Microsecond), bare.failed)
	fmt.Printf("| POST /message/text | %.0f | %s | %s | %d |\n", gw.perSecond(), gp50.Round(time.Microsecond), gp99.Round(time.Microsecond), gw.failed)
	fmt.Printf("ratio gateway/bare: %.1f%% (target >= 30%%); p99 %s (target < 20ms)\n\n", ratio*100, gp99.Round(time.Microsecond))
}
