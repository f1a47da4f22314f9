package apidocs

import (
	"net/http"
	"strconv"
	"strings"
)

// CSP is the Content-Security-Policy of every response under Prefix. The
// page runs only the gateway's own scripts and talks only to the gateway.
const CSP = "default-src 'self'" +
	// Only files served by the gateway; no inline script, no eval.
	"; script-src 'self'" +
	// Redoc styles itself with styled-components, which injects <style>
	// elements at run time: without 'unsafe-inline' Redoc throws and
	// renders nothing (the browser test shows it). Styles cannot run code,
	// and script-src stays strict.
	"; style-src 'self' 'unsafe-inline'" +
	// Redoc's icons (the section link) are data: URIs in its CSS.
	"; img-src 'self' data:" +
	// The page fetches /openapi.json, nothing else.
	"; connect-src 'self'" +
	// Redoc's search index runs in a web worker that it creates from a
	// blob: URL of code inside its own bundle (already allowed by
	// script-src 'self'); no other worker source.
	"; worker-src blob:" +
	"; object-src 'none'" +
	// The page may not be framed (clickjacking), may not change the base
	// of its relative URLs, and has no forms to send anywhere.
	"; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// serve answers GET or HEAD for a. A client that accepts gzip gets a
// gzipped asset as stored; others get it decompressed.
func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", CSP)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cache-Control", a.cache)

	etag := `"` + a.hash[:32] + `"`
	if a.gz != nil {
		// The body depends on Accept-Encoding: caches must key on it.
		hdr.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			etag = `"` + a.hash[:32] + `-gzip"`
			hdr.Set("Content-Encoding", "gzip")
		}
	}
	hdr.Set("ETag", etag)
	if etagMatches(r.Header.Values("If-None-Match"), etag) {
		hdr.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}

	body := a.gz
	if hdr.Get("Content-Encoding") == "" {
		var err error
		if body, err = a.plain(); err != nil {
			// Only a corrupt build gets here (TestAssetsDecompress).
			panic("apidocs: embedded asset: " + err.Error())
		}
	}
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// acceptsGzip reports whether an Accept-Encoding allows gzip: gzip with a
// q-value above zero, or, when gzip is not named, "*" with one.
func acceptsGzip(values []string) bool {
	gzip, star := -1.0, -1.0 // -1: not named
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			if s, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
				f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
				if err != nil {
					f = 0
				}
				q = f
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzip = q
			case "*":
				star = q
			}
		}
	}
	if gzip >= 0 {
		return gzip > 0
	}
	return star > 0
}

// etagMatches is If-None-Match's weak comparison of etag with each listed
// tag, or "*".
func etagMatches(values []string, etag string) bool {
	for _, v := range values {
		for _, tag := range strings.Split(v, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == etag {
				return true
			}
		}
	}
	return false
}
