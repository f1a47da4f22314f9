package main

// The tests in this file feed API Gateway HTTP API events (payload format
// 2.0) for every route of API.md through cloud.Proxy(cloud.AssembleAPI(...)), in
// process, and check status codes, headers, bodies (each response also
// against the OpenAPI document), base64 bodies, path parameters, query
// strings and the 1 MiB body limit.
//
// For speed the API runs here on the local adapters (SQLite state and lane
// queues, the sandbox driver's session host), wired as internal/local
// wires them: the Lambda proxy layer and AssembleAPI's AWS configuration are
// what is under test. The AWS adapters have their own tests, and
// lambda_test.go runs the real bootstrap binary on DynamoDB Local and SQS.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/cloud"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/httpapi"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/openapicheck"
	"github.com/wagateway/wagateway/internal/sandbox"
	"github.com/wagateway/wagateway/internal/sqlite"
)

const testAdminKey = "test-operator-key-0123456789"

// localFixture is the API behind the Lambda proxy, on local adapters.
type localFixture struct {
	t       *testing.T
	fn      cloud.LambdaFunc
	network *sandbox.Network
	checker *openapicheck.Checker
}

// eventsProxy breaks the construction cycle between the sandbox network
// (which reports to the host) and the host (which drives the network).
type eventsProxy struct {
	mu sync.Mutex
	to driver.Events
}

func (p *eventsProxy) target() driver.Events { p.mu.Lock(); defer p.mu.Unlock(); return p.to }

func (p *eventsProxy) QR(i, c string)                             { p.target().QR(i, c) }
func (p *eventsProxy) Connected(i, ph string)                     { p.target().Connected(i, ph) }
func (p *eventsProxy) Connecting(i string)                        { p.target().Connecting(i) }
func (p *eventsProxy) Disconnected(i string, r driver.Reason)     { p.target().Disconnected(i, r) }
func (p *eventsProxy) Received(i string, in driver.Inbound) error { return p.target().Received(i, in) }

func newLocalFixture(t *testing.T, tweak func(*config.AWS)) *localFixture {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gateway.db"))
	require.NoError(t, err)
	clk := clock.Real{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	queues := map[lane.Lane]gateway.Enqueuer{}
	byLane := map[lane.Lane]*sqlite.Queue{}
	recv := map[lane.Lane]host.Receiver{}
	for _, l := range lane.All() {
		q := sqlite.NewQueue(db, "lane-"+string(l), clk)
		queues[l], byLane[l], recv[l] = q, q, q
	}
	store := sqlite.NewStore(db, byLane)
	events := &eventsProxy{}
	network := sandbox.New(events, clk, rand.New(rand.NewPCG(1, 2)))
	h, err := host.New(host.Config{Driver: network, Store: store, Queues: recv, Clock: clk, Log: log, DelayScale: 0.001,
		Fetcher: media.New(media.Options{Policy: netguard.Policy{}})})
	require.NoError(t, err)
	events.mu.Lock()
	events.to = h
	events.mu.Unlock()
	done := make(chan struct{})
	go func() { defer close(done); _ = h.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; _ = db.Close() })

	cfg := config.AWS{AdminKey: testAdminKey, RatePerSecond: 0, RateBurst: 1}
	if tweak != nil {
		tweak(&cfg)
	}
	handler, err := cloud.AssembleAPI(cfg, cloud.APIAdapters{Store: store, Queues: queues, Sessions: h}, cloud.Options{Clock: clk, Log: log})
	require.NoError(t, err)
	checker, err := openapicheck.New(httpapi.OpenAPI())
	require.NoError(t, err)
	return &localFixture{t: t, fn: cloud.Proxy(handler, log), network: network, checker: checker}
}

// req is one request as a client sends it to API Gateway.
type req struct {
	method, target string // target: raw path, optionally ?raw-query
	header         map[string]string
	body           []byte
	base64         bool // API Gateway marked the body base64 (binary media types)
	noRawQuery     bool // only queryStringParameters carry the query
}

