package main

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReleaseBuildsAreStatic: the release builds (the session host image
// and the Lambda zips) carry the nodynamic build tag. Without it the WebP
// encoder behind stickers (github.com/gen2brain/webp) links purego, whose
// fake cgo makes a CGO_ENABLED=0 binary need libc at run time: the
// distroless/static image has none and the session host would not start.
// go test builds do not show it, so the commands themselves are checked.
func TestReleaseBuildsAreStatic(t *testing.T) {
	build := regexp.MustCompile(`build -tags (\S*,)?nodynamic(,\S*)? `)
	for _, file := range []string{"Dockerfile", "../Makefile"} {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		require.Regexp(t, build, string(b), "%s builds without -tags nodynamic", file)
	}
}
