// Package mediastore keeps the media that people send to a tenant's
// WhatsApp number (pictures, documents, voice notes) for a retention
// period, so that GET /instance/{name}/media/{messageId} can serve it later
// and DELETE /instance/{name} can erase it.
//
// This package holds the values shared by every adapter (Key, Meta,
// Object, the errors) and Dir, the local adapter that keeps media in a
// directory. The AWS adapter is internal/s3media. Both pass the
// conformance suite in internal/mediastore/mediastoretest.
//
// Media is customer data: adapters never log, and never put into an error,
// a file name, a mimetype or anything read from the content. Keys
// (instance, message id) are the most that may appear.
package mediastore

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

var (
	// ErrNotFound means there is no object under the key, or it is older
	// than the retention period (it may still exist until it is swept).
	ErrNotFound = errors.New("mediastore: not found")
	// ErrTooLarge means the stream given to Put was longer than its limit.
	// Nothing was stored, and an earlier object under the key is untouched.
	ErrTooLarge = errors.New("mediastore: media too large")
	// ErrInvalidKey means an instance name or message id is malformed. It
	// is returned before any I/O.
	ErrInvalidKey = errors.New("mediastore: invalid key")
	// ErrInvalidMeta means a mimetype or file name cannot be stored.
	ErrInvalidMeta = errors.New("mediastore: invalid meta")
)

// DefaultMimetype is what an empty Meta.Mimetype becomes, so that every
// adapter reads back the same value (S3 would otherwise invent its own).
const DefaultMimetype = "application/octet-stream"

// Meta limits. 255 bytes is the longest file name most file systems keep
// (internal/media shortens names to it); it also keeps S3 user metadata,
// which is limited to 2 KB in all, within bounds after escaping.
const (
	MaxMimetypeLen = 255
	MaxFileNameLen = 255
)

// Meta is what the sender told us about the media.
type Meta struct {
	Mimetype string
	FileName string // may be empty; never logged
}

// Normalize returns m with defaults applied, or ErrInvalidMeta. A
// mimetype is printable ASCII because it travels as an HTTP header; a file
// name is any valid UTF-8 (adapters escape it as their medium needs).
func (m Meta) Normalize() (Meta, error) {
	if m.Mimetype == "" {
		m.Mimetype = DefaultMimetype
	}
	if len(m.Mimetype) > MaxMimetypeLen {
		return Meta{}, fmt.Errorf("%w: mimetype longer than %d bytes", ErrInvalidMeta, MaxMimetypeLen)
	}
	for i := 0; i < len(m.Mimetype); i++ {
		if c := m.Mimetype[i]; c < 0x20 || c > 0x7e {
			return Meta{}, fmt.Errorf("%w: mimetype is not printable ASCII", ErrInvalidMeta)
		}
	}
	if len(m.FileName) > MaxFileNameLen {
		return Meta{}, fmt.Errorf("%w: file name longer than %d bytes", ErrInvalidMeta, MaxFileNameLen)
	}
	if !utf8.ValidString(m.FileName) {
		return Meta{}, fmt.Errorf("%w: file name is not valid UTF-8", ErrInvalidMeta)
	}
	return m, nil
}

// Object describes one stored media file.
type Object struct {
	Key      Key
	Meta     Meta
	Size     int64     // bytes of content
	SHA256   string    // lowercase hex of the content's SHA-256
	StoredAt time.Time // UTC, when Put committed it; expiry counts from here
}

// ExpiresAt is the first instant at which the object counts as gone.
func (o Object) ExpiresAt(retention time.Duration) time.Time {
	return o.StoredAt.Add(retention)
}

// Expired reports whether the object is past retention at now: an object
// is found strictly before StoredAt+retention and gone from that instant.
func (o Object) Expired(now time.Time, retention time.Duration) bool {
	return !now.Before(o.ExpiresAt(retention))
}
