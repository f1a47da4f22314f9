package apidocs

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// wantCSP is spelled out, not taken from CSP, so that a change to the
// policy is a change to this test too.
const wantCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; worker-src blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

func get(t *testing.T, h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// assetRefs are the paths of the assets the page links, in order.
func assetRefs(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile(`(?:src|href)="(/docs/[^"]+)"`).FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

func gunzipT(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	return plain
}

func TestNew(t *testing.T) {
	h := New()
	require.Len(t, h.assets, 3)
	for name, a := range h.assets {
		// The name carries the start of the stored bytes' hash, which is
		// what makes caching them forever safe.
		require.Contains(t, name, "."+a.hash[:12]+".", name)
	}
	page, err := h.index.plain()
	require.NoError(t, err)
	require.ElementsMatch(t, h.assetPaths(), assetRefs(t, string(page)), "the page links every asset, by its hashed name")
	require.Contains(t, string(page), `<div id="redoc"></div>`)
	require.NotContains(t, string(page), "<script>", "no inline script: the CSP forbids it")
	require.NotContains(t, string(page), "style=", "no inline style attribute")
}

func TestIndex(t *testing.T) {
	h := New()
	for _, path := range []string{"/docs", "/docs/"} {
		w := get(t, h, http.MethodGet, path)
		require.Equal(t, http.StatusOK, w.Code, path)
		hdr := w.Header()
		require.Equal(t, wantCSP, hdr.Get("Content-Security-Policy"), path)
		require.Equal(t, "nosniff", hdr.Get("X-Content-Type-Options"), path)
		require.Equal(t, "no-referrer", hdr.Get("Referrer-Policy"), path)
		require.Equal(t, "text/html; charset=utf-8", hdr.Get("Content-Type"), path)
		require.Equal(t, "no-cache", hdr.Get("Cache-Control"), path)
		require.Regexp(t, `^"[0-9a-f]{32}"$`, hdr.Get("ETag"), path)
		require.Empty(t, hdr.Get("Content-Encoding"), path)
		require.Equal(t, strconv.Itoa(w.Body.Len()), hdr.Get("Content-Length"), path)
		require.Contains(t, w.Body.String(), "<title>WhatsApp Gateway API reference</title>", path)
	}
}

func TestAssets(t *testing.T) {
	h := New()
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	var gzipped int
	for _, path := range h.assetPaths() {
		plain := get(t, h, http.MethodGet, path)
		require.Equal(t, http.StatusOK, plain.Code, path)
		hdr := plain.Header()
		require.Equal(t, wantCSP, hdr.Get("Content-Security-Policy"), path)
		require.Equal(t, "nosniff", hdr.Get("X-Content-Type-Options"), path)
		require.Equal(t, "public, max-age=31536000, immutable", hdr.Get("Cache-Control"), path)
		require.Equal(t, types[path[strings.LastIndex(path, "."):]], hdr.Get("Content-Type"), path)
		require.Empty(t, hdr.Get("Content-Encoding"), "%s: a client that does not ask for gzip gets it plain", path)
		require.Equal(t, strconv.Itoa(plain.Body.Len()), hdr.Get("Content-Length"), path)
		require.NotEmpty(t, plain.Body.Bytes(), path)

		gz := get(t, h, http.MethodGet, path, "Accept-Encoding", "br, gzip;q=0.8, deflate")
		require.Equal(t, http.StatusOK, gz.Code, path)
		if gz.Header().Get("Content-Encoding") == "" {
			require.Equal(t, plain.Body.Bytes(), gz.Body.Bytes(), "%s: stored plain, served plain", path)
			require.Equal(t, plain.Header().Get("ETag"), gz.Header().Get("ETag"), path)
			continue
		}
		gzipped++
		require.Equal(t, "gzip", gz.Header().Get("Content-Encoding"), path)
		require.Equal(t, "Accept-Encoding", gz.Header().Get("Vary"), path)
		require.Equal(t, "Accept-Encoding", hdr.Get("Vary"), path)
		require.Less(t, gz.Body.Len(), plain.Body.Len(), path)
		require.Equal(t, plain.Body.Bytes(), gunzipT(t, gz.Body.Bytes()), "%s: the same file either way", path)
		require.NotEqual(t, plain.Header().Get("ETag"), gz.Header().Get("ETag"), "%s: different bytes, different ETags", path)
		require.Equal(t, gz.Header().Get("Content-Type"), hdr.Get("Content-Type"), path)
	}
	require.Equal(t, 1, gzipped, "the renderer is stored and served gzipped")
}

// TestRendererIsTheVendoredOne: the bundle is Redoc's standalone build,
// patched as vendor.mjs does (nothing names a host to load from).
func TestRendererIsTheVendoredOne(t *testing.T) {
	h := New()
	var js string
	for _, path := range h.assetPaths() {
		if strings.HasPrefix(path, "/docs/redoc.standalone.") {
			js = get(t, h, http.MethodGet, path).Body.String()
		}
	}
	// Contains would print the whole bundle on failure.
	require.True(t, strings.Contains(js, `" ReDoc Version: ","2.5.4"`), "redoc 2.5.4")
	require.False(t, strings.Contains(js, "cdn.redoc.ly"), "the patched footer loads no logo")
	require.False(t, strings.Contains(js, "https://redocly.com/redoc/"), "the patched footer links nowhere")
	require.True(t, strings.Contains(js, `"API docs by Redoc"`), "the patched footer")
}

func TestHead(t *testing.T) {
	h := New()
	for _, path := range append(h.assetPaths(), "/docs") {
		for _, enc := range []string{"", "gzip"} {
			full := get(t, h, http.MethodGet, path, "Accept-Encoding", enc)
			head := get(t, h, http.MethodHead, path, "Accept-Encoding", enc)
			require.Equal(t, http.StatusOK, head.Code, path)
			require.Empty(t, head.Body.Bytes(), path)
			require.Equal(t, full.Header(), head.Header(), "%s %q: HEAD has GET's headers", path, enc)
		}
	}
}

func TestConditional(t *testing.T) {
	h := New()
	for _, path := range append(h.assetPaths(), "/docs") {
		for _, enc := range []string{"", "gzip"} {
			first := get(t, h, http.MethodGet, path, "Accept-Encoding", enc)
			etag := first.Header().Get("ETag")
			for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
				w := get(t, h, http.MethodGet, path, "Accept-Encoding", enc, "If-None-Match", inm)
				require.Equal(t, http.StatusNotModified, w.Code, "%s %q If-None-Match %s", path, enc, inm)
				require.Empty(t, w.Body.Bytes(), path)
				require.Equal(t, etag, w.Header().Get("ETag"), path)
				require.Equal(t, first.Header().Get("Cache-Control"), w.Header().Get("Cache-Control"), path)
				require.Empty(t, w.Header().Get("Content-Encoding"), path)
			}
			w := get(t, h, http.MethodGet, path, "Accept-Encoding", enc, "If-None-Match", `"stale"`)
			require.Equal(t, http.StatusOK, w.Code, path)
			require.Equal(t, first.Body.Bytes(), w.Body.Bytes(), path)
		}
	}
}

func TestUnknownPaths(t *testing.T) {
	h := New()
	for _, path := range []string{
		"/docs/redoc.standalone.js", // the unhashed name is not served
		"/docs/docs.js",
		"/docs/docs.000000000000.js",
		"/docs/index.html",
		"/docs/README.md",
		"/docs/x/y",
		"/docsx",
		"/openapi.json",
	} {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		require.False(t, h.Serves(r), path)
		require.Equal(t, http.StatusNotFound, get(t, h, http.MethodGet, path).Code, path)
	}
	for _, path := range append(h.assetPaths(), "/docs", "/docs/") {
		require.True(t, h.Serves(httptest.NewRequest(http.MethodGet, path, nil)), path)
	}
	w := get(t, h, http.MethodPost, "/docs")
	require.Equal(t, http.StatusMethodNotAllowed, w.Code)
	require.Equal(t, "GET, HEAD", w.Header().Get("Allow"))
}

func TestAcceptsGzip(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip;q=1.0, *;q=0.5", true},
		{"br;q=1, gzip;q=0.001", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"identity", false},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false}, // gzip named: its own q decides
		{"x-gzip", true},
		{"gzip;q=nonsense", false},
		{"br, deflate", false},
	} {
		require.Equal(t, tt.want, acceptsGzip([]string{tt.header}), "%q", tt.header)
	}
	require.True(t, acceptsGzip([]string{"br", "gzip"}), "a header sent twice")
}

