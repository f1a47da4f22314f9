package httpapi

import (
	"errors"
	"net/http"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/phone"
)

// SandboxGroups is the sandbox's far side of groups and calls: a member
// changing a group's membership, someone calling. It is a separate
// interface, as SandboxReports is, so that a Sandbox without it still
// serves the other routes; these then answer 404.
type SandboxGroups interface {
	// Call returns once the instance answered the offer: the call's id
	// and whether it was rejected.
	Call(instance, from string, video bool) (callID string, rejected bool, err error)
	// GroupEvent is e.By changing e.Group's membership; a
	// *driver.RefusedError says why it cannot (by not a member, a number
	// that cannot take the action).
	GroupEvent(instance string, e driver.GroupParticipants) error
}

type (
	sandboxCallBody struct {
		From  string `json:"from"`
		Video bool   `json:"video"`
	}
	sandboxCallView struct {
		CallID   string `json:"callId"`
		Rejected bool   `json:"rejected"`
	}
	sandboxGroupEventBody struct {
		Group        string    `json:"group"`
		Action       string    `json:"action"`
		Participants *[]string `json:"participants"`
		By           string    `json:"by"`
	}
)

func (a *api) sandboxGroupRoutes() {
	a.handle("POST /sandbox/{name}/call", a.authed(a.sandboxCall))
	a.handle("POST /sandbox/{name}/group-event", a.authed(a.sandboxGroupEvent))
}

// sandboxGroups is the network's group far side, or 404 when it has none.
func (a *api) sandboxGroups() (SandboxGroups, error) {
	if g, ok := a.sandbox.(SandboxGroups); ok {
		return g, nil
	}
	return nil, fault.New(fault.ErrNotFound, "Not found")
}

func (a *api) sandboxCall(w http.ResponseWriter, r *http.Request, tenantID string) error {
	groups, err := a.sandboxGroups()
	if err != nil {
		return err
	}
	var body sandboxCallBody
	if err := decode(r, &body); err != nil {
		return err
	}
	if !phone.Valid(body.From) {
		return fault.Invalid(phone.FormatMessage, "from")
	}
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	id, rejected, err := groups.Call(inst.Name.String(), body.From, body.Video)
	if err != nil {
		return sandboxGroupError(err)
	}
	writeJSON(w, http.StatusOK, sandboxCallView{CallID: id, Rejected: rejected})
	return nil
}

func (a *api) sandboxGroupEvent(w http.ResponseWriter, r *http.Request, tenantID string) error {
	groups, err := a.sandboxGroups()
	if err != nil {
		return err
	}
	var body sandboxGroupEventBody
	if err := decode(r, &body); err != nil {
		return err
	}
	e, err := groupEventOf(body)
	if err != nil {
		return err
	}
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	if err := groups.GroupEvent(inst.Name.String(), e); err != nil {
		return sandboxGroupError(err)
	}
	writeJSON(w, http.StatusOK, emptyView{})
	return nil
}

// groupEventOf checks body, every issue in one 400.
func groupEventOf(body sandboxGroupEventBody) (driver.GroupParticipants, error) {
	var is fault.Issues
	if !chat.IsGroup(body.Group) {
		is.Add(groupMessage, "group")
	}
	action := driver.ParticipantAction(body.Action)
	if !action.Valid() {
		is.Add("Must be one of add, remove, promote, demote", "action")
	}
	participants := numbers(&is, body.Participants, "participants")
	if !phone.Valid(body.By) {
		is.Add(phone.FormatMessage, "by")
	}
	return driver.GroupParticipants{Group: body.Group, Action: action, Participants: participants, By: body.By}, is.Err()
}

// sandboxGroupError is sandboxError plus WhatsApp's refusals, which the
// client sees with their reason, worded as the group routes word them.
func sandboxGroupError(err error) error {
	var re *driver.RefusedError
	if errors.As(err, &re) {
		return fault.New(fault.ErrConflict, "WhatsApp refused: "+re.Reason)
	}
	return sandboxError(err)
}
