package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/wagateway/wagateway/internal/fault"
)

// errorBody is every non-400 error response.
type errorBody struct {
	Error     string `json:"error"`
	RequestID string `json:"requestId,omitempty"`
}

// validationBody is the 400 response.
type validationBody struct {
	Error  string        `json:"error"`
	Issues []fault.Issue `json:"issues"`
}

// errRateLimit is the message of the per-tenant request rate limit.
const errRateLimit = "Rate limit exceeded"

// statusOf is the one place that maps errors to HTTP status codes.
func statusOf(err error) int {
	var v *fault.ValidationError
	switch {
	case errors.As(err, &v):
		return http.StatusBadRequest
	case errors.Is(err, fault.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, fault.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, fault.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, fault.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, fault.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, fault.ErrUnsupportedMediaType):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, fault.ErrRateLimited):
		return http.StatusTooManyRequests
	case errors.Is(err, fault.ErrSession):
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// writeJSON writes v with status; encoding errors are only logged since
// the status line is already out.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"Internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// fail answers with the error's status. Only fault errors carry text to
// the client; anything else is logged and answered with a bare 500.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	rid := requestID(r.Context())
	var v *fault.ValidationError
	var fe *fault.Error
	var rl *fault.RateLimitedError
	switch {
	case errors.As(err, &v):
		writeJSON(w, status, validationBody{Error: "Validation error", Issues: v.Issues})
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(rl.RetryAfter()))
		writeJSON(w, status, errorBody{Error: rl.Msg})
	case status < 500 && errors.As(err, &fe):
		writeJSON(w, status, errorBody{Error: fe.Msg})
	case status == http.StatusBadGateway && errors.As(err, &fe):
		writeJSON(w, status, errorBody{Error: fe.Msg, RequestID: rid})
	default:
		a.log.ErrorContext(r.Context(), "request failed", slog.String("requestId", rid),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("err", err.Error()))
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "Internal error", RequestID: rid})
	}
}
