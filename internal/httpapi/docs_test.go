package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/apidocs"
	"github.com/wagateway/wagateway/internal/openapicheck"
)

// docsExchange sends a request without any key to the whole handler and
// checks the answer against the OpenAPI document.
func docsExchange(t *testing.T, h http.Handler, c *openapicheck.Checker, method, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.NotEmpty(t, w.Header().Get("x-request-id"), "%s %s", method, path)
	if method != http.MethodHead && path != "/docs/" { // OpenAPI cannot spell /docs/ apart from /docs/{asset}
		res := w.Result()
		require.NoError(t, c.Check(r, res, w.Body.Bytes()), "%s %s -> %d", method, path, w.Code)
	}
	return w
}

func TestDocsRoutes(t *testing.T) {
	h := New(Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	c, err := openapicheck.New(OpenAPI())
	require.NoError(t, err)

	page := docsExchange(t, h, c, http.MethodGet, "/docs")
	require.Equal(t, http.StatusOK, page.Code, "no key needed")
	require.Equal(t, "text/html; charset=utf-8", page.Header().Get("Content-Type"))
	require.Equal(t, apidocs.CSP, page.Header().Get("Content-Security-Policy"))
	require.Equal(t, "nosniff", page.Header().Get("X-Content-Type-Options"))
	slash := docsExchange(t, h, c, http.MethodGet, "/docs/")
	require.Equal(t, http.StatusOK, slash.Code)
	require.Equal(t, page.Body.String(), slash.Body.String())

	head := docsExchange(t, h, c, http.MethodHead, "/docs")
	require.Equal(t, http.StatusOK, head.Code)
	require.Empty(t, head.Body.Bytes())
	require.Equal(t, page.Header().Get("Content-Length"), head.Header().Get("Content-Length"))

	etag := page.Header().Get("ETag")
	require.Equal(t, http.StatusNotModified, docsExchange(t, h, c, http.MethodGet, "/docs", "If-None-Match", etag).Code)

	links := regexp.MustCompile(`(?:src|href)="(/docs/[^"]+)"`).FindAllStringSubmatch(page.Body.String(), -1)
	require.Len(t, links, 3, "the renderer, the init script, the stylesheet")
	for _, m := range links {
		for _, enc := range []string{"gzip, deflate, br", ""} {
			w := docsExchange(t, h, c, http.MethodGet, m[1], "Accept-Encoding", enc)
			require.Equal(t, http.StatusOK, w.Code, m[1])
			require.Equal(t, apidocs.CSP, w.Header().Get("Content-Security-Policy"), m[1])
			require.Equal(t, "public, max-age=31536000, immutable", w.Header().Get("Cache-Control"), m[1])
			w = docsExchange(t, h, c, http.MethodGet, m[1], "Accept-Encoding", enc, "If-None-Match", w.Header().Get("ETag"))
			require.Equal(t, http.StatusNotModified, w.Code, m[1])
		}
		w := docsExchange(t, h, c, http.MethodPost, m[1])
		require.Equal(t, http.StatusMethodNotAllowed, w.Code, m[1])
		require.Equal(t, "GET, HEAD", w.Header().Get("Allow"), m[1])
	}

	// Everything else under /docs is the API's JSON 404 or 405.
	for _, path := range []string{"/docs/nope.js", "/docs/docs.js", "/docs/x/y", "/docs//docs", "/docsx", "/docs/README.md"} {
		w := docsExchange(t, h, c, http.MethodGet, path)
		require.Equal(t, http.StatusNotFound, w.Code, path)
		require.Equal(t, "application/json", w.Header().Get("Content-Type"), path)
		var body map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), path)
		require.Equal(t, "Not found", body["error"], path)
	}
	for _, method := range []string{http.MethodPost, http.MethodDelete, http.MethodPut} {
		w := docsExchange(t, h, c, method, "/docs")
		require.Equal(t, http.StatusMethodNotAllowed, w.Code, method)
		require.Equal(t, "GET, HEAD", w.Header().Get("Allow"), method)
		require.True(t, bytes.HasPrefix(w.Body.Bytes(), []byte(`{"error":`)), method)
	}
}
