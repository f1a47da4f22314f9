package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
)

func TestRoutingErrors(t *testing.T) {
	g := startGateway(t, nil)
	r := g.do("GET", "/nope", nil, as(g.demoKey)...)
	require.Equal(t, http.StatusNotFound, r.Status)
	require.NotEmpty(t, r.JSON(t)["error"])
	r = g.send("PATCH", "/instance/create", nil, as(g.demoKey)...)
	require.Equal(t, http.StatusMethodNotAllowed, r.Status)
	require.Equal(t, "POST", r.Header.Get("Allow"))
	r = g.do("POST", "/instance/demo__c__l/settings", nil, as(g.demoKey)...)
	require.Equal(t, http.StatusMethodNotAllowed, r.Status)
	require.Equal(t, "GET, HEAD, PATCH", r.Header.Get("Allow"))
	r = g.do("GET", "/instance/demo__c__l/unknown", nil, as(g.demoKey)...)
	require.Equal(t, http.StatusNotFound, r.Status)
}

func TestBodyTooLarge(t *testing.T) {
	g := startGateway(t, nil)
	g.newInstance(g.demoKey, "demo__c__main")
	big := `{"instanceName":"demo__c__main","to":"5491112345678","text":"` + strings.Repeat("a", 1<<20) + `"}`
	r := g.do("POST", "/message/text", big, as(g.demoKey)...)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Status)
	require.NotEmpty(t, r.JSON(t)["error"])
	// Chunked, so no Content-Length gives it away.
	req, err := http.NewRequest("POST", g.base+"/message/text", strings.NewReader(big))
	require.NoError(t, err)
	req.ContentLength = -1
	req.Header.Set("apikey", g.demoKey)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	// Just under the limit is fine (and then rejected for its text length).
	ok := `{"instanceName":"demo__c__main","to":"5491112345678","text":"` + strings.Repeat("a", 1000) + `"}`
	require.Equal(t, http.StatusAccepted, g.do("POST", "/message/text", ok, as(g.demoKey)...).Status)
}

func TestRateLimit(t *testing.T) {
	g := startGateway(t, func(c *config.Local) { c.RatePerSecond, c.RateBurst = 0.5, 3 })
	other := g.newTenant("beta")
	for range 3 {
		require.Equal(t, http.StatusOK, g.do("GET", "/instance/list", nil, as(g.demoKey)...).Status)
	}
	r := g.do("GET", "/instance/list", nil, as(g.demoKey)...)
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.NotEmpty(t, r.JSON(t)["error"])
	require.Contains(t, []string{"1", "2"}, r.Header.Get("Retry-After"))
	require.Equal(t, http.StatusOK, g.do("GET", "/instance/list", nil, as(other)...).Status, "limits are per tenant")
	require.Equal(t, http.StatusOK, g.do("GET", "/health", nil).Status, "health is not limited")
}

// TestInternalErrorHidesDetails breaks the database under a running
// gateway: the client gets a bare 500 with a request id, never the cause.
func TestInternalErrorHidesDetails(t *testing.T) {
	g := startGateway(t, nil)
	g.newInstance(g.demoKey, "demo__c__main")
	require.NoError(t, g.app.DB.Close())
	r := g.do("GET", "/instance/demo__c__main/status", nil, "apikey", g.demoKey)
	require.Equal(t, http.StatusInternalServerError, r.Status)
	body := r.JSON(t)
	require.Equal(t, "Internal error", body["error"])
	require.Equal(t, r.Header.Get("x-request-id"), body["requestId"])
	require.Len(t, body, 2)
	require.NotContains(t, strings.ToLower(string(r.Body)), "sql")
}

