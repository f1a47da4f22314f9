package apidocs

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// static holds only what the page loads. The renderer is stored gzipped:
// at 1.1 MB it is over the repository's limit per file, and a browser
// takes it as it is (Content-Encoding: gzip).
//
//go:embed static/index.html static/docs.js static/docs.css static/redoc.standalone.js.gz
var static embed.FS

// source is one embedded file the page loads.
type source struct {
	file        string // in static/
	contentType string
}

// sources are the page's assets. index.html names each by its path
// without the hash (/docs/docs.js); build rewrites those to the hashed
// names it serves.
func sources() []source {
	return []source{
		{"redoc.standalone.js.gz", "text/javascript; charset=utf-8"},
		{"docs.js", "text/javascript; charset=utf-8"},
		{"docs.css", "text/css; charset=utf-8"},
	}
}

const (
	// cacheAsset: the name changes with the content, so a copy never goes
	// stale.
	cacheAsset = "public, max-age=31536000, immutable"
	// cacheIndex: the page names the assets of this build, so a browser
	// asks each time (a 304 by ETag when nothing changed).
	cacheIndex = "no-cache"
)

// asset is one response body, stored plain or gzipped.
type asset struct {
	contentType string
	cache       string
	// hash is of the stored bytes; the ETags of the two encodings differ,
	// as they must for different bytes.
	hash string
	// gz is the gzipped body, nil for an asset stored plain.
	gz []byte
	// plain returns the body without encoding; for a gzipped asset it is
	// decompressed on first use (only clients that refuse gzip need it).
	plain func() ([]byte, error)
}

// build reads the page's files from fsys (static, but for tests) and
// names the assets.
func build(fsys fs.FS) (*Handler, error) {
	h := &Handler{assets: map[string]*asset{}}
	index, err := fs.ReadFile(fsys, "static/index.html")
	if err != nil {
		return nil, err
	}
	page := string(index)
	for _, s := range sources() {
		stored, err := fs.ReadFile(fsys, "static/"+s.file)
		if err != nil {
			return nil, err
		}
		a := &asset{contentType: s.contentType, cache: cacheAsset, hash: contentHash(stored)}
		name := strings.TrimSuffix(s.file, ".gz")
		if name != s.file {
			a.gz = stored
			a.plain = sync.OnceValues(func() ([]byte, error) { return gunzip(stored) })
		} else {
			a.plain = func() ([]byte, error) { return stored, nil }
		}
		ext := path.Ext(name)
		served := strings.TrimSuffix(name, ext) + "." + a.hash[:12] + ext
		h.assets[served] = a

		ref := `"` + Prefix + "/" + name + `"`
		if n := strings.Count(page, ref); n != 1 {
			return nil, fmt.Errorf("index.html names %s %d times, want once", ref, n)
		}
		page = strings.Replace(page, ref, `"`+Prefix+"/"+served+`"`, 1)
	}
	body := []byte(page)
	h.index = &asset{
		contentType: "text/html; charset=utf-8",
		cache:       cacheIndex,
		hash:        contentHash(body),
		plain:       func() ([]byte, error) { return body, nil },
	}
	return h, nil
}

func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