func jsonBody(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// apiEvent is the event API Gateway (HTTP API, $default stage and route)
// sends for r.
func apiEvent(r req) events.APIGatewayV2HTTPRequest {
	rawPath, rawQuery, _ := strings.Cut(r.target, "?")
	path, err := url.PathUnescape(rawPath)
	if err != nil {
		path = rawPath
	}
	hs := map[string]string{"host": "abc123.execute-api.us-east-1.amazonaws.com", "user-agent": "curl/8.5.0",
		"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7"}
	if r.body != nil {
		hs["content-type"] = "application/json"
		hs["content-length"] = strconv.Itoa(len(r.body))
	}
	for k, v := range r.header {
		hs[strings.ToLower(k)] = v
	}
	var qp map[string]string
	if vals, err := url.ParseQuery(rawQuery); err == nil && len(vals) > 0 {
		qp = map[string]string{}
		for k, v := range vals {
			qp[k] = strings.Join(v, ",") // as API Gateway joins repeated parameters
		}
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: rawPath, RawQueryString: rawQuery, Headers: hs,
		QueryStringParameters: qp,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: "$default", AccountID: "123456789012", Stage: "$default", RequestID: "JKJaXmPLvHcESHA=",
			APIID: "abc123", DomainName: "abc123.execute-api.us-east-1.amazonaws.com", DomainPrefix: "abc123",
			Time: "15/Mar/2026:10:30:00 +0000", TimeEpoch: time.Now().UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: r.method, Path: path, Protocol: "HTTP/1.1",
				SourceIP: "203.0.113.7", UserAgent: "curl/8.5.0"},
		},
	}
	if r.noRawQuery {
		ev.RawQueryString = ""
	}
	if r.body != nil {
		if r.base64 {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(r.body), true
		} else {
			ev.Body = string(r.body)
		}
	}
	return ev
}

// reply is the client's view of the function's response.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "%s", r.body)
	return m
}

// do invokes the function with r's event, checks what every response
// must have (x-request-id, the OpenAPI document's shape) and returns it.
func (f *localFixture) do(r req) reply {
	f.t.Helper()
	res, err := f.fn(context.Background(), apiEvent(r))
	require.NoError(f.t, err, "the function never fails the invocation: API Gateway would answer a bare 500")
	out := toReply(f.t, res)
	require.Regexp(f.t, `^[0-9a-f-]{36}$`, out.header.Get("x-request-id"), "%s %s", r.method, r.target)
	hreq, err := http.NewRequest(r.method, "https://abc123.execute-api.us-east-1.amazonaws.com"+r.target, bytes.NewReader(r.body))
	require.NoError(f.t, err)
	for k, v := range r.header {
		hreq.Header.Set(k, v)
	}
	hres := &http.Response{StatusCode: out.status, Header: out.header, Body: io.NopCloser(bytes.NewReader(out.body))}
	require.NoError(f.t, f.checker.Check(hreq, hres, out.body))
	return out
}

func toReply(t *testing.T, res events.APIGatewayV2HTTPResponse) reply {
	t.Helper()
	h := http.Header{}
	for k, v := range res.Headers {
		h.Set(k, v)
	}
	for _, c := range res.Cookies {
		h.Add("Set-Cookie", c)
	}
	body := []byte(res.Body)
	if res.IsBase64Encoded {
		var err error
		body, err = base64.StdEncoding.DecodeString(res.Body)
		require.NoError(t, err)
	}
	if cl := h.Get("Content-Length"); cl != "" {
		require.Equal(t, strconv.Itoa(len(body)), cl)
	}
	return reply{status: res.StatusCode, header: h, body: body}
}

func admin() map[string]string       { return map[string]string{"x-admin-key": testAdminKey} }
func key(k string) map[string]string { return map[string]string{"apikey": k} }
func keyIdem(k, idem string) map[string]string {
	return map[string]string{"apikey": k, "Idempotency-Key": idem}
}