// send is g.do with the request built here: a header given an empty
// value is left out (do always sends Content-Type with a body). Every
// answer is checked against the OpenAPI document.
func (g *gw) send(method, path string, body []byte, headers ...string) resp {
	g.t.Helper()
	req, err := http.NewRequest(method, g.base+path, bytes.NewReader(body))
	require.NoError(g.t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := g.client.Do(req)
	require.NoError(g.t, err)
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	require.NoError(g.t, err)
	require.NotEmpty(g.t, res.Header.Get("x-request-id"))
	require.Equal(g.t, "application/json", res.Header.Get("Content-Type"))
	req.Body = io.NopCloser(bytes.NewReader(body))
	require.NoError(g.t, g.checker.Check(req, res, got), "%s %s -> %d %s", method, path, res.StatusCode, got)
	return resp{Status: res.StatusCode, Header: res.Header, Body: got}
}

// TestErrorsLiteralPathMethods: a path a route spells out belongs to that route
// alone (GET /message/text is no lookup of message "text"), and Allow
// lists only the methods that work there.
func TestErrorsLiteralPathMethods(t *testing.T) {
	g := startGateway(t, nil)
	g.newInstance(g.demoKey, "demo__c__main")
	cases := []struct {
		method, path string
		allow        string
	}{
		{"GET", "/message/text", "POST"}, // n8n's default method
		{"GET", "/message/image", "POST"},
		{"GET", "/message/document", "POST"},
		{"GET", "/message/audio", "POST"},
		{"GET", "/message/video", "POST"},
		{"GET", "/message/send", "POST"},
		{"PUT", "/message/text", "POST"},
		{"GET", "/instance/create", "POST"},
		{"DELETE", "/instance/create", "POST"},
		{"DELETE", "/instance/list", "GET, HEAD"},
		{"POST", "/instance/list", "GET, HEAD"},
		{"GET", "/instance/demo__c__main/logout", "POST"},
		{"GET", "/instance/demo__c__main/restart", "POST"},
		{"GET", "/instance/demo__c__main/pairing-code", "POST"},
		{"POST", "/instance/demo__c__main/status", "GET, HEAD"},
		{"PUT", "/instance/demo__c__main", "DELETE"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r := g.send(c.method, c.path, nil, as(g.demoKey)...)
			require.Equal(t, http.StatusMethodNotAllowed, r.Status, string(r.Body))
			require.Equal(t, c.allow, r.Header.Get("Allow"))
			require.Equal(t, "Method not allowed", r.JSON(t)["error"])
		})
	}
	// The wildcard routes still take what is theirs.
	require.Equal(t, http.StatusNotFound, g.do("GET", "/message/3b2e1f4a-1111-4222-8333-444455556666", nil, as(g.demoKey)...).Status)
	require.Equal(t, http.StatusOK, g.do("GET", "/instance/list/c", nil, as(g.demoKey)...).Status)
	require.Equal(t, http.StatusNotFound, g.do("GET", "/instance/demo__c__main/nope", nil, as(g.demoKey)...).Status)
}

// TestErrorsUnsupportedMediaType: a body that says it is not JSON gets a 415
// that says what to send; JSON in any spelling, or no Content-Type at
// all, is read.
func TestErrorsUnsupportedMediaType(t *testing.T) {
	g := startGateway(t, nil)
	g.newInstance(g.demoKey, "demo__c__main")
	text := []byte(`{"instanceName":"demo__c__main","to":"5491112345678","text":"hi"}`)
	hook := []byte(`{"webhookUrl":"http://127.0.0.1:9/hook","webhookSecret":"0123456789abcdef"}`)
	cases := []struct {
		method, path string
		body         []byte
		contentType  string
		status       int
	}{
		{"POST", "/message/text", text, "text/plain", 415},
		{"POST", "/message/text", text, "application/x-www-form-urlencoded", 415},
		{"POST", "/message/text", text, "multipart/form-data; boundary=x", 415},
		{"PUT", "/instance/demo__c__main/webhook", hook, "text/plain; charset=utf-8", 415},
		{"POST", "/instance/create", []byte(`{}`), "text/plain", 415},
		{"POST", "/admin/tenants", []byte(`{"tenantId":"zeta"}`), "text/plain", 415},
		{"POST", "/message/text", text, "application/json; charset=utf-8", 202},
		{"POST", "/message/text", text, "application/vnd.api+json", 202},
		{"POST", "/message/text", text, "", 202}, // no Content-Type header at all
		{"PUT", "/instance/demo__c__main/webhook", hook, "", 200},
		// No body to read: Content-Type is not looked at.
		{"DELETE", "/instance/demo__c__main/queue", nil, "text/plain", 200},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path+" "+c.contentType, func(t *testing.T) {
			headers := append(as(g.demoKey), "Content-Type", c.contentType)
			if strings.HasPrefix(c.path, "/admin") {
				headers = append(admin(), "Content-Type", c.contentType)
			}
			r := g.send(c.method, c.path, c.body, headers...)
			require.Equal(t, c.status, r.Status, string(r.Body))
			if c.status == http.StatusUnsupportedMediaType {
				body := r.JSON(t)
				require.Len(t, body, 1)
				require.Contains(t, body["error"], "send the body as JSON with Content-Type: application/json")
			}
		})
	}
}

