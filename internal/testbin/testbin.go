// Package testbin builds the project's own binaries for tests that run
// them as processes (kill -9, the Lambda runtime). A race-enabled test
// builds them with -race too: the binaries then reuse the packages the
// test run already compiled instead of compiling every dependency again in
// another configuration, which on a two-core CI machine costs minutes.
package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Build compiles the main package pkg (a path as `go build` takes it,
// relative to the test's directory) into dir/name with the build tags
// tags, and returns the binary's path.
func Build(t testing.TB, pkg, dir, name string, tags ...string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	for _, tag := range tags {
		args = append(args, "-tags", tag)
	}
	cmd := exec.Command("go", append(args, pkg)...)
	if !raceEnabled {
		// As Lambda runs them: static, no cgo.
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}
