package mediastore_test

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/mediastore"
	"github.com/wagateway/wagateway/internal/mediastore/mediastoretest"
)

var _ mediastoretest.Store = (*mediastore.Dir)(nil)

// newDir returns a Dir in a fresh temp directory, and its root.
func newDir(t *testing.T, clk clock.Clock, retention time.Duration) (*mediastore.Dir, string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "media")
	d, err := mediastore.NewDir(root, retention, clk)
	require.NoError(t, err)
	return d, root
}

func TestDirConformance(t *testing.T) {
	mediastoretest.Run(t, func(t *testing.T, clk clock.Clock, retention time.Duration) mediastoretest.Store {
		d, root := newDir(t, clk, retention)
		// Whatever a case did, no temp file may outlive it.
		t.Cleanup(func() { requireNoTemps(t, root) })
		return d
	})
}

func requireNoTemps(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, e os.DirEntry, err error) error {
		require.NoError(t, err)
		require.False(t, strings.HasPrefix(e.Name(), ".put-"), "leftover temp file %s", path)
		return nil
	})
	require.NoError(t, err)
}

func TestNewDirRejects(t *testing.T) {
	_, err := mediastore.NewDir("", time.Hour, clock.Real{})
	require.Error(t, err)
	_, err = mediastore.NewDir(t.TempDir(), 0, clock.Real{})
	require.Error(t, err)
	_, err = mediastore.NewDir(t.TempDir(), time.Hour, nil)
	require.Error(t, err)
}

// zeros is an endless stream of zero bytes that allocates nothing.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestDirPutStreams puts 100 MB and checks that Put held only a small
// buffer, not the content, in memory.
func TestDirPutStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100 MB")
	}
	const size = 100 << 20
	d, _ := newDir(t, clock.Real{}, time.Hour)
	k := mediastore.Key{Instance: "acme__a__b", MessageID: "big"}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	obj, err := d.Put(t.Context(), k, mediastore.Meta{}, io.LimitReader(zeros{}, size), size)
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Equal(t, int64(size), obj.Size)
	// SHA-256 of 100 MiB of zeros.
	require.Equal(t, "20492a4d0d84f8beb1767f6616229f85d44c2827b64bdbfb260ee12fa1109e0e", obj.SHA256)
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "bytes allocated by one 100 MB Put")
}

// TestDirSweep checks that Sweep removes exactly the objects past
// retention, and temp files of crashed Puts.
func TestDirSweep(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))
	d, root := newDir(t, clk, 10*time.Hour)
	ctx := t.Context()
	old := mediastore.Key{Instance: "acme__a__b", MessageID: "old"}
	young := mediastore.Key{Instance: "acme__a__c", MessageID: "young"}
	_, err := d.Put(ctx, old, mediastore.Meta{}, strings.NewReader("old"), 100)
	require.NoError(t, err)
	clk.Advance(5 * time.Hour)
	_, err = d.Put(ctx, young, mediastore.Meta{}, strings.NewReader("young"), 100)
	require.NoError(t, err)

	n, err := d.Sweep(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing is due yet")

	clk.Advance(5 * time.Hour) // old is exactly at retention now
	n, err = d.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoFileExists(t, filepath.Join(root, "acme__a__b", "old"))
	rc, _, err := d.Open(ctx, young)
	require.NoError(t, err)
	require.NoError(t, rc.Close())

	// A temp file of a Put that crashed goes once it is a day old.
	stale := filepath.Join(root, "acme__a__c", ".put-crashed")
	require.NoError(t, os.WriteFile(stale, []byte("partial"), 0o600))
	require.NoError(t, os.Chtimes(stale, clk.Now(), clk.Now()))
	_, err = d.Sweep(ctx)
	require.NoError(t, err)
	require.FileExists(t, stale, "a young temp file may belong to a running Put")
	clk.Advance(24 * time.Hour)
	n, err = d.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "young is due too")
	require.NoFileExists(t, stale)
}

// TestDirCorruptFile checks that a file without a valid trailer is an
// error, never content, and that Sweep reports it and goes on.
func TestDirCorruptFile(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))
	d, root := newDir(t, clk, time.Hour)
	ctx := t.Context()
	k := mediastore.Key{Instance: "acme__a__b", MessageID: "good"}
	_, err := d.Put(ctx, k, mediastore.Meta{}, strings.NewReader("good"), 100)
	require.NoError(t, err)
	for _, content := range []string{"", "short", strings.Repeat("x", 100)} {
		require.NoError(t, os.WriteFile(filepath.Join(root, "acme__a__b", "bad"), []byte(content), 0o600))
		_, _, err = d.Open(ctx, mediastore.Key{Instance: "acme__a__b", MessageID: "bad"})
		require.ErrorContains(t, err, "corrupt")
		require.NotErrorIs(t, err, mediastore.ErrNotFound)
	}
	clk.Advance(time.Hour)
	n, err := d.Sweep(ctx)
	require.ErrorContains(t, err, "acme__a__b/bad")
	require.Equal(t, 1, n, "the good, expired object is swept anyway")
}

// TestDirPermissions checks that media is private to the gateway's user.
func TestDirPermissions(t *testing.T) {
	d, root := newDir(t, clock.Real{}, time.Hour)
	_, err := d.Put(t.Context(), mediastore.Key{Instance: "acme__a__b", MessageID: "m1"}, mediastore.Meta{}, strings.NewReader("x"), 10)
	require.NoError(t, err)
	for path, want := range map[string]os.FileMode{
		root:                                    0o700,
		filepath.Join(root, "acme__a__b"):       0o700,
		filepath.Join(root, "acme__a__b", "m1"): 0o600,
	} {
		info, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, want, info.Mode().Perm(), path)
	}
}
