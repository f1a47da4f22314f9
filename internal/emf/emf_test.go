package emf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/emf"
)

var ts = time.Date(2026, 12, 7, 6, 1, 0, 123_000_000, time.UTC) // 1796623260123 ms

func TestEncode(t *testing.T) {
	table := []emf.Dimension{{Name: "Table", Value: "wagateway-state"}}
	cases := []struct {
		name    string
		dims    []emf.Dimension
		metrics []emf.Metric
		want    string
	}{
		{"the outbox lag line, as the CDK app's alarm reads it", table,
			[]emf.Metric{{Name: "OutboxLagSeconds", Unit: "Seconds", Value: 12.345}},
			`{"_aws":{"Timestamp":1796623260123,"CloudWatchMetrics":[{"Namespace":"WaGateway","Dimensions":[["Table"]],` +
				`"Metrics":[{"Name":"OutboxLagSeconds","Unit":"Seconds"}]}]},"Table":"wagateway-state","OutboxLagSeconds":12.345}`},
		{"zero is a value", table, []emf.Metric{{Name: "OutboxLagSeconds", Unit: "Seconds", Value: 0}},
			`{"_aws":{"Timestamp":1796623260123,"CloudWatchMetrics":[{"Namespace":"WaGateway","Dimensions":[["Table"]],` +
				`"Metrics":[{"Name":"OutboxLagSeconds","Unit":"Seconds"}]}]},"Table":"wagateway-state","OutboxLagSeconds":0}`},
		{"several, in order; no unit", []emf.Dimension{{Name: "Table", Value: "t\"1"}, {Name: "Shard", Value: "0"}},
			[]emf.Metric{{Name: "B", Value: 2}, {Name: "A", Unit: "Count", Value: 1e6}},
			`{"_aws":{"Timestamp":1796623260123,"CloudWatchMetrics":[{"Namespace":"WaGateway","Dimensions":[["Table","Shard"]],` +
				`"Metrics":[{"Name":"B"},{"Name":"A","Unit":"Count"}]}]},"Table":"t\"1","Shard":"0","B":2,"A":1000000}`},
		{"no dimension", nil, []emf.Metric{{Name: "A", Value: 0.5}},
			`{"_aws":{"Timestamp":1796623260123,"CloudWatchMetrics":[{"Namespace":"WaGateway","Dimensions":[[]],` +
				`"Metrics":[{"Name":"A"}]}]},"A":0.5}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := emf.Encode(ts, "WaGateway", tc.dims, tc.metrics)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
			require.True(t, json.Valid(got))
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	ok := []emf.Metric{{Name: "A", Value: 1}}
	cases := []struct {
		name, namespace string
		dims            []emf.Dimension
		metrics         []emf.Metric
		err             string
	}{
		{"no namespace", "", nil, ok, "namespace"},
		{"no metric", "N", nil, nil, "0 metrics"},
		{"NaN", "N", nil, []emf.Metric{{Name: "A", Value: math.NaN()}}, "not a number"},
		{"infinity", "N", nil, []emf.Metric{{Name: "A", Value: math.Inf(1)}}, "not a number"},
		{"a metric named like a dimension", "N", []emf.Dimension{{Name: "A", Value: "x"}}, ok, "used twice"},
		{"the reserved key", "N", nil, []emf.Metric{{Name: "_aws", Value: 1}}, "used twice"},
		{"empty dimension value", "N", []emf.Dimension{{Name: "Table"}}, ok, "empty value"},
		{"empty metric name", "N", nil, []emf.Metric{{Value: 1}}, "metric name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := emf.Encode(ts, tc.namespace, tc.dims, tc.metrics)
			require.ErrorContains(t, err, tc.err)
		})
	}
}

// TestWriterWritesWholeLines: one Write call per line, so concurrent
// writers never interleave inside a line.
func TestWriterWritesWholeLines(t *testing.T) {
	var out writes
	w := emf.NewWriter(&out, "WaGateway", emf.Dimension{Name: "Table", Value: "x"})
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = w.Write(ts, emf.Metric{Name: "A", Value: float64(i)}) })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Len(t, out.calls, 8)
	for _, c := range out.calls {
		require.True(t, strings.HasSuffix(c, "}\n") && strings.Count(c, "\n") == 1, c)
		require.True(t, json.Valid([]byte(c)))
	}
	require.Error(t, emf.NewWriter(failing{}, "N").Write(ts, emf.Metric{Name: "A"}))
}

// TestPeak: one line per period with the largest value observed in it;
// no line for a period without values; the unfinished period on stop.
func TestPeak(t *testing.T) {
	clk := clock.NewFake(ts)
	var out writes
	p := emf.NewPeak(emf.PeakConfig{Writer: emf.NewWriter(&out, "WaGateway", emf.Dimension{Name: "Table", Value: "x"}),
		Name: "OutboxLagSeconds", Unit: "Seconds", Clock: clk})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	waitTimer := func() {
		require.Eventually(t, func() bool { return clk.Waiters() == 1 }, 5*time.Second, time.Millisecond)
	}
	lines := func(n int) []map[string]any {
		require.Eventually(t, func() bool { return out.len() == n }, 5*time.Second, time.Millisecond)
		var got []map[string]any
		for _, c := range out.all() {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(c), &m))
			got = append(got, m)
		}
		return got
	}
	stamp := func(m map[string]any) int64 {
		return int64(m["_aws"].(map[string]any)["Timestamp"].(float64))
	}

	waitTimer()
	p.Observe(3)
	p.Observe(7.5)
	p.Observe(0)
	clk.Advance(time.Minute)
	got := lines(1)
	require.Equal(t, 7.5, got[0]["OutboxLagSeconds"])
	require.Equal(t, "x", got[0]["Table"])
	require.Equal(t, ts.Add(time.Minute).UnixMilli(), stamp(got[0]))

	waitTimer()
	clk.Advance(time.Minute) // nothing observed: no line
	waitTimer()
	p.Observe(0)
	clk.Advance(time.Minute)
	got = lines(2)
	require.Equal(t, 0.0, got[1]["OutboxLagSeconds"], "the max resets each period")
	require.Equal(t, ts.Add(3*time.Minute).UnixMilli(), stamp(got[1]))

	waitTimer()
	p.Observe(2)
	cancel()
	require.NoError(t, <-done)
	got = lines(3)
	require.Equal(t, 2.0, got[2]["OutboxLagSeconds"], "flushed on stop")
}

// writes records each Write call.
type writes struct {
	mu    sync.Mutex
	calls []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, string(bytes.Clone(p)))
	return len(p), nil
}

func (w *writes) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.calls)
}

func (w *writes) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.calls...)
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("closed") }
