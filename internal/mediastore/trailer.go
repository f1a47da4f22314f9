package mediastore

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// A Dir file holds the content followed by a trailer:
//
//	content | meta JSON | uint64 big-endian length of the JSON | "WAMEDIA1"
//
// Keeping the metadata in the same file as the content makes the rename
// in Put the single commit point: a reader sees the old object or the new
// one whole, never new bytes with old metadata, which a separate sidecar
// file could show after a crash between two renames. The metadata goes
// last because its size and SHA-256 are only known once the content has
// streamed through.
const (
	trailerMagic  = "WAMEDIA1"
	trailerFixed  = 8 + len(trailerMagic) // length field + magic
	maxTrailerLen = 16 << 10              // far above any valid Meta, even fully \u-escaped
)

// trailer is the JSON form of an Object without its key, which is the
// file's path.
type trailer struct {
	Version  int       `json:"v"`
	Mimetype string    `json:"mimetype"`
	FileName string    `json:"fileName,omitempty"`
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	StoredAt time.Time `json:"storedAt"`
}

// writeTrailer appends obj's trailer at w's current position, which must
// be the end of the content.
func writeTrailer(w io.Writer, obj Object) error {
	body, err := json.Marshal(trailer{
		Version:  1,
		Mimetype: obj.Meta.Mimetype,
		FileName: obj.Meta.FileName,
		Size:     obj.Size,
		SHA256:   obj.SHA256,
		StoredAt: obj.StoredAt,
	})
	if err != nil {
		return fmt.Errorf("encode trailer: %w", err)
	}
	buf := make([]byte, 0, len(body)+trailerFixed)
	buf = append(buf, body...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(body)))
	buf = append(buf, trailerMagic...)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write trailer: %w", err)
	}
	return nil
}

// readTrailer decodes the trailer of f, which is stored under key, and
// checks that it accounts for the file's exact length.
func readTrailer(f *os.File, key Key) (Object, error) {
	info, err := f.Stat()
	if err != nil {
		return Object{}, fmt.Errorf("stat: %w", err)
	}
	total := info.Size()
	if total < int64(trailerFixed) {
		return Object{}, fmt.Errorf("corrupt: shorter than a trailer")
	}
	fixed := make([]byte, trailerFixed)
	if _, err := f.ReadAt(fixed, total-int64(trailerFixed)); err != nil {
		return Object{}, fmt.Errorf("read trailer: %w", err)
	}
	if string(fixed[8:]) != trailerMagic {
		return Object{}, fmt.Errorf("corrupt: no trailer")
	}
	n := binary.BigEndian.Uint64(fixed[:8])
	if n > maxTrailerLen || int64(n) > total-int64(trailerFixed) {
		return Object{}, fmt.Errorf("corrupt: trailer length out of range")
	}
	body := make([]byte, n)
	if _, err := f.ReadAt(body, total-int64(trailerFixed)-int64(n)); err != nil {
		return Object{}, fmt.Errorf("read trailer: %w", err)
	}
	var tr trailer
	if err := json.Unmarshal(body, &tr); err != nil {
		// Not wrapped: a JSON error quotes bytes of the metadata, which
		// is customer data.
		return Object{}, fmt.Errorf("corrupt: trailer is not valid JSON")
	}
	if tr.Version != 1 || tr.Size != total-int64(trailerFixed)-int64(n) {
		return Object{}, fmt.Errorf("corrupt: trailer does not match the file")
	}
	return Object{
		Key:      key,
		Meta:     Meta{Mimetype: tr.Mimetype, FileName: tr.FileName},
		Size:     tr.Size,
		SHA256:   tr.SHA256,
		StoredAt: tr.StoredAt.UTC(),
	}, nil
}
