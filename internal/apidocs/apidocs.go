// Package apidocs serves the API reference page, GET /docs: a small static
// page and Redoc (static/README.md says which, from where, under what
// license), embedded in the binary so the page works with no network
// beyond the gateway itself. The page renders the gateway's own OpenAPI
// document from GET /openapi.json, which internal/httpapi serves.
//
// Assets are served under names that carry a hash of their content, so a
// browser may keep them forever (a new build changes the name); the page
// itself is revalidated on every load by its ETag.
package apidocs

import (
	"net/http"
	"strings"
)

// Prefix is the path the page is served at; the page's own links to its
// assets are absolute paths under it.
const Prefix = "/docs"

// Handler serves the page at Prefix and Prefix+"/", and its assets at
// Prefix+"/"+name. It answers only GET and HEAD.
type Handler struct {
	index  *asset
	assets map[string]*asset // by served name
}

// New builds the handler from the embedded files. It panics if they are
// broken (a page that names an asset that is not there), which only a
// broken build can cause and TestNew catches.
func New() *Handler {
	h, err := build(static)
	if err != nil {
		panic("apidocs: " + err.Error())
	}
	return h
}

// Serves reports whether r's path is the page or one of its assets: a
// router uses it to leave every other path under Prefix to its own 404.
func (h *Handler) Serves(r *http.Request) bool {
	_, ok := h.lookup(r.URL.Path)
	return ok
}

// lookup finds the asset at path p.
func (h *Handler) lookup(p string) (*asset, bool) {
	if p == Prefix || p == Prefix+"/" {
		return h.index, true
	}
	name, ok := strings.CutPrefix(p, Prefix+"/")
	if !ok {
		return nil, false
	}
	a, ok := h.assets[name]
	return a, ok
}

// ServeHTTP serves the page or an asset. Paths it does not serve get a
// plain 404: a router in front (internal/httpapi) answers those itself,
// with Serves.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	a, ok := h.lookup(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	a.serve(w, r)
}

// assetPaths lists the served path of every asset the page loads.
func (h *Handler) assetPaths() []string {
	out := make([]string, 0, len(h.assets))
	for name := range h.assets {
		out = append(out, Prefix+"/"+name)
	}
	return out
}
