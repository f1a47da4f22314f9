// Package httpapi is the public HTTP API of API.md as one http.Handler:
// routing, authentication, the per-tenant rate limit, strict JSON
// decoding, request ids, body limits and the mapping of errors to status
// codes (respond.go, the only place that does it). The same handler serves
// the local gateway and, through the Lambda proxy, API Gateway.
package httpapi

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

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
	Service *gateway.Service
	// OperatorKey is the hash of the operator key for /admin (tenant.Hash),
	// read on each operator request, so a key replaced while the gateway
	// runs takes effect at once. FixedOperatorKey serves a key that never
	// changes.
	OperatorKey OperatorKey
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
	// Media serves inbound media; nil answers 404 for all of it.
	Media Media
}

type api struct {
	svc      *gateway.Service
	adminKey OperatorKey
	limits   *limiter
	log      *slog.Logger
	mux      *http.ServeMux
	routing  routing
	sessions Sessions
	sandbox  Sandbox
	clock    clock.Clock
	// mediaStore serves GET /instance/{name}/media/{messageId} (media.go).
	mediaStore Media
}

// New builds the API handler.
func New(cfg Config) http.Handler {
	a := &api{
		svc:        cfg.Service,
		adminKey:   cfg.OperatorKey,
		limits:     newLimiter(cfg.RatePerSecond, max(cfg.RateBurst, 1), cfg.Clock),
		log:        cfg.Log,
		mux:        http.NewServeMux(),
		sessions:   cfg.Sessions,
		sandbox:    cfg.Sandbox,
		clock:      cfg.Clock,
		mediaStore: cfg.Media,
	}
	a.routes()
	if a.sandbox != nil {
		a.sandboxRoutes()
	}
	return a.outer(http.HandlerFunc(a.route))
}

// OperatorKey returns the current hash of the operator key; ok is false
// when there is none (no operator route can be used then).
type OperatorKey func(ctx context.Context) (hash []byte, ok bool, err error)

// FixedOperatorKey is an OperatorKey that never changes.
func FixedOperatorKey(hash []byte) OperatorKey {
	return func(context.Context) ([]byte, bool, error) { return hash, len(hash) > 0, nil }
}

// adminKeyOK reports whether presented is the operator key. A store that
// cannot say is an error, not a refusal, so the operator sees a 500
// rather than a misleading 401.
func (a *api) adminKeyOK(ctx context.Context, presented string) (bool, error) {
	if presented == "" || a.adminKey == nil {
		return false, nil
	}
	hash, ok, err := a.adminKey(ctx)
	if err != nil || !ok {
		return false, err
	}
	return tenant.AdminKeyMatches(presented, hash), nil
}

func (a *api) routes() {
	a.handle("GET /health", a.public(a.health))
	a.handle("GET /openapi.json", a.public(a.openapi))
	a.docsRoutes()
	a.consoleRoutes()

	a.handle("POST /admin/tenants", a.admin(a.createTenant))
	a.handle("POST /admin/tenants/{tenantId}/keys", a.admin(a.createKey))
	a.handle("DELETE /admin/tenants/{tenantId}/keys/{keyId}", a.admin(a.deleteKey))

	a.handle("POST /instance/create", a.authed(a.createInstance))
	a.handle("GET /instance/list", a.authed(a.listInstances))
	// One pattern for every GET /instance/x/y: /instance/list/{clientId}
	// and /instance/{name}/status overlap, which ServeMux rejects.
	a.handleWhere("GET /instance/{first}/{second}", servesInstanceGet, a.authed(a.instanceGet))
	a.handle("DELETE /instance/{name}/queue", a.authed(a.flushQueue))
	a.handle("PUT /instance/{name}/webhook", a.authed(a.setWebhook))
	a.handle("PATCH /instance/{name}/settings", a.authed(a.updateSettings))
	a.handle("POST /instance/{name}/pairing-code", a.authed(a.pairingCode))
	a.handle("POST /instance/{name}/logout", a.authed(a.lifecycle(Sessions.Logout)))
	a.handle("POST /instance/{name}/restart", a.authed(a.lifecycle(Sessions.Restart)))
	a.handle("POST /instance/{name}/read", a.authed(a.markRead))
	a.groupRoutes()
	a.handle("DELETE /instance/{name}", a.authed(a.deleteInstance))
	a.handle("GET /instance/{name}/media/{messageId}", a.authed(a.media))

	a.sendRoutes()
	a.handle("GET /message/{id}", a.authed(a.getMessage))
	a.handle("PATCH /message/{id}", a.authed(a.editMessage))
	a.handle("DELETE /message/{id}", a.authed(a.deleteMessage))

	a.handle("POST /deliveries/{id}/redeliver", a.authed(a.redeliver))

	a.handle("GET /stats", a.authed(a.stats))
}

