package httpapi

import (
	"net/http"

	"github.com/wagateway/wagateway/internal/clock"
)

type createTenantBody struct {
	TenantID string `json:"tenantId"`
}

type tenantView struct {
	TenantID  string `json:"tenantId"`
	CreatedAt string `json:"createdAt"`
}

type keyView struct {
	APIKey string `json:"apikey"`
	KeyID  string `json:"keyId"`
}

func (a *api) createTenant(w http.ResponseWriter, r *http.Request) error {
	var body createTenantBody
	if err := decode(r, &body); err != nil {
		return err
	}
	t, err := a.svc.CreateTenant(r.Context(), body.TenantID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tenantView{TenantID: t.ID, CreatedAt: clock.Format(t.CreatedAt)})
	return nil
}

func (a *api) createKey(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(r); err != nil {
		return err
	}
	plain, k, err := a.svc.CreateKey(r.Context(), r.PathValue("tenantId"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, keyView{APIKey: plain, KeyID: k.ID})
	return nil
}

func (a *api) deleteKey(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteKey(r.Context(), r.PathValue("tenantId"), r.PathValue("keyId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
