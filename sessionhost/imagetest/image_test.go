//go:build imagetest

package imagetest

import (
	"crypto/rand"
	"debug/buildinfo"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = "../.."

// contextFiles is everything make build puts in an image context.
var contextFiles = []string{"Dockerfile", "group", "passwd", "sessionhost"}

// TestImage builds the session host image for linux/arm64 from dist/host,
// as the deployment does, and checks what it is; then builds the same
// Dockerfile over the linux/amd64 twin of the binary (dist/host-amd64: this
// machine cannot run arm64 code without emulation) and runs the sandbox
// flow through that image, read-only and as the non-root user.
func TestImage(t *testing.T) {
	buildah := lookTool(t, "buildah")
	lookTool(t, "runc")
	podman := lookTool(t, "podman", "--runtime", "runc")

	armDir := checkContext(t, "dist/host", "arm64")
	amdDir := checkContext(t, "dist/host-amd64", "amd64")
	armDockerfile, err := os.ReadFile(filepath.Join(armDir, "Dockerfile"))
	require.NoError(t, err)
	amdDockerfile, err := os.ReadFile(filepath.Join(amdDir, "Dockerfile"))
	require.NoError(t, err)
	require.Equal(t, string(armDockerfile), string(amdDockerfile), "both images come from one Dockerfile")

	suffix := strings.ToLower(rand.Text()[:10])
	armImage := "localhost/wagateway-sessionhost-imagetest:arm64-" + suffix
	amdImage := "localhost/wagateway-sessionhost-imagetest:amd64-" + suffix
	t.Cleanup(func() {
		for _, ref := range []string{armImage, amdImage} {
			if _, err := podman.try("image", "exists", ref); err == nil {
				_, err := podman.try("rmi", "--force", ref)
				require.NoError(t, err, "remove the test image %s", ref)
			}
		}
	})

	armTook := buildImage(t, buildah, "linux/arm64", armDir, armImage)
	arm := podman.inspectImage(armImage)
	require.Equal(t, "arm64", arm.Architecture)
	require.Equal(t, "linux", arm.Os)
	require.Equal(t, "65532:65532", arm.Config.User, "runs as the non-root user of passwd")
	require.Equal(t, []string{"/sessionhost"}, arm.Config.Entrypoint)
	require.Empty(t, arm.Config.Cmd)
	t.Logf("linux/arm64 image: %.1f MB, built in %s without emulation", float64(arm.Size)/1e6, armTook.Round(time.Millisecond))

	amdTook := buildImage(t, buildah, "linux/amd64", amdDir, amdImage)
	amd := podman.inspectImage(amdImage)
	require.Equal(t, "amd64", amd.Architecture)
	require.Equal(t, arm.Config, amd.Config, "the twin differs only in its architecture")
	t.Logf("linux/amd64 twin: %.1f MB, built in %s", float64(amd.Size)/1e6, amdTook.Round(time.Millisecond))

	runSandboxFlow(t, podman, amdImage, suffix)
}

// checkContext checks a context directory of make build: exactly the
// expected files, a binary for goarch built the release way (static,
// trimmed, the nodynamic tag, no VCS stamp) carrying its own CA roots
// (the image has no CA bundle), and the gateway user.
func checkContext(t *testing.T, dir, goarch string) string {
	t.Helper()
	path := filepath.Join(repoRoot, dir)
	entries, err := os.ReadDir(path)
	require.NoError(t, err, "%s: run make build (make image-test does)", dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Equal(t, contextFiles, names, "%s holds exactly the image's files", dir)

	info, err := buildinfo.ReadFile(filepath.Join(path, "sessionhost"))
	require.NoError(t, err)
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	require.Equal(t, goarch, settings["GOARCH"], dir)
	require.Equal(t, "0", settings["CGO_ENABLED"], dir)
	require.Equal(t, "true", settings["-trimpath"], dir)
	require.Contains(t, strings.Split(settings["-tags"], ","), "nodynamic", dir)
	require.NotContains(t, settings, "vcs.revision", "%s: a VCS stamp would change the image with every commit", dir)
	require.True(t, slices.ContainsFunc(info.Deps, func(m *debug.Module) bool {
		return m.Path == "golang.org/x/crypto/x509roots/fallback"
	}), "%s: the binary carries its CA roots (sessionhost/roots.go)", dir)

	passwd, err := os.ReadFile(filepath.Join(path, "passwd"))
	require.NoError(t, err)
	require.Equal(t, "gateway:x:65532:65532:gateway:/nonexistent:/usr/sbin/nologin\n", string(passwd))
	group, err := os.ReadFile(filepath.Join(path, "group"))
	require.NoError(t, err)
	require.Equal(t, "gateway:x:65532:\n", string(group))
	return path
}

// buildImage builds dir's Dockerfile as ref for platform and returns how
// long it took. A fixed timestamp and no identity label make the image
// the same for the same context.
func buildImage(t *testing.T, buildah tool, platform, dir, ref string) time.Duration {
	t.Helper()
	start := time.Now()
	buildah.run("build", "--quiet", "--pull=never", "--platform", platform,
		"--timestamp", "0", "--identity-label=false", "--tag", ref, dir)
	return time.Since(start)
}