// tenantKey creates a tenant through the admin routes and returns its key.
func (f *localFixture) tenantKey(tenantID string) string {
	f.t.Helper()
	r := f.do(req{method: "POST", target: "/admin/tenants", header: admin(), body: jsonBody(f.t, map[string]any{"tenantId": tenantID})})
	require.Equal(f.t, http.StatusCreated, r.status, "%s", r.body)
	r = f.do(req{method: "POST", target: "/admin/tenants/" + tenantID + "/keys", header: admin()})
	require.Equal(f.t, http.StatusCreated, r.status, "%s", r.body)
	return r.json(f.t)["apikey"].(string)
}

func (f *localFixture) createInstance(k, name string) {
	f.t.Helper()
	r := f.do(req{method: "POST", target: "/instance/create", header: key(k), body: jsonBody(f.t, map[string]any{
		"instanceName": name, "webhookUrl": "https://hooks.example.com/wa", "webhookSecret": "0123456789abcdef"})})
	require.Equal(f.t, http.StatusCreated, r.status, "%s", r.body)
}

func (f *localFixture) waitState(k, name, state string) {
	f.t.Helper()
	require.Eventually(f.t, func() bool {
		return f.do(req{method: "GET", target: "/instance/" + name + "/status", header: key(k)}).json(f.t)["state"] == state
	}, 10*time.Second, 10*time.Millisecond, "state %s", state)
}

func TestPublicRoutes(t *testing.T) {
	f := newLocalFixture(t, nil)
	r := f.do(req{method: "GET", target: "/health"})
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	h := r.json(t)
	require.Equal(t, "ok", h["status"])
	require.EqualValues(t, 0, h["tenants"])

	r = f.do(req{method: "GET", target: "/openapi.json"})
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	require.Equal(t, httpapi.OpenAPI(), r.body)

	// Unknown paths and methods answer in JSON, 405 with Allow.
	r = f.do(req{method: "GET", target: "/nope"})
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	r = f.do(req{method: "DELETE", target: "/health"})
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	require.Contains(t, r.header.Get("Allow"), "GET")
}

func TestAdminRoutes(t *testing.T) {
	f := newLocalFixture(t, nil)
	body := jsonBody(t, map[string]any{"tenantId": "acme"})
	r := f.do(req{method: "POST", target: "/admin/tenants", body: body})
	require.Equal(t, http.StatusUnauthorized, r.status)
	r = f.do(req{method: "POST", target: "/admin/tenants", header: map[string]string{"x-admin-key": "wrong-key-0123456789"}, body: body})
	require.Equal(t, http.StatusUnauthorized, r.status)

	r = f.do(req{method: "POST", target: "/admin/tenants", header: admin(), body: body, base64: true})
	require.Equal(t, http.StatusCreated, r.status, "a base64 body is decoded: %s", r.body)
	require.Equal(t, "acme", r.json(t)["tenantId"])
	r = f.do(req{method: "POST", target: "/admin/tenants", header: admin(), body: body})
	require.Equal(t, http.StatusConflict, r.status)

	r = f.do(req{method: "POST", target: "/admin/tenants/acme/keys", header: admin()})
	require.Equal(t, http.StatusCreated, r.status)
	created := r.json(t)
	require.True(t, strings.HasPrefix(created["apikey"].(string), "wgk_"))
	r = f.do(req{method: "POST", target: "/admin/tenants/nobody/keys", header: admin()})
	require.Equal(t, http.StatusNotFound, r.status, "the path parameter reaches the handler")

	r = f.do(req{method: "DELETE", target: "/admin/tenants/acme/keys/" + created["keyId"].(string), header: admin()})
	require.Equal(t, http.StatusNoContent, r.status)
	require.Empty(t, r.body)
	r = f.do(req{method: "GET", target: "/instance/list", header: key(created["apikey"].(string))})
	require.Equal(t, http.StatusUnauthorized, r.status, "a deleted key no longer works")
	r = f.do(req{method: "DELETE", target: "/admin/tenants/acme/keys/" + created["keyId"].(string), header: admin()})
	require.Equal(t, http.StatusNotFound, r.status)
}

