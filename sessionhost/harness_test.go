package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/wagateway/wagateway/internal/local"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/httpapi"
	"github.com/wagateway/wagateway/internal/openapicheck"
)

const testAdminKey = "test-operator-key-0123456789"

// gw is a local gateway serving real HTTP on loopback for one test.
type gw struct {
	t       *testing.T
	base    string
	app     *local.App
	demoKey string
	checker *openapicheck.Checker
	client  *http.Client
	stop    func() // stops the gateway as a process exit would (tests of restarts)
	dataDir string
}

var demoKeyLine = regexp.MustCompile(`(?m)^\s+(wgk_\S+)$`)

// startGateway wires the local gateway exactly as `make run` does (with
// cfg tweaks) and serves it on 127.0.0.1:0.
func startGateway(t *testing.T, tweak func(*config.Local)) *gw {
	t.Helper()
	return startGatewayWith(t, tweak, local.Options{})
}

// startGatewayWith is startGateway with test injections (the whatsmeow
// driver's HTTP client).
func startGatewayWith(t *testing.T, tweak func(*config.Local), opts local.Options) *gw {
	t.Helper()
	cfg, err := config.LocalFromEnv(func(string) string { return "" })
	require.NoError(t, err)
	cfg.DataDir = t.TempDir()
	cfg.AdminKey = testAdminKey
	cfg.Driver = config.DriverSandbox
	cfg.RatePerSecond = 0
	cfg.LaneDelayScale = 0.001
	if tweak != nil {
		tweak(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cfg = cfg.WithListener(ln.Addr().String())
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := local.OpenWith(context.Background(), cfg, &out, log, opts)
	require.NoError(t, err)
	m := demoKeyLine.FindStringSubmatch(out.String())
	if m == nil { // a restart on an existing data dir prints nothing
		m = []string{"", ""}
	}
	srv := &http.Server{Handler: app.Handler, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	ctx, stop := context.WithCancel(context.Background())
	hostDone := app.StartHost(ctx, log)
	var once sync.Once
	shutdown := func() {
		once.Do(func() {
			_ = srv.Close()
			stop()
			<-hostDone
			_ = app.DB.Close()
		})
	}
	t.Cleanup(shutdown)
	checker := startGatewayChecker(t)
	return &gw{t: t, base: "http://" + ln.Addr().String(), app: app, demoKey: m[1], checker: checker,
		client: &http.Client{Timeout: 10 * time.Second}, stop: shutdown, dataDir: cfg.DataDir}
}

// resp is a received response.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r resp) JSON(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &v), string(r.Body))
	return v
}

// do sends a request and checks the response against the OpenAPI document
// and the invariants every response keeps (x-request-id, JSON errors).
func (g *gw) do(method, path string, body any, headers ...string) resp {
	g.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		raw, err = json.Marshal(b)
		require.NoError(g.t, err)
	}
	req, err := http.NewRequest(method, g.base+path, bytes.NewReader(raw))
	require.NoError(g.t, err)
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := g.client.Do(req)
	require.NoError(g.t, err)
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	require.NoError(g.t, err)
	require.NotEmpty(g.t, res.Header.Get("x-request-id"), "%s %s: x-request-id", method, path)
	if res.StatusCode >= 400 {
		require.Equal(g.t, "application/json", res.Header.Get("Content-Type"), "%s %s", method, path)
	}
	if !strings.HasPrefix(path, "/openapi.json") {
		req.Body = io.NopCloser(bytes.NewReader(raw))
		require.NoError(g.t, g.checker.Check(req, res, got), "%s %s -> %d %s", method, path, res.StatusCode, got)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: got}
}

// as returns request headers for a tenant key.
func as(key string, more ...string) []string { return append([]string{"apikey", key}, more...) }

func admin() []string { return []string{"x-admin-key", testAdminKey} }

// newTenant creates a tenant through the admin API and returns its key.
func (g *gw) newTenant(id string) string {
	g.t.Helper()
	r := g.do("POST", "/admin/tenants", map[string]any{"tenantId": id}, admin()...)
	require.Equal(g.t, http.StatusCreated, r.Status, string(r.Body))
	r = g.do("POST", "/admin/tenants/"+id+"/keys", nil, admin()...)
	require.Equal(g.t, http.StatusCreated, r.Status, string(r.Body))
	return r.JSON(g.t)["apikey"].(string)
}

// newInstance creates an instance with a loopback webhook.
func (g *gw) newInstance(key, name string) {
	g.t.Helper()
	r := g.do("POST", "/instance/create", map[string]any{
		"instanceName": name, "webhookUrl": "http://127.0.0.1:9/hook", "webhookSecret": "0123456789abcdef",
	}, as(key)...)
	require.Equal(g.t, http.StatusCreated, r.Status, string(r.Body))
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// startGatewayChecker returns the OpenAPI checker of the served document.
func startGatewayChecker(t *testing.T) *openapicheck.Checker {
	t.Helper()
	checker, err := openapicheck.New(httpapi.OpenAPI())
	require.NoError(t, err)
	return checker
}
