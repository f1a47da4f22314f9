package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/console"
	"github.com/wagateway/wagateway/internal/openapicheck"
)

// consoleExchange sends a request without any key to the whole handler
// and checks the answer against the OpenAPI document.
func consoleExchange(t *testing.T, h http.Handler, c *openapicheck.Checker, method, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.NotEmpty(t, w.Header().Get("x-request-id"), "%s %s", method, path)
	if method != http.MethodHead { // the document, like every route's, has no HEAD operations
		require.NoError(t, c.Check(r, w.Result(), w.Body.Bytes()), "%s %s -> %d", method, path, w.Code)
	}
	return w
}

// TestConsoleRoutes: / and /console lead to the console, which and whose
// files are served without a key, with the console's security headers,
// revalidated by ETag; anything else under /console/ is the API's JSON
// 404, and other methods its 405.
func TestConsoleRoutes(t *testing.T) {
	h := New(Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	c, err := openapicheck.New(OpenAPI())
	require.NoError(t, err)

	for _, path := range []string{"/", "/console"} {
		w := consoleExchange(t, h, c, http.MethodGet, path)
		require.Equal(t, http.StatusFound, w.Code, path)
		require.Equal(t, "console/", w.Header().Get("Location"), "%s: relative, for a path prefix", path)
		require.Empty(t, w.Body.Bytes(), path)
	}

	page := consoleExchange(t, h, c, http.MethodGet, "/console/")
	require.Equal(t, http.StatusOK, page.Code, "no key needed")
	require.Equal(t, "text/html; charset=utf-8", page.Header().Get("Content-Type"))
	require.Equal(t, console.ContentSecurityPolicy, page.Header().Get("Content-Security-Policy"))
	require.Equal(t, "nosniff", page.Header().Get("X-Content-Type-Options"))
	require.Equal(t, "no-referrer", page.Header().Get("Referrer-Policy"))
	require.Equal(t, "no-cache", page.Header().Get("Cache-Control"))
	require.Contains(t, page.Body.String(), `<script type="module" src="main.js"></script>`)

	head := consoleExchange(t, h, c, http.MethodHead, "/console/")
	require.Equal(t, http.StatusOK, head.Code)
	require.Empty(t, head.Body.Bytes())
	require.Equal(t, page.Header().Get("Content-Length"), head.Header().Get("Content-Length"))

	etag := page.Header().Get("ETag")
	require.NotEmpty(t, etag)
	notModified := consoleExchange(t, h, c, http.MethodGet, "/console/", "If-None-Match", etag)
	require.Equal(t, http.StatusNotModified, notModified.Code)
	require.Empty(t, notModified.Body.Bytes())
	require.Equal(t, http.StatusOK, consoleExchange(t, h, c, http.MethodGet, "/console/", "If-None-Match", `"stale"`).Code)

	for _, tt := range []struct{ name, contentType string }{
		{"main.js", "text/javascript; charset=utf-8"},
		{"app.css", "text/css; charset=utf-8"},
		{"icon.svg", "image/svg+xml"},
		{"index.html", "text/html; charset=utf-8"},
	} {
		w := consoleExchange(t, h, c, http.MethodGet, console.Prefix+tt.name)
		require.Equal(t, http.StatusOK, w.Code, tt.name)
		require.Equal(t, tt.contentType, w.Header().Get("Content-Type"), tt.name)
		require.Equal(t, console.ContentSecurityPolicy, w.Header().Get("Content-Security-Policy"), tt.name)
		w = consoleExchange(t, h, c, http.MethodPost, console.Prefix+tt.name)
		require.Equal(t, http.StatusMethodNotAllowed, w.Code, tt.name)
		require.Equal(t, "GET, HEAD", w.Header().Get("Allow"), tt.name)
	}

	for _, path := range []string{"/console/nope.js", "/console/x/main.js", "/console/.js", "/consolex", "/console/../health"} {
		w := consoleExchange(t, h, c, http.MethodGet, path)
		require.Equal(t, http.StatusNotFound, w.Code, path)
		require.Equal(t, "application/json", w.Header().Get("Content-Type"), path)
		var body map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), path)
		require.Equal(t, "Not found", body["error"], path)
	}
	for _, path := range []string{"/", "/console", "/console/"} {
		w := consoleExchange(t, h, c, http.MethodPost, path)
		require.Equal(t, http.StatusMethodNotAllowed, w.Code, path)
		require.Equal(t, "GET, HEAD", w.Header().Get("Allow"), path)
	}
}