func TestInstanceRoutes(t *testing.T) {
	f := newLocalFixture(t, nil)
	k := f.tenantKey("acme")
	other := f.tenantKey("other")
	const name, second = "acme__soporte__main", "acme__soporte__second"

	// Create: a loopback webhook is refused on AWS (http or not).
	for _, u := range []string{"http://127.0.0.1:9/h", "https://127.0.0.1/h", "https://localhost/h"} {
		r := f.do(req{method: "POST", target: "/instance/create", header: key(k), body: jsonBody(t, map[string]any{
			"instanceName": name, "webhookUrl": u, "webhookSecret": "0123456789abcdef"})})
		require.Equal(t, http.StatusBadRequest, r.status, u)
		require.Equal(t, "webhookUrl", r.json(t)["issues"].([]any)[0].(map[string]any)["path"].([]any)[0])
	}
	f.createInstance(k, name)
	f.createInstance(k, second)
	f.createInstance(k, "acme__ventas__main")
	r := f.do(req{method: "POST", target: "/instance/create", header: key(k), body: jsonBody(t, map[string]any{
		"instanceName": name, "webhookUrl": "https://hooks.example.com/wa", "webhookSecret": "0123456789abcdef"})})
	require.Equal(t, http.StatusConflict, r.status)
	r = f.do(req{method: "POST", target: "/instance/create", header: key(k), body: []byte(`{"instanceName":`)})
	require.Equal(t, http.StatusBadRequest, r.status)

	// Lists, whole and by client (a path parameter).
	r = f.do(req{method: "GET", target: "/instance/list", header: key(k)})
	require.Equal(t, http.StatusOK, r.status)
	var list []map[string]any
	require.NoError(t, json.Unmarshal(r.body, &list))
	require.Len(t, list, 3)
	r = f.do(req{method: "GET", target: "/instance/list/ventas", header: key(k)})
	require.NoError(t, json.Unmarshal(r.body, &list))
	require.Len(t, list, 1)
	require.Equal(t, "acme__ventas__main", list[0]["instanceName"])

	// Tenancy: another tenant's instance is 403; no key is 401.
	require.Equal(t, http.StatusForbidden, f.do(req{method: "GET", target: "/instance/" + name + "/status", header: key(other)}).status)
	require.Equal(t, http.StatusUnauthorized, f.do(req{method: "GET", target: "/instance/" + name + "/status"}).status)

	// A percent-encoded path parameter is decoded as on a local server.
	r = f.do(req{method: "GET", target: "/instance/acme%5F%5Fsoporte%5F%5Fmain/status", header: key(k)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, name, r.json(t)["instanceName"])
	require.Equal(t, "close", r.json(t)["state"])

	// QR, then the phone scans it: open.
	r = f.do(req{method: "GET", target: "/instance/" + name + "/qr", header: key(k)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	png, ok := strings.CutPrefix(r.json(t)["qrcode"].(string), "data:image/png;base64,")
	require.True(t, ok)
	raw, err := base64.StdEncoding.DecodeString(png)
	require.NoError(t, err)
	require.Equal(t, "\x89PNG", string(raw[:4]))
	require.NoError(t, f.network.Scan(name, "5491100000001"))
	f.waitState(k, name, "open")
	require.Equal(t, http.StatusConflict, f.do(req{method: "GET", target: "/instance/" + name + "/qr", header: key(k)}).status)
	r = f.do(req{method: "GET", target: "/instance/" + name + "/device", header: key(k)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.NotEmpty(t, r.json(t)["platform"])
	require.Equal(t, http.StatusConflict, f.do(req{method: "GET", target: "/instance/" + second + "/device", header: key(k)}).status)

	// Pairing code on the second instance.
	r = f.do(req{method: "POST", target: "/instance/" + second + "/pairing-code", header: key(k),
		body: jsonBody(t, map[string]any{"phoneNumber": "5491112345678"})})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Regexp(t, `^[A-Z0-9]{4}-[A-Z0-9]{4}$`, r.json(t)["pairingCode"])
	r = f.do(req{method: "POST", target: "/instance/" + second + "/pairing-code", header: key(k),
		body: jsonBody(t, map[string]any{"phoneNumber": "+54"})})
	require.Equal(t, http.StatusBadRequest, r.status)

	// Queue: counts, then a flush.
	for range 2 {
		r = f.do(req{method: "POST", target: "/message/text", header: key(k),
			body: jsonBody(t, map[string]any{"instanceName": second, "to": "5491112345678", "text": "hi", "lane": "bulk"})})
		require.Equal(t, http.StatusAccepted, r.status)
	}
	r = f.do(req{method: "GET", target: "/instance/" + second + "/queue", header: key(k)})
	require.Equal(t, http.StatusOK, r.status)
	require.EqualValues(t, 2, r.json(t)["bulk"])
	require.EqualValues(t, 2, r.json(t)["total"])
	r = f.do(req{method: "DELETE", target: "/instance/" + second + "/queue", header: key(k)})
	require.Equal(t, http.StatusOK, r.status)
	require.EqualValues(t, 2, r.json(t)["flushed"])

	// Message listing: its query string, raw or only as parsed
	// parameters, pages through the two flushed messages.
	for _, noRaw := range []bool{false, true} {
		r = f.do(req{method: "GET", target: "/instance/" + second + "/messages?direction=out&limit=1", header: key(k), noRawQuery: noRaw})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		page := r.json(t)
		require.Len(t, page["items"], 1)
		cursor, ok := page["nextCursor"].(string)
		require.True(t, ok, "%s", r.body)
		r = f.do(req{method: "GET", target: "/instance/" + second + "/messages?limit=1&cursor=" + url.QueryEscape(cursor),
			header: key(k), noRawQuery: noRaw})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		require.Len(t, r.json(t)["items"], 1)
		require.Nil(t, r.json(t)["nextCursor"])
	}
	r = f.do(req{method: "GET", target: "/instance/" + second + "/messages?limit=0", header: key(k)})
	require.Equal(t, http.StatusBadRequest, r.status)

	// Webhook rotation.
	r = f.do(req{method: "PUT", target: "/instance/" + name + "/webhook", header: key(k), body: jsonBody(t, map[string]any{
		"webhookUrl": "https://hooks.example.com/v2", "webhookSecret": "fedcba9876543210"})})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	// Deliveries (the connect made instance.connected) with a query string,
	// sent raw or only as parsed parameters; then a redelivery.
	for _, noRaw := range []bool{false, true} {
		r = f.do(req{method: "GET", target: "/instance/" + name + "/deliveries?status=retrying", header: key(k), noRawQuery: noRaw})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var ds []map[string]any
		require.NoError(t, json.Unmarshal(r.body, &ds))
		require.NotEmpty(t, ds)
		require.Equal(t, "instance.connected", ds[len(ds)-1]["event"])
		r = f.do(req{method: "GET", target: "/instance/" + name + "/deliveries?status=delivered", header: key(k), noRawQuery: noRaw})
		require.Equal(t, "[]\n", string(r.body), "the filter reaches the handler")
	}
	r = f.do(req{method: "GET", target: "/instance/" + name + "/deliveries?status=bogus", header: key(k)})
	require.Equal(t, http.StatusBadRequest, r.status)
	r = f.do(req{method: "GET", target: "/instance/" + name + "/deliveries", header: key(k)})
	var ds []map[string]any
	require.NoError(t, json.Unmarshal(r.body, &ds))
	r = f.do(req{method: "POST", target: "/deliveries/" + ds[0]["id"].(string) + "/redeliver", header: key(k)})
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	r = f.do(req{method: "POST", target: "/deliveries/" + ds[0]["id"].(string) + "/redeliver", header: key(other)})
	require.Equal(t, http.StatusNotFound, r.status)

	// Logout, restart, delete.
	r = f.do(req{method: "POST", target: "/instance/" + name + "/restart", header: key(k)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = f.do(req{method: "POST", target: "/instance/" + name + "/logout", header: key(k)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	f.waitState(k, name, "close")
	r = f.do(req{method: "DELETE", target: "/instance/" + name, header: key(k)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, http.StatusNotFound, f.do(req{method: "GET", target: "/instance/" + name + "/status", header: key(k)}).status)

	// The sandbox routes do not exist on AWS.
	for _, p := range []string{"scan", "inbound", "disconnect"} {
		r = f.do(req{method: "POST", target: "/sandbox/" + second + "/" + p, header: key(k), body: []byte(`{}`)})
		require.Equal(t, http.StatusNotFound, r.status, p)
	}
	require.Equal(t, http.StatusNotFound, f.do(req{method: "GET", target: "/sandbox/" + second + "/sent", header: key(k)}).status)
}

func TestMessageRoutes(t *testing.T) {
	f := newLocalFixture(t, nil)
	k := f.tenantKey("acme")
	const open, closed = "acme__soporte__main", "acme__soporte__idle"
	f.createInstance(k, open)
	f.createInstance(k, closed)
	require.Equal(t, http.StatusOK, f.do(req{method: "GET", target: "/instance/" + open + "/qr", header: key(k)}).status)
	require.NoError(t, f.network.Scan(open, "5491100000001"))
	f.waitState(k, open, "open")

	// Every send route answers 202; media go to the closed instance, where
	// they wait (nothing is fetched).
	sends := []struct {
		path string
		body map[string]any
	}{
		{"/message/text", map[string]any{"instanceName": open, "text": "{Hello|Hi}", "lane": "urgent"}},
		{"/message/image", map[string]any{"instanceName": closed, "imageUrl": "https://media.example.com/a.png", "caption": "c"}},
		{"/message/document", map[string]any{"instanceName": closed, "documentUrl": "https://media.example.com/a.pdf", "fileName": "a.pdf"}},
		{"/message/audio", map[string]any{"instanceName": closed, "audioUrl": "https://media.example.com/a.ogg"}},
		{"/message/video", map[string]any{"instanceName": closed, "videoUrl": "https://media.example.com/a.mp4"}},
		{"/message/send", map[string]any{"tenantId": "acme", "clientId": "soporte", "type": "text", "text": "via client"}},
	}
	var ids []string
	for _, s := range sends {
		s.body["to"] = "5491112345678"
		r := f.do(req{method: "POST", target: s.path, header: key(k), body: jsonBody(t, s.body), base64: s.path == "/message/audio"})
		require.Equal(t, http.StatusAccepted, r.status, "%s: %s", s.path, r.body)
		m := r.json(t)
		require.Equal(t, "pending", m["status"])
		if s.path == "/message/send" {
			require.Equal(t, open, m["instanceName"])
		}
		ids = append(ids, m["id"].(string))
	}
	// A media URL to loopback is refused on AWS.
	r := f.do(req{method: "POST", target: "/message/image", header: key(k), body: jsonBody(t, map[string]any{
		"instanceName": closed, "to": "5491112345678", "imageUrl": "http://127.0.0.1:8080/a.png"})})
	require.Equal(t, http.StatusBadRequest, r.status)

	// GET /message/{id}: both texts to the open instance go out.
	for _, id := range []string{ids[0], ids[5]} {
		require.Eventually(t, func() bool {
			return f.do(req{method: "GET", target: "/message/" + id, header: key(k)}).json(t)["status"] == "sent"
		}, 10*time.Second, 10*time.Millisecond)
	}
	r = f.do(req{method: "GET", target: "/message/" + ids[1], header: key(k)})
	require.Equal(t, "image", r.json(t)["type"])
	require.Equal(t, http.StatusNotFound, f.do(req{method: "GET", target: "/message/3b2e1f4a-1111-4222-8333-444455556666", header: key(k)}).status)

	// Idempotency: a replay carries Idempotency-Replayed; keys with commas
	// reach the API whole, so "a,b" and "a,c" are different keys.
	text := jsonBody(t, map[string]any{"instanceName": closed, "to": "5491112345678", "text": "once"})
	first := f.do(req{method: "POST", target: "/message/text", header: keyIdem(k, "order-1,retry-a"), body: text})
	require.Equal(t, http.StatusAccepted, first.status)
	require.Empty(t, first.header.Get("Idempotency-Replayed"))
	again := f.do(req{method: "POST", target: "/message/text", header: keyIdem(k, "order-1,retry-a"), body: text})
	require.Equal(t, http.StatusAccepted, again.status)
	require.Equal(t, "true", again.header.Get("Idempotency-Replayed"))
	require.Equal(t, first.json(t)["id"], again.json(t)["id"])
	otherKey := f.do(req{method: "POST", target: "/message/text", header: keyIdem(k, "order-1,retry-b"), body: text})
	require.Equal(t, http.StatusAccepted, otherKey.status)
	require.Empty(t, otherKey.header.Get("Idempotency-Replayed"))
	require.NotEqual(t, first.json(t)["id"], otherKey.json(t)["id"])

	r = f.do(req{method: "GET", target: "/stats", header: key(k)})
	require.Equal(t, http.StatusOK, r.status)
	require.EqualValues(t, 2, r.json(t)["instances"])
	require.EqualValues(t, 2, r.json(t)["totals"].(map[string]any)["sent"])
}

func TestBodyLimit(t *testing.T) {
	f := newLocalFixture(t, nil)
	k := f.tenantKey("acme")
	f.createInstance(k, "acme__soporte__main")
	// A text of exactly 1 MiB of JSON is over the text limit (400), not
	// over the body limit; one byte more is 413, plain or base64.
	prefix := `{"instanceName":"acme__soporte__main","to":"5491112345678","text":"`
	fill := func(n int) []byte {
		return []byte(prefix + strings.Repeat("a", n-len(prefix)-2) + `"}`)
	}
	r := f.do(req{method: "POST", target: "/message/text", header: key(k), body: fill(1 << 20)})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	for _, b64 := range []bool{false, true} {
		r = f.do(req{method: "POST", target: "/message/text", header: key(k), body: fill(1<<20 + 1), base64: b64})
		require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
		require.Equal(t, "application/json", r.header.Get("Content-Type"))
	}
}

func TestRateLimitThroughProxy(t *testing.T) {
	f := newLocalFixture(t, func(c *config.AWS) { c.RatePerSecond, c.RateBurst = 0.5, 1 })
	k := f.tenantKey("acme")
	require.Equal(t, http.StatusOK, f.do(req{method: "GET", target: "/stats", header: key(k)}).status)
	r := f.do(req{method: "GET", target: "/stats", header: key(k)})
	require.Equal(t, http.StatusTooManyRequests, r.status)
	wait, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, wait, 1)
	require.LessOrEqual(t, wait, 2)
}

// Events the adapter cannot turn into a request get the API's 400.
func TestMalformedEvents(t *testing.T) {
	f := newLocalFixture(t, nil)
	for name, ev := range map[string]events.APIGatewayV2HTTPRequest{
		"bad base64": func() events.APIGatewayV2HTTPRequest {
			ev := apiEvent(req{method: "POST", target: "/admin/tenants", header: admin(), body: []byte(`{}`)})
			ev.Body, ev.IsBase64Encoded = "%%%not base64", true
			return ev
		}(),
		"bad path escape": apiEvent(req{method: "GET", target: "/message/%zz"}),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := f.fn(context.Background(), ev)
			require.NoError(t, err)
			r := toReply(t, res)
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Regexp(t, `^[0-9a-f-]{36}$`, r.header.Get("x-request-id"))
			require.Equal(t, "application/json", r.header.Get("Content-Type"))
			require.JSONEq(t, `{"error":"Validation error","issues":[{"path":[],"message":"Malformed request"}]}`, string(r.body))
		})
	}
}
