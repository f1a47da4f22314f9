package httpapi

import (
	"net/http"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
)

type createdView struct {
	InstanceName string `json:"instanceName"`
	Status       string `json:"status"`
}

type listItem struct {
	InstanceName string  `json:"instanceName"`
	State        string  `json:"state"`
	PhoneNumber  *string `json:"phoneNumber"`
}

type statusView struct {
	InstanceName        string  `json:"instanceName"`
	State               string  `json:"state"`
	PhoneNumber         *string `json:"phoneNumber"`
	ConnectedAt         *string `json:"connectedAt"`
	MessagesQueuedCount int     `json:"messagesQueuedCount"`
}

type flushedView struct {
	InstanceName string `json:"instanceName"`
	Flushed      int    `json:"flushed"`
}

// webhookView answers PUT /instance/{name}/webhook. Events is null
// without a filter (a nil slice encodes as null, an empty one as []).
type webhookView struct {
	InstanceName string   `json:"instanceName"`
	WebhookURL   string   `json:"webhookUrl"`
	Events       []string `json:"events"`
}

// webhookConfigView answers GET /instance/{name}/webhook: never the secret.
type webhookConfigView struct {
	WebhookURL string   `json:"webhookUrl"`
	Events     []string `json:"events"`
}

type deletedView struct {
	InstanceName string `json:"instanceName"`
	Deleted      bool   `json:"deleted"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (a *api) createInstance(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body gateway.CreateInstanceInput
	if err := decode(r, &body); err != nil {
		return err
	}
	inst, err := a.svc.CreateInstance(r.Context(), tenantID, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdView{InstanceName: inst.Name.String(), Status: string(inst.State)})
	return nil
}

func (a *api) listInstances(w http.ResponseWriter, r *http.Request, tenantID string) error {
	return a.writeList(w, r, tenantID, "")
}

func (a *api) writeList(w http.ResponseWriter, r *http.Request, tenantID, clientID string) error {
	list, err := a.svc.ListInstances(r.Context(), tenantID, clientID)
	if err != nil {
		return err
	}
	out := make([]listItem, 0, len(list))
	for _, inst := range list {
		out = append(out, listItem{InstanceName: inst.Name.String(), State: string(inst.State), PhoneNumber: optional(inst.PhoneNumber)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// instanceView serves one GET /instance/{name}/{view}.
type instanceView func(a *api, w http.ResponseWriter, r *http.Request, tenantID, name string) error

// instanceViews are the {view}s of GET /instance/{name}/{view}: both
// instanceGet and the router (servesInstanceGet) read this one table.
var instanceViews = map[string]instanceView{
	"status":     (*api).status,
	"qr":         (*api).qr,
	"device":     (*api).device,
	"deliveries": (*api).listDeliveries,
	"messages":   (*api).listMessages,
	"queue":      (*api).queue,
	"settings":   (*api).settings,
	"webhook":    (*api).webhook,
}

// servesInstanceGet tells the router which paths instanceGet serves, so
// that GET /instance/{name}/logout is a 405 (POST works there) and
// GET /instance/{name}/nope a 404, like any path no route has.
func servesInstanceGet(r *http.Request) bool {
	segs := pathSegments(r, "/instance/")
	return len(segs) == 2 && (segs[0] == "list" || instanceViews[segs[1]] != nil)
}

// instanceGet serves GET /instance/list/{clientId} and every
// GET /instance/{name}/{view}.
func (a *api) instanceGet(w http.ResponseWriter, r *http.Request, tenantID string) error {
	first, second := r.PathValue("first"), r.PathValue("second")
	if first == "list" {
		return a.writeList(w, r, tenantID, second)
	}
	if view := instanceViews[second]; view != nil {
		return view(a, w, r, tenantID, first)
	}
	return fault.New(fault.ErrNotFound, "Not found") // the router sends no such request
}

func (a *api) queue(w http.ResponseWriter, r *http.Request, tenantID, name string) error {
	counts, err := a.svc.Queue(r.Context(), tenantID, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, counts)
	return nil
}

func (a *api) status(w http.ResponseWriter, r *http.Request, tenantID, name string) error {
	inst, err := a.svc.Instance(r.Context(), tenantID, name)
	if err != nil {
		return err
	}
	counts, err := a.svc.Queue(r.Context(), tenantID, name)
	if err != nil {
		return err
	}
	v := statusView{
		InstanceName:        inst.Name.String(),
		State:               string(inst.State),
		PhoneNumber:         optional(inst.PhoneNumber),
		MessagesQueuedCount: counts.Total,
	}
	if inst.State == instance.StateOpen && !inst.ConnectedAt.IsZero() {
		at := clock.Format(inst.ConnectedAt)
		v.ConnectedAt = &at
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (a *api) flushQueue(w http.ResponseWriter, r *http.Request, tenantID string) error {
	n, err := a.svc.FlushQueue(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, flushedView{InstanceName: r.PathValue("name"), Flushed: n})
	return nil
}

func (a *api) setWebhook(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body gateway.WebhookInput
	if err := decode(r, &body); err != nil {
		return err
	}
	inst, err := a.svc.SetWebhook(r.Context(), tenantID, r.PathValue("name"), body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookView{InstanceName: inst.Name.String(), WebhookURL: inst.WebhookURL, Events: inst.WebhookEvents})
	return nil
}

func (a *api) webhook(w http.ResponseWriter, r *http.Request, tenantID, name string) error {
	c, err := a.svc.Webhook(r.Context(), tenantID, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookConfigView{WebhookURL: c.URL, Events: c.Events})
	return nil
}

func (a *api) deleteInstance(w http.ResponseWriter, r *http.Request, tenantID string) error {
	name := r.PathValue("name")
	if _, err := a.svc.Instance(r.Context(), tenantID, name); err != nil {
		return err
	}
	if a.sessions != nil {
		a.sessions.Forget(r.Context(), name) // log out first: the keys go with the instance
	}
	if _, err := a.svc.DeleteInstance(r.Context(), tenantID, name); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deletedView{InstanceName: r.PathValue("name"), Deleted: true})
	return nil
}

func (a *api) stats(w http.ResponseWriter, r *http.Request, tenantID string) error {
	st, err := a.svc.Stats(r.Context(), tenantID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
