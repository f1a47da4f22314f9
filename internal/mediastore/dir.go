package mediastore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
)

// Dir keeps media in a directory tree: <root>/<instance>/<messageId>, one
// file per object holding the content and its metadata (see trailer.go).
// Directories are 0700 and files 0600: this is customer data.
//
// Message ids are case-sensitive; on a case-insensitive file system
// (macOS by default) two ids differing only in case would share a file.
// WhatsApp ids are upper-case hex and UUIDs lower-case, so that does not
// happen in practice, and production runs on Linux or S3.
//
// One process owns a root: Dir's lock, not the file system, orders a
// Sweep's check-then-remove against a Put replacing the same file.
type Dir struct {
	root      string
	retention time.Duration
	clk       clock.Clock
	// commit is held while a file is put into place or judged and removed
	// by Sweep, so Sweep never removes an object that a Put has just
	// replaced.
	commit sync.Mutex
}

// tempPrefix starts the name of a file that Put is still writing. A dot
// never appears in a valid message id, so a temp file never shadows or is
// mistaken for an object.
const tempPrefix = ".put-"

// tempGrace is how old a temp file must be before Sweep treats it as the
// leftover of a crashed Put; no real Put streams for a day.
const tempGrace = 24 * time.Hour

// NewDir returns a Dir rooted at root, creating it if needed. Objects
// expire retention after they were stored, by clk.
func NewDir(root string, retention time.Duration, clk clock.Clock) (*Dir, error) {
	if root == "" {
		return nil, errors.New("mediastore: empty root directory")
	}
	if retention <= 0 {
		return nil, fmt.Errorf("mediastore: retention must be positive, got %s", retention)
	}
	if clk == nil {
		return nil, errors.New("mediastore: nil clock")
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("mediastore: create root: %w", err)
	}
	return &Dir{root: root, retention: retention, clk: clk}, nil
}

// Put streams r into the object under key, replacing any earlier one
// whole. It reads at most limit+1 bytes: a longer stream fails with
// ErrTooLarge. On any failure nothing new is visible and an earlier
// object under key is untouched.
//
// The content goes to a temp file beside its final place, is hashed on
// the way, synced, and renamed into place, so a crash leaves either the
// old object or the new one (plus, at worst, a temp file for Sweep).
func (d *Dir) Put(ctx context.Context, key Key, meta Meta, r io.Reader, limit int64) (Object, error) {
	if err := key.Validate(); err != nil {
		return Object{}, fmt.Errorf("mediastore: put: %w", err)
	}
	meta, err := meta.Normalize()
	if err != nil {
		return Object{}, fmt.Errorf("mediastore: put %s: %w", key, err)
	}
	if limit < 0 {
		return Object{}, fmt.Errorf("mediastore: put %s: negative limit", key)
	}
	if err := ctx.Err(); err != nil {
		return Object{}, fmt.Errorf("mediastore: put %s: %w", key, err)
	}
	dir := filepath.Join(d.root, key.Instance)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Object{}, fmt.Errorf("mediastore: put %s: create directory: %w", key, err)
	}
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return Object{}, fmt.Errorf("mediastore: put %s: create temp file: %w", key, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close() // may already be closed; the remove is what matters
			_ = os.Remove(tmp.Name())
		}
	}()

	obj, err := d.write(ctx, tmp, key, meta, r, limit)
	if err != nil {
		return Object{}, fmt.Errorf("mediastore: put %s: %w", key, err)
	}
	d.commit.Lock()
	err = os.Rename(tmp.Name(), filepath.Join(dir, key.MessageID))
	d.commit.Unlock()
	if err != nil {
		return Object{}, fmt.Errorf("mediastore: put %s: rename into place: %w", key, err)
	}
	committed = true
	// Make the rename itself durable. The object is already visible, so a
	// failure here is not reported: Put did happen.
	if df, err := os.Open(dir); err == nil {
		_ = df.Sync()
		_ = df.Close()
	}
	return obj, nil
}

// write streams r (at most limit bytes) and the trailer into tmp, syncs
// and closes it.
func (d *Dir) write(ctx context.Context, tmp *os.File, key Key, meta Meta, r io.Reader, limit int64) (Object, error) {
	readMax := limit
	if readMax < math.MaxInt64 {
		readMax++ // one byte past the limit tells "exactly limit" from "more"
	}
	h := sha256.New()
	// io.Copy moves 32 KiB at a time: neither MultiWriter nor LimitReader
	// offers a shortcut that would buffer more.
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx: ctx, r: r}, readMax))
	if err != nil {
		return Object{}, fmt.Errorf("stream: %w", err)
	}
	if n > limit {
		return Object{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	obj := Object{
		Key:      key,
		Meta:     meta,
		Size:     n,
		SHA256:   hex.EncodeToString(h.Sum(nil)),
		StoredAt: d.clk.Now().UTC().Round(0),
	}
	if err := writeTrailer(tmp, obj); err != nil {
		return Object{}, err
	}
	if err := tmp.Sync(); err != nil {
		return Object{}, fmt.Errorf("sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Object{}, fmt.Errorf("close: %w", err)
	}
	return obj, nil
}

// ctxReader stops a stream when its context ends, so a cancelled Put
// stops reading instead of draining a slow sender.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
