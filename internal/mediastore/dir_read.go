package mediastore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Open returns the content and description of the object under key, or
// ErrNotFound if there is none or it is past retention (even if Sweep has
// not removed it yet). The caller closes the reader.
func (d *Dir) Open(ctx context.Context, key Key) (io.ReadCloser, Object, error) {
	if err := key.Validate(); err != nil {
		return nil, Object{}, fmt.Errorf("mediastore: open: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, Object{}, fmt.Errorf("mediastore: open %s: %w", key, err)
	}
	f, err := os.Open(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Object{}, fmt.Errorf("mediastore: open %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, Object{}, fmt.Errorf("mediastore: open %s: %w", key, err)
	}
	obj, err := readTrailer(f, key)
	if err != nil {
		_ = f.Close()
		return nil, Object{}, fmt.Errorf("mediastore: open %s: %w", key, err)
	}
	if obj.Expired(d.clk.Now(), d.retention) {
		_ = f.Close()
		return nil, Object{}, fmt.Errorf("mediastore: open %s: expired: %w", key, ErrNotFound)
	}
	// The section stops the reader before the trailer. The open file
	// keeps its content readable even if the object is replaced or
	// removed meanwhile.
	return sectionCloser{SectionReader: io.NewSectionReader(f, 0, obj.Size), f: f}, obj, nil
}

type sectionCloser struct {
	*io.SectionReader
	f *os.File
}

func (s sectionCloser) Close() error { return s.f.Close() }

// Delete removes the object under key. A missing object is not an error.
func (d *Dir) Delete(ctx context.Context, key Key) error {
	if err := key.Validate(); err != nil {
		return fmt.Errorf("mediastore: delete: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mediastore: delete %s: %w", key, err)
	}
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("mediastore: delete %s: %w", key, err)
	}
	return nil
}

// DeleteInstance removes every object of instance, expired or not, and
// the instance's directory, and reports how many objects there were. A
// Put to the instance that runs at the same time may fail; callers stop
// an instance before deleting it.
func (d *Dir) DeleteInstance(ctx context.Context, instance string) (int, error) {
	if err := ValidateInstance(instance); err != nil {
		return 0, fmt.Errorf("mediastore: delete instance: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("mediastore: delete instance %s: %w", instance, err)
	}
	dir := filepath.Join(d.root, instance)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("mediastore: delete instance %s: %w", instance, err)
	}
	n := 0
	for _, e := range entries {
		if e.Type().IsRegular() && validateMessageID(e.Name()) == nil {
			n++
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return 0, fmt.Errorf("mediastore: delete instance %s: %w", instance, err)
	}
	return n, nil
}

// Sweep removes every object past retention, and temp files left by Puts
// that crashed, and reports how many objects it removed. It skips (and
// reports in the error) files it cannot judge, and goes on with the rest.
// The composition root calls it periodically.
func (d *Dir) Sweep(ctx context.Context) (int, error) {
	instances, err := os.ReadDir(d.root)
	if err != nil {
		return 0, fmt.Errorf("mediastore: sweep: %w", err)
	}
	removed := 0
	var errs []error
	for _, inst := range instances {
		if !inst.IsDir() || ValidateInstance(inst.Name()) != nil {
			continue
		}
		n, err := d.sweepInstance(ctx, inst.Name())
		removed += n
		if err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return removed, errors.Join(errs...)
}

func (d *Dir) sweepInstance(ctx context.Context, instance string) (int, error) {
	dir := filepath.Join(d.root, instance)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil // deleted meanwhile
	}
	if err != nil {
		return 0, fmt.Errorf("mediastore: sweep %s: %w", instance, err)
	}
	removed := 0
	var errs []error
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return removed, fmt.Errorf("mediastore: sweep %s: %w", instance, err)
		}
		name := e.Name()
		switch {
		case strings.HasPrefix(name, tempPrefix):
			if info, err := e.Info(); err == nil && !d.clk.Now().Before(info.ModTime().Add(tempGrace)) {
				_ = os.Remove(filepath.Join(dir, name)) // best effort: only disk space is at stake
			}
		case e.Type().IsRegular() && validateMessageID(name) == nil:
			gone, err := d.sweepObject(Key{Instance: instance, MessageID: name})
			if err != nil {
				errs = append(errs, err)
			} else if gone {
				removed++
			}
		}
	}
	return removed, errors.Join(errs...)
}

// sweepObject removes the object under key if it is past retention,
// judging and removing under the commit lock so that a fresh object put
// there meanwhile survives.
func (d *Dir) sweepObject(key Key) (bool, error) {
	d.commit.Lock()
	defer d.commit.Unlock()
	f, err := os.Open(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mediastore: sweep %s: %w", key, err)
	}
	obj, err := readTrailer(f, key)
	_ = f.Close()
	if err != nil {
		return false, fmt.Errorf("mediastore: sweep %s: %w", key, err)
	}
	if !obj.Expired(d.clk.Now(), d.retention) {
		return false, nil
	}
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("mediastore: sweep %s: %w", key, err)
	}
	return true, nil
}

// path is where the object under a validated key lives.
func (d *Dir) path(key Key) string {
	return filepath.Join(d.root, key.Instance, key.MessageID)
}
