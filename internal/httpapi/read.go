package httpapi

import (
	"fmt"
	"net/http"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
)

// The bounds of POST /instance/{name}/read (API.md): WhatsApp ids are
// short (20 to 32 characters today); 128 is the command queue's bound on
// any id it carries.
const (
	maxReadIDs    = 100
	maxReadIDSize = 128
)

// readBody is POST /instance/{name}/read. MessageIDs is a pointer so that
// a missing list is told apart from an empty one.
type readBody struct {
	MessageIDs *[]string `json:"messageIds"`
}

// readIDs checks the list's shape; whether each id names a message the
// instance received is the session host's to say (it keeps them). A
// repeated id is accepted and marked once: a client collecting ids from
// webhooks that arrived twice should not have to dedupe them.
func readIDs(body readBody) ([]string, error) {
	if body.MessageIDs == nil {
		return nil, fault.Invalid("Required", "messageIds")
	}
	ids := *body.MessageIDs
	if len(ids) < 1 || len(ids) > maxReadIDs {
		return nil, fault.Invalid(fmt.Sprintf("Must have 1 to %d message ids", maxReadIDs), "messageIds")
	}
	var issues fault.Issues
	for i, id := range ids {
		if id == "" || len(id) > maxReadIDSize {
			issues.Add(fmt.Sprintf("Must be 1 to %d characters", maxReadIDSize), "messageIds", i)
		}
	}
	return ids, issues.Err()
}

// markRead serves POST /instance/{name}/read: read receipts (blue ticks)
// for messages the instance received, sent at once over its connection.
func (a *api) markRead(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body readBody
	if err := decode(r, &body); err != nil {
		return err
	}
	ids, err := readIDs(body)
	if err != nil {
		return err
	}
	name, err := a.live(r, tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	if err := a.sessions.MarkRead(r.Context(), name, ids); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, emptyView{})
	return nil
}

// SandboxReads is the sandbox network's record of the read receipts each
// instance sent. Like SandboxReports it is separate from Sandbox, so that
// a Sandbox without it serves the other routes and this one answers 404.
type SandboxReads interface {
	Reads(instance string) []driver.ReadReceipt
}

// readView is one message the instance marked as read, as GET
// /sandbox/{name}/read lists it: one entry per id, however the host
// grouped them into receipts.
type readView struct {
	MessageID string `json:"messageId"`
	At        string `json:"at"`
}

func (a *api) sandboxReads(w http.ResponseWriter, r *http.Request, tenantID string) error {
	reads, ok := a.sandbox.(SandboxReads)
	if !ok {
		return fault.New(fault.ErrNotFound, "Not found")
	}
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	out := []readView{}
	for _, rc := range reads.Reads(inst.Name.String()) {
		for _, id := range rc.WAMessageIDs {
			out = append(out, readView{MessageID: id, At: clock.Format(rc.At)})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
