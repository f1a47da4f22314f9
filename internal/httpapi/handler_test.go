package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sqlite"
)

// testAPI is the handler over a real service on a temporary SQLite file,
// with tenant "acme", its key and the instance acme__c__main.
type testAPI struct {
	h   http.Handler
	key string
}

func newTestAPI(t *testing.T, sandbox Sandbox) testAPI {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	clk := clock.NewFake(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC))
	queues, enq := map[lane.Lane]*sqlite.Queue{}, map[lane.Lane]gateway.Enqueuer{}
	for _, l := range lane.All() {
		queues[l] = sqlite.NewQueue(db, string(l), clk)
		enq[l] = queues[l]
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := gateway.New(gateway.Config{Store: sqlite.NewStore(db, queues), Queues: enq, Clock: clk,
		URLs: netguard.Policy{AllowLoopback: true}, Log: log})
	require.NoError(t, err)
	_, err = svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	key, _, err := svc.CreateKey(ctx, "acme")
	require.NoError(t, err)
	_, err = svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__main",
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
	require.NoError(t, err)
	return testAPI{h: New(Config{Service: svc, Clock: clk, Log: log, Sandbox: sandbox}), key: key}
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func (a testAPI) do(t *testing.T, method, path, body string, header ...string) answer {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("apikey", a.key)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, r)
	var out map[string]any
	if method != http.MethodHead && w.Body.Len() > 0 && w.Body.Bytes()[0] == '{' {
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	}
	return answer{status: w.Code, header: w.Header(), body: out}
}

// TestMethodNotAllowed: a path some route spells out literally belongs to
// the literal routes only, and Allow lists exactly the methods that work.
func TestMethodNotAllowed(t *testing.T) {
	a := newTestAPI(t, nil)
	const inst = "/instance/acme__c__main"
	cases := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/message/text", 405, "POST"},
		{"GET", "/message/image", 405, "POST"},
		{"GET", "/message/send", 405, "POST"},
		{"HEAD", "/message/video", 405, "POST"},
		{"PUT", "/message/text", 405, "POST"},
		{"GET", "/instance/create", 405, "POST"},
		{"DELETE", "/instance/create", 405, "POST"},
		{"PATCH", "/instance/create", 405, "POST"},
		{"DELETE", "/instance/list", 405, "GET, HEAD"},
		{"POST", "/instance/list", 405, "GET, HEAD"},
		{"PATCH", "/stats", 405, "GET, HEAD"},
		{"DELETE", "/health", 405, "GET, HEAD"},
		{"GET", "/admin/tenants", 405, "POST"},
		{"POST", inst + "/queue", 405, "GET, HEAD, DELETE"},
		{"POST", inst + "/webhook", 405, "GET, HEAD, PUT"},
		{"GET", inst + "/logout", 405, "POST"},
		{"GET", inst + "/pairing-code", 405, "POST"},
		{"PUT", inst, 405, "DELETE"},
		{"GET", "/deliveries/x/redeliver", 405, "POST"},
		{"POST", "/message/3b2e1f4a-1111-4222-8333-444455556666", 405, "GET, HEAD, DELETE, PATCH"},
		{"GET", inst + "/unknown", 404, ""},
		{"POST", inst + "/unknown", 404, ""},
		{"GET", "/nope", 404, ""},
		{"GET", "/instance/list/c/x", 404, ""},
		{"POST", "/message//text", 404, ""}, // path cleaning redirects are not part of the API
		{"GET", "/message/./text", 404, ""},
		// What works still works.
		{"GET", "/message/3b2e1f4a-1111-4222-8333-444455556666", 404, ""}, // message not found
		{"GET", "/instance/list", 200, ""},
		{"HEAD", "/instance/list", 200, ""},
		{"GET", "/instance/list/c", 200, ""},
		{"GET", inst + "/queue", 200, ""},
		{"GET", inst + "/webhook", 200, ""},
		{"DELETE", inst + "/queue", 200, ""},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			got := a.do(t, c.method, c.path, "")
			require.Equal(t, c.status, got.status, "%v", got.body)
			require.Equal(t, c.allow, got.header.Get("Allow"))
			require.Equal(t, "application/json", got.header.Get("Content-Type"))
			if c.status == 405 && c.method != http.MethodHead {
				require.Equal(t, "Method not allowed", got.body["error"])
			}
		})
	}
}

