package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// imageHash synthesizes the one-shard stack over repo and returns its
// session host image's asset hash (the tag the tasks run).
func imageHash(t *testing.T, repo string) string {
	t.Helper()
	f := synthProps(t, newTestApp(t, false), testProps(t, 1, repo))
	images := imageAssets(t, f.outdir)
	require.Len(t, images, 1)
	for hash := range images {
		return hash
	}
	return ""
}

// TestImageHashOnlyFromHost: the session host image depends on dist/host
// alone, so a change elsewhere in the repository (a README) leaves its
// hash, and the running tasks, alone; a new binary changes it.
func TestImageHashOnlyFromHost(t *testing.T) {
	base := imageHash(t, fakeRepo(t, "# first\n"))
	require.NotEmpty(t, base)
	require.Equal(t, base, imageHash(t, fakeRepo(t, "# second, a different README\n")),
		"a file outside dist/host changed the image")

	rebuilt := fakeRepo(t, "# first\n")
	require.NoError(t, os.WriteFile(filepath.Join(rebuilt, "dist", "host", "sessionhost"), []byte("another binary\n"), 0o755))
	require.NotEqual(t, base, imageHash(t, rebuilt), "a new binary must make a new image")
}
