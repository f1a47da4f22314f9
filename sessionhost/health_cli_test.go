package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHealthURL: which /health `sessionhost health` asks, in each shape.
func TestHealthURL(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		url  string
		err  string
	}{
		{"AWS default", map[string]string{"GATEWAY_TABLE": "t"}, "http://127.0.0.1:8081/health", ""},
		{"AWS set", map[string]string{"GATEWAY_TABLE": "t", "GATEWAY_HEALTH_ADDR": "[::1]:9"}, "http://[::1]:9/health", ""},
		{"AWS refuses a non-loopback address", map[string]string{"GATEWAY_TABLE": "t", "GATEWAY_HEALTH_ADDR": "0.0.0.0:8081"},
			"", "want a loopback address"},
		{"AWS ignores the local address", map[string]string{"GATEWAY_TABLE": "t", "GATEWAY_ADDR": "127.0.0.1:9"},
			"http://127.0.0.1:8081/health", ""},
		{"local default", nil, "http://127.0.0.1:8080/health", ""},
		{"local ignores the AWS address", map[string]string{"GATEWAY_HEALTH_ADDR": "127.0.0.1:9"}, "http://127.0.0.1:8080/health", ""},
		{"local 0.0.0.0", map[string]string{"GATEWAY_ADDR": "0.0.0.0:9"}, "http://127.0.0.1:9/health", ""},
		{"local [::]", map[string]string{"GATEWAY_ADDR": "[::]:9"}, "http://127.0.0.1:9/health", ""},
		{"local empty host", map[string]string{"GATEWAY_ADDR": ":9"}, "http://127.0.0.1:9/health", ""},
		{"local IPv6 loopback", map[string]string{"GATEWAY_ADDR": "[::1]:9"}, "http://[::1]:9/health", ""},
		{"local name", map[string]string{"GATEWAY_ADDR": "localhost:9"}, "http://localhost:9/health", ""},
		{"local bad configuration", map[string]string{"GATEWAY_ADDR": "nonsense"}, "", "GATEWAY_ADDR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, err := healthURL(func(k string) string { return tc.env[k] })
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.url, url)
		})
	}
}

// TestHealthCommand: `sessionhost health` exits 0 on a 200 from the
// address its shape implies, 1 otherwise with one line on stderr.
func TestHealthCommand(t *testing.T) {
	var status int
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.Method + " " + r.URL.Path
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"status":"unhealthy","stale":[{"poller":"command queue","lastSuccess":null}]}`)
	}))
	defer srv.Close()
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	free := freeAddr(t)

	cases := []struct {
		name   string
		env    map[string]string
		status int
		code   int
		stderr string
	}{
		{"AWS healthy", map[string]string{"GATEWAY_TABLE": "t", "GATEWAY_HEALTH_ADDR": "127.0.0.1:" + port}, 200, 0, ""},
		{"AWS unhealthy", map[string]string{"GATEWAY_TABLE": "t", "GATEWAY_HEALTH_ADDR": "127.0.0.1:" + port}, 503, 1,
			"sessionhost health check: 503 Service Unavailable: stale: command queue (never)\n"},
		{"AWS not running", map[string]string{"GATEWAY_TABLE": "t", "GATEWAY_HEALTH_ADDR": free}, 200, 1, "connection refused"},
		{"AWS bad address", map[string]string{"GATEWAY_TABLE": "t", "GATEWAY_HEALTH_ADDR": "10.0.0.1:" + port}, 200, 1,
			"sessionhost health: GATEWAY_HEALTH_ADDR"},
		{"local healthy, asked on loopback", map[string]string{"GATEWAY_ADDR": "0.0.0.0:" + port}, 200, 0, ""},
		{"local failing", map[string]string{"GATEWAY_ADDR": "127.0.0.1:" + port}, 500, 1, "500 Internal Server Error"},
		{"local not running", map[string]string{"GATEWAY_ADDR": free}, 200, 1, "connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, path = tc.status, ""
			tc.env["GATEWAY_DATA_DIR"] = t.TempDir() + "/data"
			r := cli(t, tc.env, "health")
			require.Equal(t, tc.code, r.code, r.stderr)
			require.Empty(t, r.stdout)
			if tc.stderr == "" {
				require.Empty(t, r.stderr)
				require.Equal(t, "GET /health", path)
			} else {
				require.Contains(t, r.stderr, tc.stderr)
				require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			}
			require.NoDirExists(t, tc.env["GATEWAY_DATA_DIR"], "a health check creates nothing")
		})
	}
}

// TestHealthCommandOnLocalGateway: the same command on the real local
// gateway (its public GET /health).
func TestHealthCommandOnLocalGateway(t *testing.T) {
	g := startGateway(t, nil)
	addr := strings.TrimPrefix(g.base, "http://")
	r := cli(t, map[string]string{"GATEWAY_ADDR": addr}, "health")
	require.Equal(t, 0, r.code, r.stderr)
	g.stop()
	r = cli(t, map[string]string{"GATEWAY_ADDR": addr}, "health")
	require.Equal(t, 1, r.code)
}

// TestHelpNamesHealth: the help text documents the command and its
// variable.
func TestHelpNamesHealth(t *testing.T) {
	r := cli(t, nil, "help")
	require.Contains(t, r.stdout, "  sessionhost health ")
	require.Contains(t, r.stdout, "  GATEWAY_HEALTH_ADDR=127.0.0.1:8081\n")
	require.Contains(t, r.stdout, "OutboxLagSeconds")
}
