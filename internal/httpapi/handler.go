// Package httpapi is the public HTTP API of API.md as one http.Handler:
// routing, authentication, the per-tenant rate limit, strict JSON
// decoding, request ids, body limits and the mapping of errors to status
// codes (respond.go, the only place that does it). The same handler serves
// the local gateway and, through the Lambda proxy, API Gateway.
package httpapi

import (
	_ "embed"
	"log/slog"
	"net/http"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/tenant"
)

//go:embed openapi.json
var openapiDoc []byte

// OpenAPI returns the API's OpenAPI 3.1 document.
func OpenAPI() []byte { return openapiDoc }

// Config configures the handler.
type Config struct {
	Service      *gateway.Service
	AdminKeyHash []byte // tenant.Hash of the operator key for /admin
	// RatePerSecond and RateBurst limit each tenant's requests; a rate of
	// 0 disables the limit.
	RatePerSecond float64
	RateBurst     int
	Clock         clock.Clock
	Log           *slog.Logger
	// Sessions is the session host; nil on a gateway without a driver,
	// where the session routes answer 502.
	Sessions Sessions
	// Sandbox, when set, adds the /sandbox routes (sandbox driver only).
	Sandbox Sandbox
}

type api struct {
	svc      *gateway.Service
	adminKey []byte
	limits   *limiter
	log      *slog.Logger
	mux      *http.ServeMux
	sessions Sessions
	sandbox  Sandbox
	clock    clock.Clock
}

// New builds the API handler.
func New(cfg Config) http.Handler {
	a := &api{
		svc:      cfg.Service,
		adminKey: cfg.AdminKeyHash,
		limits:   newLimiter(cfg.RatePerSecond, max(cfg.RateBurst, 1), cfg.Clock),
		log:      cfg.Log,
		mux:      http.NewServeMux(),
		sessions: cfg.Sessions,
		sandbox:  cfg.Sandbox,
		clock:    cfg.Clock,
	}
	a.routes()
	if a.sandbox != nil {
		a.sandboxRoutes()
	}
	return a.outer(http.HandlerFunc(a.route))
}

func (a *api) adminKeyOK(presented string) bool {
	return tenant.AdminKeyMatches(presented, a.adminKey)
}

func (a *api) routes() {
	m := a.mux
	m.Handle("GET /health", a.public(a.health))
	m.Handle("GET /openapi.json", a.public(a.openapi))

	m.Handle("POST /admin/tenants", a.admin(a.createTenant))
	m.Handle("POST /admin/tenants/{tenantId}/keys", a.admin(a.createKey))
	m.Handle("DELETE /admin/tenants/{tenantId}/keys/{keyId}", a.admin(a.deleteKey))

	m.Handle("POST /instance/create", a.authed(a.createInstance))
	m.Handle("GET /instance/list", a.authed(a.listInstances))
	// One pattern for every GET /instance/x/y: /instance/list/{clientId}
	// and /instance/{name}/status overlap, which ServeMux rejects.
	m.Handle("GET /instance/{first}/{second}", a.authed(a.instanceGet))
	m.Handle("DELETE /instance/{name}/queue", a.authed(a.flushQueue))
	m.Handle("PUT /instance/{name}/webhook", a.authed(a.setWebhook))
	m.Handle("POST /instance/{name}/pairing-code", a.authed(a.pairingCode))
	m.Handle("POST /instance/{name}/logout", a.authed(a.lifecycle(Sessions.Logout)))
	m.Handle("POST /instance/{name}/restart", a.authed(a.lifecycle(Sessions.Restart)))
	m.Handle("DELETE /instance/{name}", a.authed(a.deleteInstance))

	m.Handle("POST /message/text", a.authed(a.sendText))
	m.Handle("POST /message/image", a.authed(a.sendImage))
	m.Handle("POST /message/document", a.authed(a.sendDocument))
	m.Handle("POST /message/audio", a.authed(a.sendAudio))
	m.Handle("POST /message/video", a.authed(a.sendVideo))
	m.Handle("POST /message/send", a.authed(a.sendToClient))
	m.Handle("GET /message/{id}", a.authed(a.getMessage))

	m.Handle("POST /deliveries/{id}/redeliver", a.authed(a.redeliver))

	m.Handle("GET /stats", a.authed(a.stats))
}

// route dispatches, answering unknown paths and wrong methods in JSON.
func (a *api) route(w http.ResponseWriter, r *http.Request) {
	h, pattern := a.mux.Handler(r)
	if pattern != "" {
		a.mux.ServeHTTP(w, r) // sets the path values; Handler does not
		return
	}
	// ServeMux answers 404/405 itself (in plain text); learn which, and
	// the Allow header, without letting it write.
	probe := &headerProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "Method not allowed"})
		return
	}
	if probe.status == http.StatusMovedPermanently || probe.status == http.StatusTemporaryRedirect ||
		probe.status == http.StatusPermanentRedirect {
		// Path cleaning redirects (e.g. //x) are not part of the API.
		writeJSON(w, http.StatusNotFound, errorBody{Error: "Not found"})
		return
	}
	writeJSON(w, http.StatusNotFound, errorBody{Error: "Not found"})
}

// headerProbe is a ResponseWriter that only records status and headers.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(code int)        { p.status = code }

func (a *api) health(w http.ResponseWriter, r *http.Request) error {
	h, err := a.svc.Health(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func (a *api) openapi(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openapiDoc)
	return nil
}
