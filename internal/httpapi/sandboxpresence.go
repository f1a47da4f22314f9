package httpapi

import (
	"net/http"

	"github.com/wagateway/wagateway/internal/clock"
)

// presenceView is one chat presence the instance showed (typing
// simulation), as GET /sandbox/{name}/presence lists it.
type presenceView struct {
	To    string `json:"to"`
	State string `json:"state"`
	At    string `json:"at"`
}

func (a *api) sandboxPresence(w http.ResponseWriter, r *http.Request, tenantID string) error {
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	list := a.sandbox.Presences(inst.Name.String())
	out := make([]presenceView, 0, len(list))
	for _, p := range list {
		out = append(out, presenceView{To: p.To, State: string(p.State), At: clock.Format(p.At)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
