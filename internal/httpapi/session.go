package httpapi

import (
	"context"
	"net/http"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/phone"
	"github.com/wagateway/wagateway/internal/qrcode"
)

// Sessions is the session host as the API uses it: the operations that
// need the instance's live connection.
type Sessions interface {
	LinkQR(ctx context.Context, name string) (string, error)
	PairingCode(ctx context.Context, name, phone string) (string, error)
	Device(ctx context.Context, name string) (driver.Device, error)
	Logout(ctx context.Context, name string) error
	Restart(ctx context.Context, name string) error
	Forget(ctx context.Context, name string)
	// SettingsChanged tells the host that the instance's settings were
	// changed in the store, so that the next message follows them.
	SettingsChanged(ctx context.Context, name string)
	// MarkRead sends read receipts for messages the instance received,
	// named by their WhatsApp ids.
	MarkRead(ctx context.Context, name string, waIDs []string) error
	GroupSessions
}

type qrView struct {
	QRCode string `json:"qrcode"`
}

type pairingBody struct {
	PhoneNumber string `json:"phoneNumber"`
}

type pairingView struct {
	PairingCode string `json:"pairingCode"`
}

type deviceView struct {
	Device   string `json:"device"`
	Platform string `json:"platform"`
}

type stateView struct {
	InstanceName string `json:"instanceName"`
	State        string `json:"state"`
}

// errNoSessions answers session routes on a gateway without a driver.
var errNoSessions = fault.New(fault.ErrSession, "No WhatsApp driver is running on this gateway")

// phoneField validates a phoneNumber body field.
func phoneField(v string) error {
	if v == "" {
		return fault.Invalid("Required", "phoneNumber")
	}
	if !phone.Valid(v) {
		return fault.Invalid(phone.FormatMessage, "phoneNumber")
	}
	return nil
}

// live checks the caller may act on the instance and that a driver runs,
// and returns the instance's canonical name.
func (a *api) live(r *http.Request, tenantID, name string) (string, error) {
	inst, err := a.svc.Instance(r.Context(), tenantID, name)
	if err != nil {
		return "", err
	}
	if a.sessions == nil {
		return "", errNoSessions
	}
	return inst.Name.String(), nil
}

func (a *api) qr(w http.ResponseWriter, r *http.Request, tenantID, name string) error {
	name, err := a.live(r, tenantID, name)
	if err != nil {
		return err
	}
	code, err := a.sessions.LinkQR(r.Context(), name)
	if err != nil {
		return err
	}
	url, err := qrcode.DataURL(code)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, qrView{QRCode: url})
	return nil
}

func (a *api) device(w http.ResponseWriter, r *http.Request, tenantID, name string) error {
	name, err := a.live(r, tenantID, name)
	if err != nil {
		return err
	}
	d, err := a.sessions.Device(r.Context(), name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deviceView{Device: d.Name, Platform: d.Platform})
	return nil
}

func (a *api) pairingCode(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body pairingBody
	if err := decode(r, &body); err != nil {
		return err
	}
	if err := phoneField(body.PhoneNumber); err != nil {
		return err
	}
	name, err := a.live(r, tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	code, err := a.sessions.PairingCode(r.Context(), name, body.PhoneNumber)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, pairingView{PairingCode: code})
	return nil
}

// lifecycle serves POST /instance/{name}/logout and /restart.
func (a *api) lifecycle(op func(Sessions, context.Context, string) error) tenantHandler {
	return func(w http.ResponseWriter, r *http.Request, tenantID string) error {
		if err := noBody(r); err != nil {
			return err
		}
		name, err := a.live(r, tenantID, r.PathValue("name"))
		if err != nil {
			return err
		}
		if err := op(a.sessions, r.Context(), name); err != nil {
			return err
		}
		return a.writeState(w, r, tenantID, name)
	}
}
