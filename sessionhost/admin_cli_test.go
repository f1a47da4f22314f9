package main

import (
	"bytes"
	"context"
	"github.com/wagateway/wagateway/internal/local"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/tenant"
)

// cli runs `sessionhost args...` in this process, as main does, with the
// environment env.
func cli(t *testing.T, env map[string]string, args ...string) ran {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return ran{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// TestAdminCLIBesideRunningGateway: the admin CLI works on the data dir
// of a running gateway, which honours what it did: a new key at once, a
// deleted one within gateway.KeyCacheTTL.
func TestAdminCLIBesideRunningGateway(t *testing.T) {
	g := startGateway(t, nil)
	env := map[string]string{"GATEWAY_DATA_DIR": g.dataDir}

	r := cli(t, env, "admin", "tenant", "create", "acme")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "tenant acme created\n", r.stdout)

	r = cli(t, env, "admin", "key", "create", "acme")
	require.Equal(t, 0, r.code, r.stderr)
	m := demoKeyLine.FindStringSubmatch(r.stdout)
	require.NotNil(t, m, r.stdout)
	verbose := m[1]
	id, err := tenant.KeyID(verbose)
	require.NoError(t, err)
	require.Contains(t, r.stdout, "shown only this once")
	require.Contains(t, r.stdout, "admin key delete acme "+id, "says how to delete it")

	r = cli(t, env, "admin", "key", "create", "acme", "--quiet")
	require.Equal(t, 0, r.code, r.stderr)
	require.Regexp(t, `^wgk_[0-9a-f]{16}_\S+\n$`, r.stdout, "only the key, one line")
	key := strings.TrimSpace(r.stdout)
	keyID, err := tenant.KeyID(key)
	require.NoError(t, err)

	for _, k := range []string{verbose, key} {
		require.Equal(t, http.StatusOK, g.do("GET", "/instance/list", nil, as(k)...).Status, "a key made by the CLI works at once")
	}
	r = cli(t, env, "admin", "key", "delete", "acme", keyID)
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "key "+keyID+" deleted\n", r.stdout)
	deleted := time.Now()
	require.Eventually(t, func() bool {
		return g.do("GET", "/instance/list", nil, as(key)...).Status == http.StatusUnauthorized
	}, gateway.KeyCacheTTL+time.Second, 10*time.Millisecond, "a key deleted by the CLI stops working within KeyCacheTTL")
	require.Less(t, time.Since(deleted), gateway.KeyCacheTTL+time.Second)
	require.Equal(t, http.StatusOK, g.do("GET", "/instance/list", nil, as(verbose)...).Status)
	require.Equal(t, http.StatusOK, g.do("GET", "/instance/list", nil, as(g.demoKey)...).Status)

	// The CLI seeds nothing: the demo tenant and acme, no operator key.
	require.EqualValues(t, 2, g.do("GET", "/health", nil).JSON(t)["tenants"])
	_, ok, err := g.app.Store.Setting(context.Background(), local.AdminKeySetting)
	require.NoError(t, err)
	require.False(t, ok, "GATEWAY_ADMIN_KEY is set: no operator key was generated, by the gateway or the CLI")
}

func TestAdminCLIErrors(t *testing.T) {
	g := startGateway(t, nil)
	env := map[string]string{"GATEWAY_DATA_DIR": g.dataDir}
	require.Equal(t, 0, cli(t, env, "admin", "tenant", "create", "acme").code)
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"duplicate tenant", []string{"admin", "tenant", "create", "acme"}, 1, "Tenant already exists"},
		{"bad tenant id", []string{"admin", "tenant", "create", "Acme_1"}, 1, "lower-case"},
		{"key for a missing tenant", []string{"admin", "key", "create", "ghost"}, 1, "Tenant not found"},
		{"delete an unknown key", []string{"admin", "key", "delete", "acme", "0123456789abcdef"}, 1, "not found"},
		{"no command", []string{"admin"}, 2, "usage: sessionhost admin"},
		{"unknown command", []string{"admin", "tenant", "delete", "acme"}, 2, "usage: sessionhost admin"},
		{"missing argument", []string{"admin", "key", "delete", "acme"}, 2, "usage: sessionhost admin"},
		{"extra argument", []string{"admin", "key", "create", "acme", "more"}, 2, "usage: sessionhost admin"},
		{"unknown flag", []string{"admin", "key", "create", "acme", "--json"}, 2, "usage: sessionhost admin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, env, tc.args...)
			require.Equal(t, tc.code, r.code, r.stderr)
			require.Empty(t, r.stdout)
			require.Contains(t, r.stderr, tc.stderr)
			require.NotContains(t, r.stderr, "level=", "plain text, not a log line")
		})
	}
}