// TestErrorsStrictBodies: bodies are read exactly as documented, and every
// problem is one issue of a single 400, at the API's own JSON path.
func TestErrorsStrictBodies(t *testing.T) {
	g := startGateway(t, nil)
	g.newInstance(g.demoKey, "demo__c__main")
	type issue struct {
		path []any
		msg  string // substring
	}
	cases := []struct {
		name, path, body string
		want             []issue
	}{
		{"wrong types on text, all at once", "/message/text", `{"instanceName":1,"to":5491112345678,"text":true,"lane":[]}`,
			[]issue{{[]any{"instanceName"}, "Must be of type string"}, {[]any{"to"}, "Must be of type string"},
				{[]any{"text"}, "Must be of type string"}, {[]any{"lane"}, "Must be of type string"}}},
		{"wrong type on image", "/message/image", `{"instanceName":"demo__c__main","to":5491112345678,"imageUrl":"https://x.example/a.jpg"}`,
			[]issue{{[]any{"to"}, "Must be of type string"}}},
		{"wrong type on document", "/message/document", `{"instanceName":"demo__c__main","to":5491112345678,"documentUrl":"https://x.example/a.pdf","fileName":7}`,
			[]issue{{[]any{"to"}, "Must be of type string"}, {[]any{"fileName"}, "Must be of type string"}}},
		{"wrong type on audio", "/message/audio", `{"instanceName":"demo__c__main","to":5491112345678,"audioUrl":"https://x.example/a.ogg"}`,
			[]issue{{[]any{"to"}, "Must be of type string"}}},
		{"wrong type on video", "/message/video", `{"instanceName":"demo__c__main","to":5491112345678,"videoUrl":"https://x.example/a.mp4"}`,
			[]issue{{[]any{"to"}, "Must be of type string"}}},
		{"key in another case", "/message/text", `{"instanceName":"demo__c__main","to":"5491112345678","Text":"hi"}`,
			[]issue{{[]any{"Text"}, `did you mean "text"?); allowed: instanceName, to, lane, replyTo, text`}}},
		{"duplicated key", "/message/text", `{"instanceName":"demo__c__main","to":"5491112345678","text":"a","text":"b"}`,
			[]issue{{[]any{"text"}, "Duplicated"}}},
		{"duplicated key on create", "/instance/create", `{"instanceName":"demo__c__x","instanceName":"demo__c__y","webhookUrl":"http://127.0.0.1:9/h","webhookSecret":"0123456789abcdef"}`,
			[]issue{{[]any{"instanceName"}, "Duplicated"}}},
		{"escaped NUL", "/message/text", `{"instanceName":"demo__c__main","to":"5491112345678","text":"a\u0000b"}`,
			[]issue{{[]any{"text"}, "NUL"}}},
		{"raw NUL", "/message/text", "{\"instanceName\":\"demo__c__main\",\"to\":\"5491112345678\",\"text\":\"a\x00b\"}",
			[]issue{{[]any{"text"}, "NUL"}}},
		{"invalid UTF-8", "/message/image", "{\"instanceName\":\"demo__c__main\",\"to\":\"5491112345678\",\"imageUrl\":\"https://x.example/a.jpg\",\"caption\":\"\xff\"}",
			[]issue{{[]any{"caption"}, "UTF-8"}}},
		{"malformed", "/message/text", "{\n  \"instanceName\": \"demo__c__main\",\n  \"to\": 5491112345678,,\n}",
			[]issue{{[]any{}, "Malformed JSON at line 3, column 23: "}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := g.do("POST", c.path, c.body, as(g.demoKey)...)
			require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
			require.NotContains(t, string(r.Body), "sendCommon")
			body := r.JSON(t)
			require.Equal(t, "Validation error", body["error"])
			issues := body["issues"].([]any)
			require.Len(t, issues, len(c.want), string(r.Body))
			for i, w := range c.want {
				got := issues[i].(map[string]any)
				require.Equal(t, w.path, got["path"], string(r.Body))
				require.Contains(t, got["message"], w.msg)
			}
		})
	}
}

