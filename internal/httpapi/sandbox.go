package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
)

// Sandbox is the far side of the sandbox driver's phone network: what a
// phone would do. Its routes exist only when the gateway runs the sandbox.
type Sandbox interface {
	Scan(instance, phone string) error
	Inbound(instance string, in driver.Inbound) error
	Drop(instance string, reason driver.Reason) error
	Sent(instance string) []SandboxSent
	Presences(instance string) []driver.Presence
}

// SandboxSent is one message the sandbox network received.
type SandboxSent struct {
	driver.Outbound
	SentAt time.Time
	Edit   *driver.Edit   // set on an edit of an earlier message
	Revoke *driver.Revoke // set on a deletion for everyone
}

// sentChangeView is the edit or revoke of a sent entry: the message
// changed, by its WhatsApp id, and an edit's new text or caption.
type sentChangeView struct {
	MessageID string  `json:"messageId"`
	Text      *string `json:"text,omitempty"`
}

// sentChanges returns the edit and revoke fields of an entry.
func sentChanges(s SandboxSent) (edit, revoke *sentChangeView) {
	if s.Edit != nil {
		edit = &sentChangeView{MessageID: s.Edit.TargetWAID, Text: &s.Edit.Text}
	}
	if s.Revoke != nil {
		revoke = &sentChangeView{MessageID: s.Revoke.TargetWAID}
	}
	return edit, revoke
}

type inboundView struct {
	MessageID string `json:"messageId"`
}

type dropBody struct {
	Reason string `json:"reason"`
}

type sentView struct {
	MessageID   string  `json:"messageId"`
	WAMessageID string  `json:"waMessageId"`
	To          string  `json:"to"`
	Type        string  `json:"type"`
	Text        *string `json:"text"`
	Caption     *string `json:"caption"`
	MediaURL    *string `json:"mediaUrl"`
	FileName    *string `json:"fileName"`
	Lane        string  `json:"lane"`
	SentAt      string  `json:"sentAt"`
	// An edit or a deletion of an earlier message (type edit, revoke).
	Edit   *sentChangeView `json:"edit"`
	Revoke *sentChangeView `json:"revoke"`
	// The kinds' own content (sandboxkinds.go).
	Location *sentLocationView `json:"location"`
	Contacts []sentContactView `json:"contacts"`
	Poll     *sentPollView     `json:"poll"`
	// ReplyTo is the WhatsApp id of the message quoted (replyTo).
	ReplyTo *string `json:"replyTo"`
	// Reaction: on a reaction, the message reacted to (WhatsApp id) and
	// the emoji ("" removed it).
	Reaction *sentReactionView `json:"reaction"`
	// Mentions and ViewOnce: null where the kind has no such field
	// (sandboxmentions.go).
	Mentions []string `json:"mentions"`
	ViewOnce *bool    `json:"viewOnce"`
}

type sentReactionView struct {
	MessageID string `json:"messageId"`
	Emoji     string `json:"emoji"`
}

func (a *api) sandboxRoutes() {
	a.handle("POST /sandbox/{name}/scan", a.authed(a.sandboxScan))
	a.handle("POST /sandbox/{name}/inbound", a.authed(a.sandboxInbound))
	a.handle("GET /sandbox/{name}/sent", a.authed(a.sandboxSent))
	a.handle("GET /sandbox/{name}/presence", a.authed(a.sandboxPresence))
	a.handle("GET /sandbox/{name}/read", a.authed(a.sandboxReads))
	a.handle("POST /sandbox/{name}/disconnect", a.authed(a.sandboxDisconnect))
	a.sandboxReportRoutes()
	a.sandboxGroupRoutes()
}

func (a *api) sandboxScan(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body pairingBody
	if err := decode(r, &body); err != nil {
		return err
	}
	if err := phoneField(body.PhoneNumber); err != nil {
		return err
	}
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	err = a.sandbox.Scan(inst.Name.String(), body.PhoneNumber)
	if errors.Is(err, driver.ErrNotLinking) {
		return fault.New(fault.ErrConflict, "Instance is not linking: get its QR code or pairing code first")
	}
	if err != nil {
		return err
	}
	return a.writeState(w, r, tenantID, inst.Name.String())
}

func (a *api) writeState(w http.ResponseWriter, r *http.Request, tenantID, name string) error {
	inst, err := a.svc.Instance(r.Context(), tenantID, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, stateView{InstanceName: inst.Name.String(), State: string(inst.State)})
	return nil
}

func (a *api) sandboxInbound(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body inboundBody
	if err := decode(r, &body); err != nil {
		return err
	}
	in, err := inboundMessage(body)
	if err != nil {
		return err
	}
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	if in.MessageID == "" {
		id := make([]byte, 16)
		_, _ = rand.Read(id)
		in.MessageID = strings.ToUpper(hex.EncodeToString(id))
	}
	in.Timestamp = a.clock.Now()
	if err := a.sandbox.Inbound(inst.Name.String(), in); err != nil {
		return sandboxError(err)
	}
	writeJSON(w, http.StatusOK, inboundView{MessageID: in.MessageID})
	return nil
}

func (a *api) sandboxSent(w http.ResponseWriter, r *http.Request, tenantID string) error {
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	list := a.sandbox.Sent(inst.Name.String())
	out := make([]sentView, 0, len(list))
	for _, s := range list {
		out = append(out, sentView{MessageID: s.MessageID, WAMessageID: s.WAMessageID, To: s.To, Type: string(s.Type),
			Text: optional(s.Text), Caption: optional(s.Caption), MediaURL: optional(s.MediaURL),
			FileName: optional(s.FileName), Lane: s.Lane, SentAt: clock.Format(s.SentAt)})
		v := &out[len(out)-1]
		v.Edit, v.Revoke = sentChanges(s)
		v.Location, v.Contacts, v.Poll = sentKinds(s)
		v.Mentions, v.ViewOnce = sentExtras(s)
		if s.Quote != nil {
			v.ReplyTo = &s.Quote.WAMessageID
		}
		if r := s.Reaction; r != nil {
			v.Reaction = &sentReactionView{MessageID: r.MessageID, Emoji: r.Emoji}
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *api) sandboxDisconnect(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body dropBody
	if err := decode(r, &body); err != nil {
		return err
	}
	reason := driver.Reason(body.Reason)
	if !reason.Valid() {
		return fault.Invalid("Must be one of connection_lost, logged_out, replaced, banned", "reason")
	}
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	if err := a.sandbox.Drop(inst.Name.String(), reason); err != nil {
		if errors.Is(err, driver.ErrNotConnected) {
			return fault.New(fault.ErrConflict, "Instance is not connected")
		}
		return err
	}
	return a.writeState(w, r, tenantID, inst.Name.String())
}
