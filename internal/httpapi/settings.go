package httpapi

import (
	"net/http"

	"github.com/wagateway/wagateway/internal/instance"
)

// settingsView is the body of GET and PATCH /instance/{name}/settings.
type settingsView struct {
	TypingSimulation bool `json:"typingSimulation"`
	ReceiveGroups    bool `json:"receiveGroups"`
	RejectCalls      bool `json:"rejectCalls"`
}

func viewSettings(s instance.Settings) settingsView {
	return settingsView{TypingSimulation: s.TypingSimulation, ReceiveGroups: s.ReceiveGroups, RejectCalls: s.RejectCalls}
}

func (a *api) settings(w http.ResponseWriter, r *http.Request, tenantID, name string) error {
	st, err := a.svc.Settings(r.Context(), tenantID, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewSettings(st))
	return nil
}

func (a *api) updateSettings(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body instance.SettingsPatch
	if err := decode(r, &body); err != nil {
		return err
	}
	name := r.PathValue("name")
	st, err := a.svc.UpdateSettings(r.Context(), tenantID, name, body)
	if err != nil {
		return err
	}
	if a.sessions != nil {
		if inst, err := a.svc.Instance(r.Context(), tenantID, name); err == nil {
			a.sessions.SettingsChanged(r.Context(), inst.Name.String())
		}
	}
	writeJSON(w, http.StatusOK, viewSettings(st))
	return nil
}
