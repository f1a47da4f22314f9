package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
)

// updateScreenshotsEnv, set to 1, rewrites the README's screenshots of
// the console (docs/screenshots/console-*.png); normal runs leave the
// tree alone.
const updateScreenshotsEnv = "WAGATEWAY_UPDATE_SCREENSHOTS"

// TestConsoleInBrowser runs the console in real headless Chromium against
// this gateway (sandbox driver): sign in, create an instance, link it by
// its QR code, send, receive (markup from a stranger included), redeliver
// a dead delivery, settings, queue and flush, a 375 px screen, the
// keyboard, and the operator's tenants and keys. The steps are in
// internal/console/browsertest/console.cjs; their screenshots go to
// test-output/console/.
func TestConsoleInBrowser(t *testing.T) {
	root := moduleRoot(t)
	chromium := browserPrereqs(t, root)

	// Retries in milliseconds: the first deliveries to the test's failing
	// receiver are dead within a second.
	g := startGateway(t, func(c *config.Local) { c.WebhookRetryScale = 0.01 })
	key := g.newTenant("acme")

	out := filepath.Join(root, "test-output", "console")
	require.NoError(t, os.RemoveAll(out))
	readme := ""
	if os.Getenv(updateScreenshotsEnv) == "1" {
		readme = filepath.Join(root, "docs", "screenshots")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(root, "internal", "console", "browsertest", "console.cjs"))
	cmd.Env = append(os.Environ(),
		"NODE_PATH="+filepath.Join(root, ".cache", "browser", "node_modules"),
		"CONSOLE_URL="+g.base,
		"CONSOLE_APIKEY="+key,
		"CONSOLE_TENANT=acme",
		"CONSOLE_ADMIN_KEY="+testAdminKey,
		"CONSOLE_OUT="+out,
		"CONSOLE_README="+readme,
		"CHROMIUM="+chromium,
	)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	err := cmd.Run()
	t.Logf("console browser test (screenshots in %s):\n%s", out, output.String())
	require.NoError(t, err, "the console's browser test failed; its output is above")
}

// browserPrereqs returns Chromium's path, failing (never skipping) with
// what to install when the browser or the Node packages are missing: a
// skipped test would let a broken console pass.
func browserPrereqs(t *testing.T, root string) string {
	t.Helper()
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("the console's browser test needs Chromium at %s: apt-get install chromium (or set CHROMIUM)", chromium)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("the console's browser test needs Node.js 20+ (node) on PATH")
	}
	for _, pkg := range []string{"playwright-core", "jsqr"} {
		if _, err := os.Stat(filepath.Join(root, ".cache", "browser", "node_modules", pkg, "package.json")); err != nil {
			t.Fatalf("the console's browser test needs the npm package %s in .cache/browser: run `make browser`", pkg)
		}
	}
	return chromium
}

// moduleRoot is the directory of go.mod, found upwards from the test's
// working directory (the package's), wherever the checkout is.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test's directory")
		dir = parent
	}
}