// routing is what the ServeMux does not know about the routes.
type routing struct {
	// literal maps each path a route spells out in full (/message/text)
	// to the methods of the routes that do. Such a path belongs to them
	// alone: a wildcard route of another method (GET /message/{id})
	// never takes it, since "text" is no message id and "create" no
	// instance name.
	literal map[string][]string
	// guards narrow a wildcard pattern to the paths its handler serves,
	// for a pattern that stands for several routes.
	guards  map[string]func(*http.Request) bool
	methods []string // every method some route has, in registration order
}

// handle registers a route.
func (a *api) handle(pattern string, h http.Handler) { a.handleWhere(pattern, nil, h) }

// handleWhere registers a route that serves only the requests guard
// accepts (nil: all that match pattern); others are answered 404 or 405
// as if the pattern did not match them.
func (a *api) handleWhere(pattern string, guard func(*http.Request) bool, h http.Handler) {
	rt := &a.routing
	if rt.literal == nil {
		rt.literal, rt.guards = map[string][]string{}, map[string]func(*http.Request) bool{}
	}
	method, p, _ := strings.Cut(pattern, " ")
	if !strings.Contains(p, "{") {
		rt.literal[p] = append(rt.literal[p], method)
	}
	if guard != nil {
		rt.guards[pattern] = guard
	}
	if !slices.Contains(rt.methods, method) {
		rt.methods = append(rt.methods, method)
	}
	a.mux.Handle(pattern, h)
}

// route dispatches, answering unknown paths and wrong methods in JSON,
// before authentication (like any router).
func (a *api) route(w http.ResponseWriter, r *http.Request) {
	if a.serves(r) {
		a.mux.ServeHTTP(w, r)
		return
	}
	if allow := a.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "Method not allowed"})
		return
	}
	writeJSON(w, http.StatusNotFound, errorBody{Error: "Not found"})
}

// serves reports whether a route takes r's method on r's path.
func (a *api) serves(r *http.Request) bool {
	// ServeMux would redirect an uncleaned path (//x, /a/./b); such
	// redirects are not part of the API.
	if p := r.URL.EscapedPath(); cleanPath(p) != p {
		return false
	}
	if methods, ok := a.routing.literal[r.URL.Path]; ok {
		m := r.Method
		if m == http.MethodHead {
			m = http.MethodGet // as ServeMux: GET routes answer HEAD
		}
		if !slices.Contains(methods, m) {
			return false
		}
	}
	_, pattern := a.mux.Handler(r)
	if pattern == "" {
		return false
	}
	guard := a.routing.guards[pattern]
	return guard == nil || guard(r)
}

// allowed lists the methods served on r's path, for a 405's Allow.
func (a *api) allowed(r *http.Request) []string {
	var out []string
	probe := r.Clone(r.Context())
	for _, m := range a.routing.methods {
		probe.Method = m
		if a.serves(probe) {
			out = append(out, m)
			if m == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	return out
}

// cleanPath is the path ServeMux would redirect p to (p itself if none).
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if strings.HasSuffix(p, "/") && np != "/" {
		np += "/"
	}
	return np
}

// pathSegments are the unescaped segments of r's path after prefix, as
// ServeMux matches them (an escaped slash stays inside its segment).
func pathSegments(r *http.Request, prefix string) []string {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), prefix)
	if !ok {
		return nil
	}
	segs := strings.Split(rest, "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	return segs
}

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
