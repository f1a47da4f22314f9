package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReleaseBuildsAreStatic: the release builds (the session host's
// binary for its image and the Lambda zips, all built by the Makefile)
// carry the nodynamic build tag. Without it the WebP encoder behind
// stickers (github.com/gen2brain/webp) links purego, whose fake cgo makes
// a CGO_ENABLED=0 binary need libc at run time: the image, FROM scratch,
// has none and the session host would not start. go test builds do not
// show it, so the commands themselves are checked. (make build also
// checks the binaries it makes have no loader.)
func TestReleaseBuildsAreStatic(t *testing.T) {
	b, err := os.ReadFile("../Makefile")
	require.NoError(t, err)
	makefile := string(b)
	for _, target := range []string{"./sessionhost", "./functions/$*"} {
		build := regexp.MustCompile(`CGO_ENABLED=0 [^\n]*\$\(GO\) build -tags (\S*,)?nodynamic(,\S*)? [^\n]*(\\\n[^\n]*)?` +
			regexp.QuoteMeta(target) + `\n`)
		require.True(t, build.MatchString(makefile), "the Makefile builds %s without CGO_ENABLED=0 and -tags nodynamic", target)
	}
}

// TestHostImageBuildsNothing: the session host's Dockerfile only copies
// what make build made into a scratch image. No base image means nothing
// to pull (no registry, no rate limit) and no build machine's files in the
// image; no RUN means an arm64 image builds on amd64 without emulation.
func TestHostImageBuildsNothing(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	require.NoError(t, err)
	var from []string
	for _, line := range strings.Split(string(b), "\n") {
		word, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch strings.ToUpper(word) {
		case "FROM":
			from = append(from, line)
		case "RUN", "ADD", "ONBUILD":
			t.Errorf("Dockerfile: %q: the image must only COPY what make build made", line)
		}
	}
	require.Equal(t, []string{"FROM scratch"}, from, "one stage, FROM scratch")
	require.Contains(t, string(b), "\nUSER 65532:65532\n", "runs as the non-root user of dist/host/passwd")
	require.Contains(t, string(b), `ENTRYPOINT ["/sessionhost"]`)
}
