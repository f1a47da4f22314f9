package health_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/health"
)

func TestHandler(t *testing.T) {
	clk := clock.NewFake(t0)
	m := health.NewMonitor(clk, 0)
	urgent, relay := m.Poller("lane urgent"), m.Poller("outbox relay")
	urgent.OK()
	h := health.Handler(m)
	get := func(method, path string) (int, string, http.Header) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec.Code, rec.Body.String(), rec.Header()
	}

	code, body, hdr := get(http.MethodGet, "/health")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, `{"status":"unhealthy","stale":[{"poller":"outbox relay","lastSuccess":null}]}`+"\n", body)
	require.Equal(t, "application/json", hdr.Get("Content-Type"))
	require.Equal(t, "no-store", hdr.Get("Cache-Control"))

	relay.OK()
	code, body, _ = get(http.MethodGet, "/health")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, `{"status":"ok"}`+"\n", body)
	code, _, _ = get(http.MethodHead, "/health")
	require.Equal(t, http.StatusOK, code)

	clk.Advance(2*time.Minute + time.Second)
	relay.OK()
	code, body, _ = get(http.MethodGet, "/health")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, `{"status":"unhealthy","stale":[{"poller":"lane urgent","lastSuccess":"2026-12-07T06:00:00.000Z"}]}`+"\n", body)

	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodGet, "/healthz", http.StatusNotFound},
		{http.MethodGet, "/health/x", http.StatusNotFound},
		{http.MethodPost, "/health", http.StatusMethodNotAllowed},
	} {
		code, _, _ := get(tc.method, tc.path)
		require.Equal(t, tc.code, code, "%s %s", tc.method, tc.path)
	}
}

func TestServer(t *testing.T) {
	m := health.NewMonitor(clock.NewFake(t0), 0)
	m.Poller("p").OK()
	s, err := health.Listen("127.0.0.1:0", health.Handler(m))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	res, err := http.Get("http://" + s.Addr() + "/health")
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	// A client that never finishes its request headers is cut off.
	c, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	_, err = c.Write([]byte("GET /health HTTP/1.1\r\n"))
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(20*time.Second)))
	_, err = io.ReadAll(c) // returns once the server closes the connection
	require.NoError(t, err, "closed by the server, not by our deadline")
	_ = c.Close()

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	_, err = net.Dial("tcp", s.Addr())
	require.Error(t, err, "the listener is closed with Run")
}

func TestListenRefusesNonLoopback(t *testing.T) {
	_, err := health.Listen("0.0.0.0:0", http.NotFoundHandler())
	require.ErrorContains(t, err, "not a loopback address")
	s, err := health.Listen("localhost:0", http.NotFoundHandler())
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

func TestProbe(t *testing.T) {
	serve := func(code int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(code)
			_, _ = io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/health"
	}
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	cases := []struct {
		name, url, err string
	}{
		{"ok", serve(200, `{"status":"ok"}`), ""},
		{"stale pollers named", serve(503, `{"status":"unhealthy","stale":[{"poller":"lane urgent","lastSuccess":null},`+
			`{"poller":"outbox relay","lastSuccess":"2026-12-07T06:00:00.000Z"}]}`),
			"health check: 503 Service Unavailable: stale: lane urgent (never), outbox relay (last 2026-12-07T06:00:00.000Z)"},
		{"other failure", serve(500, `{"error":"totals: disk I/O error"}`), "health check: 500 Internal Server Error from http://"},
		{"redirect is not ok", serve(302, ""), "302 Found"},
		{"nobody listening", closed.URL + "/health", "connection refused"},
		{"no answer in time", hang.URL + "/health", "context deadline exceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			err := health.Probe(ctx, client, tc.url)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.err)
			require.NotContains(t, err.Error(), "\n", "one line")
			require.False(t, strings.HasSuffix(err.Error(), " "))
		})
	}
}
