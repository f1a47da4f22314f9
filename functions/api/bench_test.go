package main

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/lambdafake"
)

var benchStarts = flag.Int("bench.coldstarts", 20, "BenchmarkColdStart starts each function this many times")

// releaseBuild compiles pkg with make build's flags for goarch (linux).
func releaseBuild(b *testing.B, pkg, goarch, out string) string {
	b.Helper()
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	o, err := cmd.CombinedOutput()
	require.NoError(b, err, "%s", o)
	return out
}

// zippedSize is the size of a zip holding bin as `bootstrap` (deflate,
// as the zip command makes dist/*.zip).
func zippedSize(b *testing.B, bin string) int {
	b.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("bootstrap")
	require.NoError(b, err)
	f, err := os.Open(bin)
	require.NoError(b, err)
	defer f.Close()
	_, err = io.Copy(w, f)
	require.NoError(b, err)
	require.NoError(b, zw.Close())
	return buf.Len()
}

func fileSize(b *testing.B, path string) int {
	b.Helper()
	st, err := os.Stat(path)
	require.NoError(b, err)
	return int(st.Size())
}

// coldStart starts bin against a fresh fake Runtime API and returns the
// time from process start to its first GET /next.
func coldStart(b *testing.B, bin string, env []string) time.Duration {
	b.Helper()
	rt, err := lambdafake.New(lambdafake.Options{FunctionName: "bench"})
	require.NoError(b, err)
	defer rt.Close()
	fn, err := rt.Start(bin, env, nil)
	require.NoError(b, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := fn.ColdStart(ctx)
	require.NoError(b, err, "output:\n%s", fn.Output())
	require.NoError(b, fn.Stop())
	return d
}

type startTimes []time.Duration

func (s startTimes) pct(p float64) time.Duration {
	c := slices.Clone(s)
	slices.Sort(c)
	return c[int(float64(len(c)-1)*p)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func mib(n int) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// BenchmarkColdStart measures the API Lambda's cold start: from the start
// of its `bootstrap` process to its first GET /next on the fake Runtime
// API, which is where Lambda's Init duration ends (configuration, AWS SDK
// configuration, wiring). Baseline: a bare aws-lambda-go function built
// the same way, started alternately in the same run. Both binaries are
// make build's (-tags lambda.norpc -trimpath -s -w), for this machine;
// the sizes are of the linux/arm64 builds that ship. Not included: what
// Lambda itself spends creating the sandbox and fetching the code, and
// the page cache is warm after the first start.
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	host := releaseBuild(b, ".", runtime.GOARCH, filepath.Join(dir, "api"))
	bare := releaseBuild(b, "../../internal/lambdafake/testdata/echo", runtime.GOARCH, filepath.Join(dir, "bare"))
	armAPI := releaseBuild(b, ".", "arm64", filepath.Join(dir, "api-arm64"))
	armBare := releaseBuild(b, "../../internal/lambdafake/testdata/echo", "arm64", filepath.Join(dir, "bare-arm64"))

	// Endpoints no one listens on: the cold start makes no AWS call.
	q := "http://127.0.0.1:9/000000000000/"
	env := []string{
		"GATEWAY_TABLE=wagateway", "GATEWAY_ADMIN_KEY=" + testAdminKey, "GATEWAY_MEDIA_BUCKET=wagateway-media",
		"GATEWAY_QUEUE_URGENT=" + q + "urgent.fifo", "GATEWAY_QUEUE_NORMAL=" + q + "normal.fifo",
		"GATEWAY_QUEUE_BULK=" + q + "bulk.fifo", "GATEWAY_COMMAND_QUEUE=" + q + "commands.fifo",
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:9", "AWS_ENDPOINT_URL_SQS=http://127.0.0.1:9",
	}
	b.ResetTimer()
	var apiTimes, bareTimes startTimes
	for range *benchStarts {
		bareTimes = append(bareTimes, coldStart(b, bare, nil))
		apiTimes = append(apiTimes, coldStart(b, host, env))
	}
	b.StopTimer()

	apiSize, bareSize := fileSize(b, armAPI), fileSize(b, armBare)
	apiZip, bareZip := zippedSize(b, armAPI), zippedSize(b, armBare)
	p50 := apiTimes.pct(0.5)
	b.ReportMetric(float64(p50.Microseconds())/1000, "cold-p50-ms")
	b.ReportMetric(float64(bareTimes.pct(0.5).Microseconds())/1000, "bare-cold-p50-ms")
	b.ReportMetric(float64(apiSize), "binary-bytes")
	b.ReportMetric(float64(apiZip), "zip-bytes")
	fmt.Printf("\nAPI Lambda cold start (process start to first GET /next on the fake Runtime API; %d starts each, alternating)\n", *benchStarts)
	fmt.Printf("| function | p50 | p90 | max | bootstrap linux/arm64 | zipped |\n|---|---|---|---|---|---|\n")
	fmt.Printf("| bare aws-lambda-go function | %s | %s | %s | %s | %s |\n", ms(bareTimes.pct(0.5)), ms(bareTimes.pct(0.9)),
		ms(bareTimes.pct(1)), mib(bareSize), mib(bareZip))
	fmt.Printf("| functions/api | %s | %s | %s | %s | %s |\n", ms(p50), ms(apiTimes.pct(0.9)), ms(apiTimes.pct(1)),
		mib(apiSize), mib(apiZip))
	fmt.Printf("median cold start %s (target < 50ms); the gateway's own init adds %s to a bare function\n\n",
		ms(p50), ms(p50-bareTimes.pct(0.5)))
}
