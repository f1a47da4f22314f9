package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
)

// TestGitignore: git ignores every data directory the README suggests
// (GATEWAY_DATA_DIR=...) and every build output, and no source file.
func TestGitignore(t *testing.T) {
	root := ".." // the module root, where .gitignore and README.md are
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		t.Skip("not a git work tree")
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	dirs := map[string]bool{strings.TrimPrefix(config.DefaultDataDir, "./"): true}
	for _, m := range regexp.MustCompile(`GATEWAY_DATA_DIR=(?:\./)?([\w.-]+)`).FindAllStringSubmatch(string(readme), -1) {
		dirs[m[1]] = true
	}
	require.Contains(t, dirs, "data-sandbox", "the README's sandbox data dir")
	var ignored []string
	for d := range dirs {
		ignored = append(ignored, d+"/gateway.db", d+"/gateway.db.lock")
	}
	ignored = append(ignored,
		"infra/infra", "sessionhost/sessionhost", // go build in the package's directory
		"functions/api/bootstrap", "functions/webhooks/bootstrap", // go build -o bootstrap, as Lambda wants it
		"functions/api/api", "functions/webhooks/webhooks",
		"dist/api.zip", "cdk.out/manifest.json", "bench.txt")

	isIgnored := func(path string) bool {
		// --no-index: by the patterns alone, also for a file git tracks.
		err := exec.Command("git", "-C", root, "check-ignore", "-q", "--no-index", path).Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 1 {
			return false
		}
		require.NoError(t, err, "git check-ignore %s", path)
		return true
	}
	for _, p := range ignored {
		require.True(t, isIgnored(p), "%s: not in .gitignore", p)
	}
	for _, p := range []string{"README.md", "sessionhost/main.go", "infra/main.go", "functions/api/main.go",
		"internal/sqlite/db.go", "internal/sqlite/migrations/0001_state.sql", "Makefile"} {
		require.False(t, isIgnored(p), "%s: a source file is ignored", p)
	}
}
