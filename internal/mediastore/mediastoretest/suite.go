// Package mediastoretest is the conformance suite of the media store:
// every adapter (mediastore.Dir locally, s3media.Store on AWS) runs Run
// and must pass it unchanged.
//
// # The contract
//
//   - Put streams a reader into the object under a key and returns its
//     Object: size, lowercase hex SHA-256 of the bytes, the normalized Meta
//     and StoredAt, the store clock's time. Open returns the same bytes and
//     an equal Object.
//   - Put reads at most limit+1 bytes; a longer stream fails with
//     mediastore.ErrTooLarge. Any failed Put (too large, a reader error,
//     which the returned error wraps, a cancelled context) stores nothing
//     and leaves an earlier object under the key untouched. A successful
//     Put replaces an earlier object whole.
//   - An object is found strictly before StoredAt+retention; from that
//     instant Open answers mediastore.ErrNotFound, whatever cleanup the
//     adapter does later.
//   - Invalid keys fail with mediastore.ErrInvalidKey before any I/O.
//   - Delete of a missing object succeeds. DeleteInstance removes exactly
//     the objects of that instance (never those of an instance whose name
//     merely starts with it) and counts them.
//
// The suite runs on a fake clock that it advances; adapters must take
// every notion of "now" from the clock they are given.
package mediastoretest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/mediastore"
)

// Store is the media store contract the suite checks.
type Store interface {
	Put(ctx context.Context, key mediastore.Key, meta mediastore.Meta, r io.Reader, limit int64) (mediastore.Object, error)
	Open(ctx context.Context, key mediastore.Key) (io.ReadCloser, mediastore.Object, error)
	Delete(ctx context.Context, key mediastore.Key) error
	DeleteInstance(ctx context.Context, instance string) (int, error)
}

// Retention is what the suite asks stores for.
const Retention = 30 * 24 * time.Hour

// Start is the fake clock's start: whole seconds, so that no adapter's
// time encoding can round it.
var start = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

// NewStore returns a fresh, empty store that takes the time from clk and
// keeps objects for retention.
type NewStore func(t *testing.T, clk clock.Clock, retention time.Duration) Store

// fixture is what each case gets.
type fixture struct {
	ctx   context.Context
	store Store
	clk   *clock.Fake
}

// Run runs every conformance case, each against a new store.
func Run(t *testing.T, newStore NewStore) {
	cases := []struct {
		name string
		run  func(t *testing.T, f fixture)
	}{
		{"RoundTrip", roundTrip},
		{"MetaNormalized", metaNormalized},
		{"Limit", limit},
		{"TooLargeKeepsPrevious", tooLargeKeepsPrevious},
		{"Overwrite", overwrite},
		{"InvalidKeys", invalidKeys},
		{"InvalidMeta", invalidMeta},
		{"OpenMissing", openMissing},
		{"Expiry", expiry},
		{"Delete", deleteObject},
		{"DeleteInstance", deleteInstance},
		{"FailingReader", failingReader},
		{"CancelledContext", cancelledContext},
		{"ConcurrentPuts", concurrentPuts},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := clock.NewFake(start)
			c.run(t, fixture{ctx: t.Context(), store: newStore(t, clk, Retention), clk: clk})
		})
	}
}

// key builds a key the suite knows to be valid.
func key(instance, id string) mediastore.Key {
	return mediastore.Key{Instance: instance, MessageID: id}
}

// payload returns n deterministic pseudo-random bytes (incompressible, so
// no layer can shortcut them), different for each seed.
func payload(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// mustPut puts data and checks the returned Object.
func mustPut(t *testing.T, f fixture, k mediastore.Key, meta mediastore.Meta, data []byte) mediastore.Object {
	t.Helper()
	obj, err := f.store.Put(f.ctx, k, meta, bytesReader(data), int64(len(data)))
	require.NoError(t, err)
	require.Equal(t, k, obj.Key)
	require.Equal(t, int64(len(data)), obj.Size)
	require.Equal(t, sum(data), obj.SHA256)
	require.True(t, obj.StoredAt.Equal(f.clk.Now()), "StoredAt %s, clock %s", obj.StoredAt, f.clk.Now())
	return obj
}

// mustRead opens k and returns its bytes, checking the Object against want.
func mustRead(t *testing.T, f fixture, k mediastore.Key, want mediastore.Object) []byte {
	t.Helper()
	rc, obj, err := f.store.Open(f.ctx, k)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.Equal(t, want.Key, obj.Key)
	require.Equal(t, want.Meta, obj.Meta)
	require.Equal(t, want.Size, obj.Size)
	require.Equal(t, want.SHA256, obj.SHA256)
	require.True(t, want.StoredAt.Equal(obj.StoredAt), "StoredAt %s, want %s", obj.StoredAt, want.StoredAt)
	require.Equal(t, obj.Size, int64(len(data)))
	require.Equal(t, obj.SHA256, sum(data))
	return data
}

// requireNotFound checks that Open of k answers ErrNotFound.
func requireNotFound(t *testing.T, f fixture, k mediastore.Key) {
	t.Helper()
	rc, _, err := f.store.Open(f.ctx, k)
	if rc != nil {
		_ = rc.Close()
	}
	require.ErrorIs(t, err, mediastore.ErrNotFound)
}
