package health

import (
	"encoding/json"
	"net/http"

	"github.com/wagateway/wagateway/internal/clock"
)

// Handler serves GET (and HEAD) /health and nothing else: 200
// {"status":"ok"}, or 503 {"status":"unhealthy","stale":[...]} naming
// each stale poller with its last success (null: none yet).
func Handler(m *Monitor) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		st := m.Check()
		body := report{Status: "ok"}
		code := http.StatusOK
		if !st.Healthy {
			body.Status, code = "unhealthy", http.StatusServiceUnavailable
			body.Stale = make([]staleJSON, len(st.Stale))
			for i, s := range st.Stale {
				body.Stale[i].Poller = s.Poller
				if !s.LastSuccess.IsZero() {
					at := clock.Format(s.LastSuccess)
					body.Stale[i].LastSuccess = &at
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(body)
	})
	return mux
}

type report struct {
	Status string      `json:"status"`
	Stale  []staleJSON `json:"stale,omitempty"`
}

type staleJSON struct {
	Poller      string  `json:"poller"`
	LastSuccess *string `json:"lastSuccess"`
}
