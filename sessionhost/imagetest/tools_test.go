//go:build imagetest

package imagetest

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// installHint is how a machine gets the tools; .ci/run does it in CI.
const installHint = "apt-get install -y --no-install-recommends buildah podman runc"

// tool runs one command-line tool. podman's default runtime (crun) cannot
// set rlimits on these machines, so every podman call names runc.
type tool struct {
	t    *testing.T
	path string
	pre  []string // arguments before the subcommand
}

// lookTool finds name on PATH; a missing tool fails the test, since a
// skipped image test would pass CI with the image untested.
func lookTool(t *testing.T, name string, pre ...string) tool {
	t.Helper()
	path, err := exec.LookPath(name)
	require.NoError(t, err, "the image test needs %s (%s)", name, installHint)
	return tool{t: t, path: path, pre: pre}
}

// try runs the tool and returns its trimmed stdout, or an error that
// quotes its stderr.
func (tl tool) try(args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(tl.path, append(append([]string{}, tl.pre...), args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), &toolError{cmd: strings.Join(cmd.Args, " "), err: err, stderr: stderr.String()}
	}
	return strings.TrimSpace(stdout.String()), nil
}

// run is try that fails the test on an error.
func (tl tool) run(args ...string) string {
	tl.t.Helper()
	out, err := tl.try(args...)
	require.NoError(tl.t, err)
	return out
}

type toolError struct {
	cmd, stderr string
	err         error
}

func (e *toolError) Error() string { return e.cmd + ": " + e.err.Error() + "\n" + e.stderr }
func (e *toolError) Unwrap() error { return e.err }

// imageInfo is what the test checks of a built image (podman image inspect).
type imageInfo struct {
	Architecture string
	Os           string
	Size         int64
	Config       struct {
		User       string
		Entrypoint []string
		Cmd        []string
		Env        []string
	}
}

func (tl tool) inspectImage(ref string) imageInfo {
	tl.t.Helper()
	var infos []imageInfo
	require.NoError(tl.t, json.Unmarshal([]byte(tl.run("image", "inspect", ref)), &infos))
	require.Len(tl.t, infos, 1)
	return infos[0]
}