func TestEtagMatches(t *testing.T) {
	require.True(t, etagMatches([]string{`"a"`}, `"a"`))
	require.True(t, etagMatches([]string{`W/"a"`}, `"a"`))
	require.True(t, etagMatches([]string{`"b", "a"`}, `"a"`))
	require.True(t, etagMatches([]string{`"b"`, `"a"`}, `"a"`))
	require.True(t, etagMatches([]string{`*`}, `"a"`))
	require.False(t, etagMatches(nil, `"a"`))
	require.False(t, etagMatches([]string{`"a-gzip"`}, `"a"`))
	require.False(t, etagMatches([]string{`a`}, `"a"`))
}

// TestBrokenBuild: a page that links a file that is not served, or a
// gzipped asset that is not gzip, is caught, not served.
func TestBrokenBuild(t *testing.T) {
	good := fstest.MapFS{}
	for _, name := range []string{"index.html", "docs.js", "docs.css", "redoc.standalone.js.gz"} {
		b, err := static.ReadFile("static/" + name)
		require.NoError(t, err)
		good["static/"+name] = &fstest.MapFile{Data: b}
	}
	_, err := build(good)
	require.NoError(t, err, "the cases below break a build that works")

	for name, tweak := range map[string]func(fstest.MapFS){
		"asset missing": func(m fstest.MapFS) { delete(m, "static/docs.css") },
		"index missing": func(m fstest.MapFS) { delete(m, "static/index.html") },
		"asset not linked": func(m fstest.MapFS) {
			m["static/index.html"] = &fstest.MapFile{Data: []byte(`<script src="/docs/docs.js"></script>`)}
		},
		"asset linked twice": func(m fstest.MapFS) {
			m["static/index.html"].Data = append(m["static/index.html"].Data, `"/docs/docs.js"`...)
		},
	} {
		broken := fstest.MapFS{}
		for k, v := range good {
			broken[k] = &fstest.MapFile{Data: bytes.Clone(v.Data)}
		}
		tweak(broken)
		_, err := build(broken)
		require.Error(t, err, name)
	}

	_, err = gunzip([]byte("not gzip"))
	require.Error(t, err)
	a := &asset{contentType: "text/javascript", cache: cacheAsset, hash: strings.Repeat("0", 64), gz: []byte("x"),
		plain: func() ([]byte, error) { return gunzip([]byte("x")) }}
	require.Panics(t, func() { a.serve(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/docs/x.js", nil)) })
}
