// Package console is the web console for people: HTML, CSS and ES modules
// written by hand, embedded in the binary and served by the API's own
// handler, so it works wherever the API does (the local gateway and the
// API Lambda) and `make run` still needs only Go. It has no build step on
// purpose: what is in assets/ is what the browser runs.
//
// Everything the console shows it gets from the public API, called from
// the browser with the key the person signs in with. What strangers write
// (push names, texts, captions, file names) is only ever put in the page
// as text; the Content-Security-Policy below is the second line of
// defence should that rule ever be broken.
package console

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed assets
var files embed.FS

// Prefix is the path the console is served under.
const Prefix = "/console/"

// ContentSecurityPolicy is sent with every console file. Only the
// gateway's own origin may provide scripts, styles, images and API
// answers; no inline script or style runs (everything is in files).
// img-src adds data: for the QR code (GET /instance/{name}/qr answers a
// data: URL) and blob: for inbound media, fetched with the apikey header
// and shown through an object URL. Nothing may frame the console, no
// <base> may move its relative URLs, and no form submits anywhere (the
// forms are handled by script, through fetch).
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// index is the file served for the prefix itself.
const index = "index.html"

// asset is one file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// Console serves the console's files. The zero value is not usable: use
// New.
type Console struct {
	assets map[string]asset // by name under Prefix; "" is index.html
}

// load reads the embedded files once per process: they cannot change.
var load = sync.OnceValue(func() map[string]asset {
	out := map[string]asset{}
	entries, err := fs.ReadDir(files, "assets")
	if err != nil {
		panic("console: embedded assets unreadable: " + err.Error()) // compiled in: cannot happen
	}
	for _, e := range entries {
		if e.IsDir() {
			continue // the console is flat: one directory, short URLs
		}
		body, err := fs.ReadFile(files, path.Join("assets", e.Name()))
		if err != nil {
			panic("console: embedded asset unreadable: " + err.Error())
		}
		sum := sha256.Sum256(body)
		a := asset{body: body, contentType: contentType(e.Name()), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		out[e.Name()] = a
		if e.Name() == index {
			out[""] = a
		}
	}
	return out
})

// New returns the console.
func New() *Console { return &Console{assets: load()} }

// Names lists the files served under Prefix ("" is the index).
func (c *Console) Names() []string {
	out := make([]string, 0, len(c.assets))
	for name := range c.assets {
		out = append(out, name)
	}
	return out
}

// Serves reports whether r asks for one of the console's files, so that
// the router answers anything else under Prefix as the unknown path it is.
func (c *Console) Serves(r *http.Request) bool {
	name, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		return false
	}
	_, known := c.assets[name]
	return known
}

// ServeHTTP serves GET and HEAD of a file under Prefix.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := c.assets[strings.TrimPrefix(r.URL.Path, Prefix)]
	if !ok || !strings.HasPrefix(r.URL.Path, Prefix) {
		http.NotFound(w, r) // the router sends no such request
		return
	}
	h := w.Header()
	SecurityHeaders(h)
	// Revalidated on every load (cheap: a 304 by ETag), so a console
	// changed by an upgrade never runs half old, half new.
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	if etagMatches(r.Header.Get("If-None-Match"), a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(a.body)
	}
}

// SecurityHeaders sets the headers every console response carries.
func SecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	// The console's URLs name instances; they are nobody else's business.
	h.Set("Referrer-Policy", "no-referrer")
}

// etagMatches implements If-None-Match's weak comparison over a list.
func etagMatches(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == etag || candidate == "*" {
			return true
		}
	}
	return false
}

// contentType is the type of an asset by its extension; module scripts
// need a JavaScript type, which the browser checks strictly.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
