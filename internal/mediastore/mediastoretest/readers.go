package mediastoretest

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// streamReader hides everything but Read, so stores see a plain stream
// like an HTTP body, without Seek, ReadAt or WriteTo shortcuts.
type streamReader struct{ r io.Reader }

func (s streamReader) Read(p []byte) (int, error) { return s.r.Read(p) }

func bytesReader(b []byte) io.Reader { return streamReader{bytes.NewReader(b)} }

// errSource is what failingReader fails with.
var errSource = errors.New("mediastoretest: source broke")

// brokenReader yields data and then fails with errSource instead of EOF,
// like a download cut off mid-way.
type brokenReader struct{ r io.Reader }

func newFailingReader(data []byte) io.Reader { return &brokenReader{r: bytes.NewReader(data)} }

func (f *brokenReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errSource
	}
	return n, err
}

// untouchedReader fails the test if read: stores must reject bad input
// before any I/O.
type untouchedReader struct{ t *testing.T }

func (u untouchedReader) Read([]byte) (int, error) {
	u.t.Error("the store read from the source of a Put it should have rejected")
	return 0, io.EOF
}