// TestMethodNotAllowedBeforeAuth: routing answers come before the key is
// looked at, as they do for every other wrong method.
func TestMethodNotAllowedBeforeAuth(t *testing.T) {
	a := newTestAPI(t, nil)
	a.key = "wrong"
	for _, path := range []string{"/message/text", "/instance/create", "/instance/acme__c__main/logout"} {
		got := a.do(t, "GET", path, "")
		require.Equal(t, 405, got.status, path)
	}
	require.Equal(t, 401, a.do(t, "GET", "/instance/list", "").status)
}

// TestSandboxRoutesShareTheRules: the sandbox's routes are registered
// through the same mechanism.
func TestSandboxRoutesShareTheRules(t *testing.T) {
	a := newTestAPI(t, fakeSandbox{})
	got := a.do(t, "GET", "/sandbox/acme__c__main/scan", "")
	require.Equal(t, 405, got.status)
	require.Equal(t, "POST", got.header.Get("Allow"))
	got = a.do(t, "POST", "/sandbox/acme__c__main/sent", "")
	require.Equal(t, 405, got.status)
	require.Equal(t, "GET, HEAD", got.header.Get("Allow"))
}

// TestUnsupportedMediaType: every route that reads a JSON body answers a
// non-JSON Content-Type with 415; routes without a body do not look at it.
func TestUnsupportedMediaType(t *testing.T) {
	a := newTestAPI(t, nil)
	const send = `{"instanceName":"acme__c__main","to":"5491112345678","text":"hi"}`
	cases := []struct {
		method, path, body, contentType string
		status                          int
	}{
		{"POST", "/message/text", send, "text/plain", 415},
		{"POST", "/message/text", send, "application/x-www-form-urlencoded", 415},
		{"POST", "/message/text", "", "text/plain", 415},
		{"POST", "/message/send", `{}`, "text/plain", 415},
		{"POST", "/instance/create", `{}`, "multipart/form-data; boundary=x", 415},
		{"PUT", "/instance/acme__c__main/webhook", `{}`, "text/plain", 415},
		{"POST", "/instance/acme__c__main/pairing-code", `{}`, "text/plain", 415},
		{"POST", "/message/text", send, "application/json; charset=utf-8", 202},
		{"POST", "/message/text", send, "application/vnd.api+json", 202},
		{"POST", "/message/text", send, "", 202},
		// Routes without a body.
		{"DELETE", "/instance/acme__c__main/queue", "", "text/plain", 200},
		{"POST", "/deliveries/x/redeliver", "", "application/x-www-form-urlencoded", 404},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path+" "+c.contentType, func(t *testing.T) {
			got := a.do(t, c.method, c.path, c.body, "Content-Type", c.contentType)
			require.Equal(t, c.status, got.status, "%v", got.body)
			if c.status == 415 {
				require.Len(t, got.body, 1)
				require.Contains(t, got.body["error"], "Content-Type: application/json")
			}
		})
	}
	// Authentication comes first: no hint to a caller without a key.
	a.key = "wrong"
	require.Equal(t, 401, a.do(t, "POST", "/message/text", send, "Content-Type", "text/plain").status)
}

// TestSendTypeErrorsUseAPINames: a send body's type errors name the API's
// fields (not the Go struct they live in), all of them at once.
func TestSendTypeErrorsUseAPINames(t *testing.T) {
	a := newTestAPI(t, nil)
	for _, k := range message.Kinds() {
		kind := string(k.Type)
		t.Run(kind, func(t *testing.T) {
			got := a.do(t, "POST", "/message/"+kind, `{"instanceName":1,"to":5491112345678,"lane":false}`)
			require.Equal(t, 400, got.status)
			require.Equal(t, "Validation error", got.body["error"])
			require.Equal(t, []any{
				map[string]any{"path": []any{"instanceName"}, "message": "Must be of type string"},
				map[string]any{"path": []any{"to"}, "message": "Must be of type string"},
				map[string]any{"path": []any{"lane"}, "message": "Must be of type string"},
			}, got.body["issues"])
		})
	}
}

// fakeSandbox only has to exist: these tests stop at routing.
type fakeSandbox struct{}

func (fakeSandbox) Scan(string, string) error            { return nil }
func (fakeSandbox) Inbound(string, driver.Inbound) error { return nil }
func (fakeSandbox) Drop(string, driver.Reason) error     { return nil }
func (fakeSandbox) Sent(string) []SandboxSent            { return nil }
func (fakeSandbox) Presences(string) []driver.Presence   { return nil }
