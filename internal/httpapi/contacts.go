package httpapi

import (
	"net/http"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/phone"
)

// errNotOpenForContacts answers a number check on an instance that is not
// open before it is counted: a check that cannot reach WhatsApp must not
// use up the hour's allowance.
var errNotOpenForContacts = fault.New(fault.ErrConflict,
	"Instance is not open: group and contact operations need its connection to WhatsApp (see GET /instance/{name}/status)")

func (a *api) contactRoutes() {
	a.handle("POST /instance/{name}/contacts/check", a.authed(a.checkContacts))
	a.handle("GET /instance/{name}/contacts/{phoneNumber}", a.authed(a.getContact))
	a.handle("POST /instance/{name}/contacts/{phoneNumber}/block", a.authed(a.block(true)))
	a.handle("POST /instance/{name}/contacts/{phoneNumber}/unblock", a.authed(a.block(false)))
}

type checkBody struct {
	PhoneNumbers *[]string `json:"phoneNumbers"`
}

// checkContacts serves POST /instance/{name}/contacts/check. Every number
// asked counts toward the instance's hourly allowance (repeats too), once
// the request is valid and the instance open; a request that would cross
// it is refused whole with 429 and Retry-After (API.md).
func (a *api) checkContacts(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body checkBody
	if err := decode(r, &body); err != nil {
		return err
	}
	var issues fault.Issues
	phones := numbers(&issues, body.PhoneNumbers, "phoneNumbers")
	if err := issues.Err(); err != nil {
		return err
	}
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	if a.sessions == nil {
		return errNoSessions
	}
	if inst.State != instance.StateOpen {
		return errNotOpenForContacts
	}
	name := inst.Name.String()
	if err := a.svc.ReserveNumberChecks(r.Context(), tenantID, name, len(phones)); err != nil {
		return err
	}
	on, err := a.sessions.CheckContacts(r.Context(), name, phones)
	if err != nil {
		return err
	}
	out := make([]checkView, len(phones))
	for i, p := range phones {
		out[i] = checkView{PhoneNumber: p, OnWhatsApp: on[i]}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// contactPhone reads the {phoneNumber} path value.
func contactPhone(r *http.Request) (string, error) {
	p := r.PathValue("phoneNumber")
	if !phone.Valid(p) {
		return "", fault.Invalid(phone.FormatMessage, "phoneNumber")
	}
	return p, nil
}

func (a *api) getContact(w http.ResponseWriter, r *http.Request, tenantID string) error {
	p, err := contactPhone(r)
	if err != nil {
		return err
	}
	name, err := a.live(r, tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	c, err := a.sessions.Contact(r.Context(), name, p)
	if err != nil {
		return err
	}
	c.Phone = p
	writeJSON(w, http.StatusOK, newContactView(c))
	return nil
}

func (a *api) block(block bool) tenantHandler {
	return func(w http.ResponseWriter, r *http.Request, tenantID string) error {
		if err := noBody(r); err != nil {
			return err
		}
		p, err := contactPhone(r)
		if err != nil {
			return err
		}
		name, err := a.live(r, tenantID, r.PathValue("name"))
		if err != nil {
			return err
		}
		if err := a.sessions.Block(r.Context(), name, p, block); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, emptyView{})
		return nil
	}
}
