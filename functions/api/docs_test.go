package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/apidocs"
)

// lambdaResponseLimit is the most a synchronous Lambda invocation may
// return (6 MB, the JSON of the proxy response included); API Gateway
// answers 502 to anything bigger.
const lambdaResponseLimit = 6 * 1024 * 1024

// invokeRaw sends r's event through the proxy and returns the response
// as API Gateway receives it, after checking it fits the invocation.
func (f *localFixture) invokeRaw(r req) events.APIGatewayV2HTTPResponse {
	f.t.Helper()
	res, err := f.fn(context.Background(), apiEvent(r))
	require.NoError(f.t, err)
	payload, err := json.Marshal(res)
	require.NoError(f.t, err)
	require.Less(f.t, len(payload), lambdaResponseLimit, "%s %s: the response must fit a Lambda invocation", r.method, r.target)
	return res
}

// TestDocsThroughTheProxy: the API reference page and its assets through
// API Gateway's Lambda proxy. The renderer (1.1 MB of JavaScript, sent
// gzipped) is binary on the way out: the adapter must base64 it and mark
// it so, or API Gateway would hand the browser mangled bytes.
func TestDocsThroughTheProxy(t *testing.T) {
	f := newLocalFixture(t, nil)

	page := f.do(req{method: "GET", target: "/docs", header: map[string]string{"accept-encoding": "gzip, deflate, br"}})
	require.Equal(t, http.StatusOK, page.status)
	require.Equal(t, "text/html; charset=utf-8", page.header.Get("Content-Type"))
	require.Equal(t, apidocs.CSP, page.header.Get("Content-Security-Policy"))
	require.Empty(t, page.header.Get("Content-Encoding"), "the page itself is small and sent plain")
	// Not through f.do: the document cannot tell /docs/ from /docs/{asset}.
	slash := toReply(t, f.invokeRaw(req{method: "GET", target: "/docs/"}))
	require.Equal(t, http.StatusOK, slash.status)
	require.Equal(t, page.body, slash.body)

	raw := f.invokeRaw(req{method: "HEAD", target: "/docs"})
	require.Equal(t, http.StatusOK, raw.StatusCode)
	require.Empty(t, raw.Body, "HEAD has no body")

	links := regexp.MustCompile(`(?:src|href)="(/docs/[^"]+)"`).FindAllStringSubmatch(string(page.body), -1)
	require.Len(t, links, 3)
	var sawGzip bool
	for _, m := range links {
		path := m[1]
		plainRaw := f.invokeRaw(req{method: "GET", target: path})
		require.Equal(t, http.StatusOK, plainRaw.StatusCode, path)
		require.False(t, plainRaw.IsBase64Encoded, "%s: text is passed as it is", path)
		plain := f.do(req{method: "GET", target: path})
		require.Equal(t, []byte(plainRaw.Body), plain.body, path)
		require.Equal(t, "public, max-age=31536000, immutable", plain.header.Get("Cache-Control"), path)

		gz := map[string]string{"accept-encoding": "gzip, deflate, br"}
		encRaw := f.invokeRaw(req{method: "GET", target: path, header: gz})
		enc := f.do(req{method: "GET", target: path, header: gz}) // decodes base64, checks Content-Length and the document
		if enc.header.Get("Content-Encoding") != "gzip" {
			require.Equal(t, plain.body, enc.body, path)
			continue
		}
		sawGzip = true
		require.True(t, encRaw.IsBase64Encoded, "%s: gzip is binary, so base64 in the proxy response", path)
		zr, err := gzip.NewReader(bytes.NewReader(enc.body))
		require.NoError(t, err, path)
		unzipped, err := io.ReadAll(zr)
		require.NoError(t, err, path)
		require.True(t, bytes.Equal(plain.body, unzipped), "%s: the gzipped body is the file", path)
		require.Greater(t, len(unzipped), 1_000_000, "%s: the renderer, over 1 MB", path)
		require.Equal(t, "Accept-Encoding", enc.header.Get("Vary"), path)

		notModified := f.do(req{method: "GET", target: path, header: map[string]string{
			"accept-encoding": "gzip", "if-none-match": enc.header.Get("ETag")}})
		require.Equal(t, http.StatusNotModified, notModified.status, path)
		require.Empty(t, notModified.body, path)
	}
	require.True(t, sawGzip, "the renderer went out gzipped")

	r := f.do(req{method: "GET", target: "/docs/redoc.standalone.js"})
	require.Equal(t, http.StatusNotFound, r.status, "only the hashed names are served")
	require.Equal(t, "Not found", r.json(t)["error"])
}