// TestAdminCLIOperatorKey: `admin operator-key` replaces the operator key
// of a running gateway at once.
func TestAdminCLIOperatorKey(t *testing.T) {
	g := startGateway(t, func(c *config.Local) { c.AdminKey = "" })
	env := map[string]string{"GATEWAY_DATA_DIR": g.dataDir}
	createTenant := func(key, id string) int {
		return g.do("POST", "/admin/tenants", map[string]any{"tenantId": id}, "x-admin-key", key).Status
	}
	require.Equal(t, http.StatusUnauthorized, createTenant(testAdminKey, "t0"))

	r := cli(t, env, "admin", "operator-key")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "x-admin-key")
	first := regexpFind(t, `(?m)^\s+(wga_\S+)$`, r.stdout)
	require.Equal(t, http.StatusCreated, createTenant(first, "t1"), "honoured without a restart")

	r = cli(t, env, "admin", "operator-key", "--quiet")
	require.Equal(t, 0, r.code, r.stderr)
	require.Regexp(t, `^wga_\S+\n$`, r.stdout, "only the key, one line")
	second := strings.TrimSpace(r.stdout)
	require.Equal(t, http.StatusCreated, createTenant(second, "t2"))
	require.Equal(t, http.StatusUnauthorized, createTenant(first, "t3"), "the old key stops at once")

	stored, ok, err := g.app.Store.Setting(context.Background(), local.AdminKeySetting)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, tenant.Hash(second), stored, "only the hash is stored")

	r = cli(t, map[string]string{"GATEWAY_DATA_DIR": g.dataDir, "GATEWAY_ADMIN_KEY": testAdminKey}, "admin", "operator-key")
	require.Equal(t, 1, r.code)
	require.Empty(t, r.stdout)
	require.Contains(t, r.stderr, "GATEWAY_ADMIN_KEY")
	require.Equal(t, http.StatusCreated, createTenant(second, "t4"), "a refused command changes nothing")
}

// TestAdminCLIWithoutDatabase: the CLI never creates a database, so a
// mistyped GATEWAY_DATA_DIR fails instead of making keys nobody serves.
func TestAdminCLIWithoutDatabase(t *testing.T) {
	cases := []struct {
		name    string
		dataDir func(t *testing.T) string
	}{
		{"missing dir", func(t *testing.T) string { return filepath.Join(t.TempDir(), "data") }},
		{"empty dir", func(t *testing.T) string { return t.TempDir() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dataDir(t)
			for _, args := range [][]string{
				{"admin", "tenant", "create", "acme"},
				{"admin", "key", "create", "demo", "--quiet"},
				{"admin", "operator-key"},
			} {
				r := cli(t, map[string]string{"GATEWAY_DATA_DIR": dir}, args...)
				require.Equal(t, 1, r.code, "%v: %s", args, r.stderr)
				require.Empty(t, r.stdout)
				require.Contains(t, r.stderr, "no gateway database in "+dir)
				require.Contains(t, r.stderr, "go run ./sessionhost")
			}
			if _, err := os.Stat(dir); err == nil {
				entries, err := os.ReadDir(dir)
				require.NoError(t, err)
				require.Empty(t, entries, "the CLI creates nothing")
			}
		})
	}
}

// regexpFind returns the first group of pattern in s.
func regexpFind(t *testing.T, pattern, s string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	require.NotNil(t, m, "%s in %q", pattern, s)
	return m[1]
}
