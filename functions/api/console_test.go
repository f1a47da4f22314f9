package main

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/console"
)

// TestConsoleThroughTheProxy: the web console through API Gateway's
// Lambda proxy, as the AWS deployment serves it: the relative redirect,
// the page, and every file it loads, as text (not base64), with the
// console's security headers.
func TestConsoleThroughTheProxy(t *testing.T) {
	f := newLocalFixture(t, nil)

	for _, target := range []string{"/", "/console"} {
		r := f.do(req{method: "GET", target: target})
		require.Equal(t, http.StatusFound, r.status, target)
		require.Equal(t, "console/", r.header.Get("Location"), target)
	}

	page := f.do(req{method: "GET", target: "/console/"})
	require.Equal(t, http.StatusOK, page.status)
	require.Equal(t, "text/html; charset=utf-8", page.header.Get("Content-Type"))
	require.Equal(t, console.ContentSecurityPolicy, page.header.Get("Content-Security-Policy"))

	files := regexp.MustCompile(`(?:src|href)="([a-z0-9-]+\.(?:js|css|svg))"`).FindAllStringSubmatch(string(page.body), -1)
	require.NotEmpty(t, files)
	for _, m := range files {
		target := console.Prefix + m[1]
		raw, err := f.fn(context.Background(), apiEvent(req{method: "GET", target: target}))
		require.NoError(t, err, target)
		require.Equal(t, http.StatusOK, raw.StatusCode, target)
		require.False(t, raw.IsBase64Encoded, "%s: text is passed as it is", target)
		r := f.do(req{method: "GET", target: target})
		require.Equal(t, console.ContentSecurityPolicy, r.header.Get("Content-Security-Policy"), target)
		require.NotEmpty(t, r.body, target)
	}

	r := f.do(req{method: "GET", target: "/console/nope.js"})
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "Not found", r.json(t)["error"])
}