// TestErrorsSayWhatToDo: a 403 names the prefix the key's instances
// need (the same words whether or not the instance exists), and a bad
// name says what a good one looks like.
func TestErrorsSayWhatToDo(t *testing.T) {
	g := startGateway(t, nil)
	other := g.newTenant("acme")
	g.newInstance(other, "acme__c__main")
	const want = `This key belongs to tenant "demo": instance names must start with "demo__"`
	for _, name := range []string{"acme__c__main", "acme__c__missing"} {
		r := g.do("GET", "/instance/"+name+"/status", nil, as(g.demoKey)...)
		require.Equal(t, http.StatusForbidden, r.Status)
		require.Equal(t, want, r.JSON(t)["error"])
		r = g.do("POST", "/instance/create", map[string]any{"instanceName": name, "webhookUrl": "http://127.0.0.1:9/h",
			"webhookSecret": "0123456789abcdef"}, as(g.demoKey)...)
		require.Equal(t, http.StatusForbidden, r.Status)
		require.Equal(t, want, r.JSON(t)["error"])
	}
	r := g.do("POST", "/instance/create", map[string]any{"instanceName": "Demo_c", "webhookUrl": "http://127.0.0.1:9/h",
		"webhookSecret": "0123456789abcdef"}, as(g.demoKey)...)
	require.Equal(t, http.StatusBadRequest, r.Status)
	msg := r.JSON(t)["issues"].([]any)[0].(map[string]any)["message"].(string)
	require.True(t, strings.HasPrefix(msg, "Must follow {tenant}__{client}__{label} format: "), msg)
	require.Contains(t, msg, "lower-case letters, digits or hyphens")
}

// TestErrorsNumericHosts: an address spelled as a number is refused
// where the URL is given, at its field.
func TestErrorsNumericHosts(t *testing.T) {
	g := startGateway(t, nil)
	g.newInstance(g.demoKey, "demo__c__main")
	for _, u := range []string{"https://2130706433/hook", "https://0x7f.1/", "https://0177.0.0.1/", "https://127.1/", "http://0x7f000001:9/"} {
		t.Run(u, func(t *testing.T) {
			r := g.do("POST", "/instance/create", map[string]any{"instanceName": "demo__c__new", "webhookUrl": u,
				"webhookSecret": "0123456789abcdef"}, as(g.demoKey)...)
			requireIssue(t, r, "webhookUrl", "not allowed")
			r = g.do("PUT", "/instance/demo__c__main/webhook", map[string]any{"webhookUrl": u,
				"webhookSecret": "0123456789abcdef"}, as(g.demoKey)...)
			requireIssue(t, r, "webhookUrl", "not allowed")
			r = g.do("POST", "/message/image", map[string]any{"instanceName": "demo__c__main", "to": "5491112345678",
				"imageUrl": u}, as(g.demoKey)...)
			requireIssue(t, r, "imageUrl", "not allowed")
		})
	}
}

func requireIssue(t *testing.T, r resp, field, msg string) {
	t.Helper()
	require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))
	issues := r.JSON(t)["issues"].([]any)
	require.Len(t, issues, 1, string(r.Body))
	require.Equal(t, []any{field}, issues[0].(map[string]any)["path"])
	require.Contains(t, issues[0].(map[string]any)["message"], msg)
}
