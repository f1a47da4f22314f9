package console

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readAsset reads an embedded file.
func readAsset(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(files, "assets/"+name)
	require.NoError(t, err, name)
	return string(b)
}

func assetNames(t *testing.T) []string {
	t.Helper()
	entries, err := fs.ReadDir(files, "assets")
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		require.False(t, e.IsDir(), "assets/ is flat: %s", e.Name())
		out = append(out, e.Name())
	}
	return out
}

// TestContentSecurityPolicy pins the policy: adding a source is a decision
// to make here, with its reason in console.go.
func TestContentSecurityPolicy(t *testing.T) {
	require.Equal(t, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "+
		"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", ContentSecurityPolicy)
}

// TestServe: every file with its type and the security headers; ETag
// revalidation; HEAD without a body.
func TestServe(t *testing.T) {
	c := New()
	names := c.Names()
	require.Contains(t, names, "")
	for _, name := range assetNames(t) {
		require.Contains(t, names, name)
	}
	get := func(method, path string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		require.Equal(t, path != Prefix+"nope.js", c.Serves(r), path)
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		return w
	}
	for _, name := range names {
		w := get(http.MethodGet, Prefix+name)
		require.Equal(t, http.StatusOK, w.Code, name)
		require.Equal(t, ContentSecurityPolicy, w.Header().Get("Content-Security-Policy"), name)
		require.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"), name)
		require.Equal(t, "no-referrer", w.Header().Get("Referrer-Policy"), name)
		require.Equal(t, "no-cache", w.Header().Get("Cache-Control"), name)
		require.Regexp(t, `^"[0-9a-f]{24}"$`, w.Header().Get("ETag"), name)
		require.NotContains(t, w.Header().Get("Content-Type"), "octet-stream", name)
		body, err := fs.ReadFile(files, "assets/"+map[bool]string{true: index, false: name}[name == ""])
		require.NoError(t, err)
		require.Equal(t, string(body), w.Body.String(), name)

		etag := w.Header().Get("ETag")
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			nm := get(http.MethodGet, Prefix+name, "If-None-Match", inm)
			require.Equal(t, http.StatusNotModified, nm.Code, "%s %s", name, inm)
			require.Empty(t, nm.Body.Bytes())
		}
		require.Equal(t, http.StatusOK, get(http.MethodGet, Prefix+name, "If-None-Match", `"other"`).Code)

		head := get(http.MethodHead, Prefix+name)
		require.Equal(t, http.StatusOK, head.Code)
		require.Empty(t, head.Body.Bytes())
		require.Equal(t, w.Header().Get("Content-Length"), head.Header().Get("Content-Length"))
	}
	require.Equal(t, http.StatusNotFound, get(http.MethodGet, Prefix+"nope.js").Code)
}

// TestEveryFileIsUsed: what index.html links and the modules import is
// exactly what is embedded: no broken link, no dead file.
func TestEveryFileIsUsed(t *testing.T) {
	used := map[string]bool{index: true}
	html := readAsset(t, index)
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"#:]+)"`).FindAllStringSubmatch(html, -1) {
		if strings.HasPrefix(m[1], "../") {
			continue // the API's own documents (the noscript link)
		}
		used[m[1]] = true
	}
	importRe := regexp.MustCompile(`(?m)^import .* from '\./([a-z0-9-]+\.js)';$`)
	for _, name := range assetNames(t) {
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		for _, m := range importRe.FindAllStringSubmatch(readAsset(t, name), -1) {
			used[m[1]] = true
		}
	}
	var linked []string
	for name := range used {
		linked = append(linked, name)
	}
	slices.Sort(linked)
	require.Equal(t, assetNames(t), linked)
}

// TestNothingInlineNothingAsMarkup: the page has no inline script, event
// handler attribute or style (the CSP would block them, so they would be
// bugs), and no module builds markup from strings: data reaches the page
// as text nodes and attribute values only (dom.js). The browser test
// proves it on a stranger's markup; this keeps the ways around it out.
func TestNothingInlineNothingAsMarkup(t *testing.T) {
	html := readAsset(t, index)
	for _, m := range regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`).FindAllStringSubmatch(html, -1) {
		require.Contains(t, m[1], `src=`, "an inline <script>")
		require.Empty(t, strings.TrimSpace(m[2]), "a script element with content")
	}
	require.NotRegexp(t, `(?i)<[^>]+\son[a-z]+\s*=`, html, "an inline event handler")
	require.NotRegexp(t, `(?i)<[^>]+\sstyle\s*=`, html, "an inline style")
	require.NotRegexp(t, `(?i)<style\b`, html, "a <style> element")
	require.NotRegexp(t, `(?i)javascript:`, html)

	forbidden := regexp.MustCompile(`\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|createContextualFragment|DOMParser|\.setAttribute\(\s*'style'`)
	for _, name := range assetNames(t) {
		if strings.HasSuffix(name, ".js") {
			require.NotRegexp(t, forbidden, readAsset(t, name), name)
		}
	}
}

// TestHooks: the data-testid hooks the issue promises to tests are there.
func TestHooks(t *testing.T) {
	var all strings.Builder
	for _, name := range assetNames(t) {
		all.WriteString(readAsset(t, name))
	}
	for _, hook := range []string{"apikey-input", "signin", "instance-row", "instance-state", "create-instance",
		"qr-image", "send-text", "message-row", "delivery-row", "redeliver"} {
		require.Regexp(t, `(data-testid="|'data-testid': ')`+regexp.QuoteMeta(hook)+`['"]`, all.String(), hook)
	}
	require.Contains(t, all.String(), `'data-instance': name`, "instance rows carry their name")
}
