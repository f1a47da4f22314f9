package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/wagateway/wagateway/internal/fault"
)

type ctxKey struct{}

// reqInfo is what the access log learns about a request as it goes.
type reqInfo struct {
	id     string
	tenant string
}

func info(ctx context.Context) *reqInfo {
	if ri, ok := ctx.Value(ctxKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

func requestID(ctx context.Context) string { return info(ctx).id }

// statusRecorder remembers the status for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// outer runs around every request: request id, panic recovery, body size
// limit and the access log. It never logs bodies, keys or query strings.
func (a *api) outer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := uuid.NewString()
		w.Header().Set("x-request-id", rid)
		ri := &reqInfo{id: rid}
		ctx := context.WithValue(r.Context(), ctxKey{}, ri)
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				a.log.ErrorContext(ctx, "panic in handler", slog.String("requestId", rid), slog.Any("panic", p))
				if rec.status == 0 {
					writeJSON(rec, http.StatusInternalServerError, errorBody{Error: "Internal error", RequestID: rid})
				}
			}
			// Checked first: the attributes would be built (and boxed,
			// six allocations) for every request even when not logged.
			if a.log.Enabled(ctx, slog.LevelDebug) {
				a.log.DebugContext(ctx, "request", slog.String("requestId", rid), slog.String("method", r.Method),
					slog.String("path", r.URL.Path), slog.Int("status", rec.status),
					slog.String("tenant", ri.tenant), slog.Duration("took", time.Since(start)))
			}
		}()
		if r.ContentLength > maxBody {
			a.fail(rec, r, errTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(rec, r.Body, maxBody)
		next.ServeHTTP(rec, r)
	})
}

// tenantHandler is a route that needs an authenticated tenant.
type tenantHandler func(w http.ResponseWriter, r *http.Request, tenantID string) error

// authed authenticates the apikey header, applies the tenant's rate limit
// and runs h, mapping its error.
func (a *api) authed(h tenantHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenantID, err := a.svc.Authenticate(r.Context(), r.Header.Get("apikey"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		info(r.Context()).tenant = tenantID
		if wait, ok := a.limits.allow(tenantID); !ok {
			a.fail(w, r, fault.RateLimited(errRateLimit, time.Duration(wait)*time.Second))
			return
		}
		if err := h(w, r, tenantID); err != nil {
			a.fail(w, r, err)
		}
	})
}

// adminHandler is an operator route.
type adminHandler func(w http.ResponseWriter, r *http.Request) error

var errAdmin = fault.New(fault.ErrUnauthorized, "Missing or invalid operator key (header x-admin-key)")

func (a *api) admin(h adminHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := a.adminKeyOK(r.Context(), r.Header.Get("x-admin-key"))
		if err != nil {
			a.fail(w, r, fmt.Errorf("read the operator key: %w", err))
			return
		}
		if !ok {
			a.fail(w, r, errAdmin)
			return
		}
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	})
}

// public is a route with no authentication.
func (a *api) public(h adminHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	})
}
