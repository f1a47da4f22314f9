package main

import (
	"bytes"
	"context"
	"github.com/wagateway/wagateway/internal/local"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
)

// localConfig is the configuration of `make run` on dataDir, with the
// sandbox driver and no GATEWAY_ADMIN_KEY.
func localConfig(t *testing.T, dataDir string) config.Local {
	t.Helper()
	cfg, err := config.LocalFromEnv(func(string) string { return "" })
	require.NoError(t, err)
	cfg.DataDir = dataDir
	cfg.Driver = config.DriverSandbox
	cfg.Addr = "127.0.0.1:0"
	return cfg
}

// startLocal runs runLocal until the test stops it; it returns once the
// gateway listens, with what it printed so far, and the stop function,
// which waits until runLocal has returned.
func startLocal(t *testing.T, cfg config.Local) (printed string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer // written before ready is sent, read after
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { errc <- local.Run(ctx, cfg, &out, log, ready) }()
	select {
	case <-ready:
	case err := <-errc:
		cancel()
		require.NoError(t, err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			require.NoError(t, <-errc)
		}
	}
	t.Cleanup(stop)
	return out.String(), stop
}

// TestStartOnBusyPortCreatesNothing: a start that cannot listen fails
// before it creates (and prints) any key, which would then be lost; the
// next start prints them.
func TestStartOnBusyPortCreatesNothing(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	dataDir := filepath.Join(t.TempDir(), "data")
	cfg := localConfig(t, dataDir)
	cfg.Addr = busy.Addr().String()

	var out bytes.Buffer
	err = local.Run(context.Background(), cfg, &out, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	require.ErrorContains(t, err, "address already in use")
	require.Empty(t, out.String(), "no key printed by a start that failed")
	require.NoDirExists(t, dataDir, "nothing created")

	printed, _ := startLocal(t, localConfig(t, dataDir))
	require.Contains(t, printed, "Operator key (header x-admin-key), shown only this once:\n  wga_")
	require.Contains(t, printed, "Tenant \"demo\" created. Its API key (header apikey), shown only this once:\n  wgk_")
}

// TestRestartSaysHowToGetNewKeys: every start that prints no key, because
// it was printed on the first one, says how to make a new one.
func TestRestartSaysHowToGetNewKeys(t *testing.T) {
	cases := []struct {
		name     string
		dataDir  func(t *testing.T) string
		adminKey string
		want     []string
		notWant  []string
	}{
		{name: "default data dir", dataDir: func(t *testing.T) string { t.Chdir(t.TempDir()); return "./data" },
			want: []string{
				"Tenant \"demo\" exists; its API key was shown on first start. A new one: go run ./sessionhost admin key create demo\n",
				"Operator key: shown on first start, kept only as a hash. A new one: go run ./sessionhost admin operator-key (or set GATEWAY_ADMIN_KEY)\n",
			}},
		{name: "other data dir", dataDir: func(t *testing.T) string { return filepath.Join(t.TempDir(), "data-sandbox") },
			want: []string{"A new one: GATEWAY_DATA_DIR=", "/data-sandbox go run ./sessionhost admin key create demo\n",
				"/data-sandbox go run ./sessionhost admin operator-key"}},
		{name: "operator key from the environment", dataDir: func(t *testing.T) string { return filepath.Join(t.TempDir(), "data") },
			adminKey: testAdminKey,
			want:     []string{"admin key create demo"}, notWant: []string{"Operator key", "wga_"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := localConfig(t, tc.dataDir(t))
			cfg.AdminKey = tc.adminKey
			first, stop := startLocal(t, cfg)
			require.Contains(t, first, "wgk_")
			stop()

			again, _ := startLocal(t, cfg)
			require.NotContains(t, again, "wgk_", "the key is not shown again")
			for _, s := range tc.want {
				require.Contains(t, again, s)
			}
			for _, s := range tc.notWant {
				require.NotContains(t, again, s)
			}
		})
	}
}

// TestUsage: help goes to stdout with exit 0, a wrong argument to stderr
// with exit 2, and neither starts anything.
func TestUsage(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout string // a prefix; empty: nothing printed
		stderr string // contained; empty: nothing printed
	}{
		{"help", []string{"help"}, nil, 0, "sessionhost: the WhatsApp gateway", ""},
		{"-h", []string{"-h"}, nil, 0, "sessionhost: the WhatsApp gateway", ""},
		{"--help", []string{"--help", "more"}, nil, 0, "sessionhost: the WhatsApp gateway", ""},
		{"help in the AWS shape", []string{"--help"}, map[string]string{"GATEWAY_TABLE": "t"}, 0, "sessionhost: the WhatsApp gateway", ""},
		{"unknown argument", []string{"--addr=:80"}, nil, 2, "", "unknown argument \"--addr=:80\"\n\nsessionhost: the WhatsApp"},
		{"admin help", []string{"admin", "help"}, nil, 0, "usage: sessionhost admin", ""},
		{"admin -h", []string{"admin", "key", "create", "-h"}, nil, 0, "usage: sessionhost admin", ""},
		{"admin wrong", []string{"admin", "tenants"}, nil, 2, "", "usage: sessionhost admin"},
		{"admin in the AWS shape", []string{"admin", "tenant", "create", "acme"}, map[string]string{"GATEWAY_TABLE": "t"}, 2, "",
			"GATEWAY_TABLE is set"},
		{"bad configuration", []string{"admin", "key", "create", "demo"}, map[string]string{"GATEWAY_DRIVER": "x"}, 2, "",
			"configuration: GATEWAY_DRIVER"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"GATEWAY_DATA_DIR": filepath.Join(t.TempDir(), "data")}
			for k, v := range tc.env {
				env[k] = v
			}
			r := cli(t, env, tc.args...)
			require.Equal(t, tc.code, r.code, r.stderr)
			if tc.stdout == "" {
				require.Empty(t, r.stdout)
			} else {
				require.True(t, strings.HasPrefix(r.stdout, tc.stdout), r.stdout)
			}
			if tc.stderr == "" {
				require.Empty(t, r.stderr)
			} else {
				require.Contains(t, r.stderr, tc.stderr)
			}
			require.NoDirExists(t, env["GATEWAY_DATA_DIR"])
		})
	}
	// The help lists every variable of the local gateway with its default.
	r := cli(t, nil, "help")
	for _, v := range config.LocalVars {
		require.Contains(t, r.stdout, "  "+v.Name+"=")
		if v.Default != "" {
			require.Contains(t, r.stdout, "  "+v.Name+"="+v.Default+"\n")
		}
	}
	for _, cmd := range []string{"admin tenant create <tenantId>", "admin key create <tenantId>",
		"admin key delete <tenantId> <keyId>", "admin operator-key", "--quiet"} {
		require.Contains(t, r.stdout, cmd)
	}
}

// TestSecondGatewayOnDataDir: a second gateway on a data dir in use stops
// at once and says why, whether it asks for the same port or another.
func TestSecondGatewayOnDataDir(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	cfg := localConfig(t, dataDir)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- local.Run(ctx, cfg, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)), ready) }()
	addr := <-ready
	defer func() { cancel(); require.NoError(t, <-errc) }()

	cases := []struct {
		name, addr, err string
	}{
		{"same port", addr, "address already in use (a gateway already runs on " + dataDir + ")"},
		{"another port", "127.0.0.1:0", "database is in use by another gateway process"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			second := localConfig(t, dataDir)
			second.Addr = tc.addr
			var out bytes.Buffer
			err := local.Run(context.Background(), second, &out, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
			require.ErrorContains(t, err, tc.err)
			require.Empty(t, out.String())
		})
	}
}
