package main

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/tenant"
	"github.com/wagateway/wagateway/internal/testbin"
)

// ran is one finished run of the binary.
type ran struct {
	code           int
	stdout, stderr string
}

// runBin runs bin with args and the environment env (added to this
// process's, minus every GATEWAY_ variable) and waits for it to exit.
func runBin(t *testing.T, bin string, env []string, args ...string) ran {
	t.Helper()
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEWAY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return ran{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// TestCommandLineProcess runs the real binary: what it prints where, and
// its exit codes, for help, wrong arguments, ignored settings, and the
// admin CLI next to a running gateway.
func TestCommandLineProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the gateway binary")
	}
	dir := t.TempDir()
	bin := testbin.Build(t, ".", dir, "sessionhost")
	// A busy port: a start that gets past its arguments fails at once
	// instead of serving (before the fix, --help started the gateway).
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()

	cases := []struct {
		name      string
		args      []string
		env       []string
		code      int
		stdout    []string // each must appear
		stderr    []string
		noStdout  bool
		noStderr  bool
		notStderr string // must not appear
		noDataDir bool   // nothing may be created
	}{
		{name: "--help", args: []string{"--help"}, code: 0,
			stdout:   []string{"usage:", "GATEWAY_DATA_DIR", "./data", "GATEWAY_ADDR", "127.0.0.1:8080", "admin key create", "admin operator-key"},
			noStderr: true, noDataDir: true},
		{name: "-h", args: []string{"-h"}, code: 0, stdout: []string{"usage:", "GATEWAY_DRIVER"}, noStderr: true, noDataDir: true},
		{name: "help", args: []string{"help"}, code: 0, stdout: []string{"usage:", "GATEWAY_LOG_FORMAT"}, noStderr: true, noDataDir: true},
		{name: "unknown argument", args: []string{"serve"}, code: 2, stderr: []string{`"serve"`, "usage:"}, noStdout: true, noDataDir: true},
		{name: "admin without command", args: []string{"admin"}, code: 2,
			stderr: []string{"usage: sessionhost admin", "key create <tenantId>"}, noStdout: true,
			notStderr: "sessionhost stopped", noDataDir: true},
		{name: "admin missing argument", args: []string{"admin", "key", "create"}, code: 2,
			stderr: []string{"usage: sessionhost admin"}, noStdout: true, notStderr: "level=", noDataDir: true},
		{name: "admin --help", args: []string{"admin", "--help"}, code: 0,
			stdout: []string{"usage: sessionhost admin", "--quiet"}, noStderr: true, noDataDir: true},
		{name: "scales ignored without sandbox", code: 1,
			env:    []string{"GATEWAY_LANE_DELAY_SCALE=0.5", "GATEWAY_WEBHOOK_RETRY_SCALE=0.5"},
			stderr: []string{"level=WARN", "GATEWAY_LANE_DELAY_SCALE", "GATEWAY_WEBHOOK_RETRY_SCALE", "ignored", "sandbox", "address already in use"},
			// The port is busy: no key may be printed (it would be lost).
			noStdout: true, noDataDir: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dataDir := filepath.Join(t.TempDir(), "data")
			env := append([]string{"GATEWAY_ADDR=" + busy.Addr().String(), "GATEWAY_DATA_DIR=" + dataDir}, tc.env...)
			r := runBin(t, bin, env, tc.args...)
			require.Equal(t, tc.code, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			for _, s := range tc.stdout {
				require.Contains(t, r.stdout, s)
			}
			for _, s := range tc.stderr {
				require.Contains(t, r.stderr, s)
			}
			if tc.noStdout {
				require.Empty(t, r.stdout)
			}
			if tc.noStderr {
				require.Empty(t, r.stderr)
			}
			if tc.notStderr != "" {
				require.NotContains(t, r.stderr, tc.notStderr)
			}
			if tc.noDataDir {
				require.NoDirExists(t, dataDir)
			}
		})
	}

	t.Run("admin next to a running gateway", func(t *testing.T) {
		dataDir := filepath.Join(t.TempDir(), "data")
		p, demoKey := startProcess(t, bin, dataDir)
		require.NotEmpty(t, demoKey)
		env := []string{"GATEWAY_DATA_DIR=" + dataDir}
		get := func(key string) int {
			req, err := http.NewRequest("GET", "http://"+p.addr+"/instance/list", nil)
			require.NoError(t, err)
			req.Header.Set("apikey", key)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			return res.StatusCode
		}

		r := runBin(t, bin, env, "admin", "tenant", "create", "acme")
		require.Equal(t, 0, r.code, r.stderr)
		require.Equal(t, "tenant acme created\n", r.stdout)

		r = runBin(t, bin, env, "admin", "key", "create", "acme", "--quiet")
		require.Equal(t, 0, r.code, r.stderr)
		key := strings.TrimSuffix(r.stdout, "\n")
		require.NotContains(t, key, "\n", "--quiet prints one line")
		keyID, err := tenant.KeyID(key)
		require.NoError(t, err, "--quiet prints only the key: %q", r.stdout)
		require.Equal(t, http.StatusOK, get(key), "a key made by the CLI works at once")

		r = runBin(t, bin, env, "admin", "key", "delete", "acme", keyID)
		require.Equal(t, 0, r.code, r.stderr)
		require.Eventually(t, func() bool { return get(key) == http.StatusUnauthorized },
			gateway.KeyCacheTTL+2*time.Second, 20*time.Millisecond, "a key deleted by the CLI stops working within KeyCacheTTL")
		require.Equal(t, http.StatusOK, get(demoKey))

		// The CLI never seeds: no second demo tenant, no operator key.
		require.NotContains(t, r.stdout+r.stderr, "wga_")
		require.NotContains(t, r.stdout+r.stderr, "wgk_")
	})

	t.Run("admin on a data dir without a database", func(t *testing.T) {
		dataDir := filepath.Join(t.TempDir(), "data")
		r := runBin(t, bin, []string{"GATEWAY_DATA_DIR=" + dataDir}, "admin", "tenant", "create", "acme")
		require.Equal(t, 1, r.code)
		require.Empty(t, r.stdout)
		require.Contains(t, r.stderr, "no gateway database")
		require.Contains(t, r.stderr, dataDir)
		require.NoDirExists(t, dataDir, "the CLI creates nothing")
	})
}
