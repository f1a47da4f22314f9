package httpapi

import (
	"net/http"
	"slices"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/message"
)

// The fields of the send routes besides the kind's own (message.Fields).
type (
	// sendCommon: POST /message/<kind>.
	sendCommon struct {
		InstanceName string `json:"instanceName"`
		To           string `json:"to"`
		Lane         string `json:"lane"`
		ReplyTo      string `json:"replyTo"`
	}
	// clientCommon: POST /message/send.
	clientCommon struct {
		TenantID string `json:"tenantId"`
		ClientID string `json:"clientId"`
		Type     string `json:"type"`
		To       string `json:"to"`
		Lane     string `json:"lane"`
		ReplyTo  string `json:"replyTo"`
	}
)

// sendRoutes registers POST /message/<kind> for every kind, and POST
// /message/send.
func (a *api) sendRoutes() {
	for _, k := range message.Kinds() {
		a.handle("POST /message/"+string(k.Type), a.authed(a.sendKind(k)))
	}
	a.handle("POST /message/send", a.authed(a.sendToClient()))
}

// sendKind is POST /message/<kind>: the common fields and the kind's own.
// Decoding is strict, so a field of another kind (imageUrl on
// /message/text) is an unknown field.
func (a *api) sendKind(k message.Kind) tenantHandler {
	body := newSplitBody(sendCommon{}, k.NewFields())
	return func(w http.ResponseWriter, r *http.Request, tenantID string) error {
		var c sendCommon
		f := k.NewFields()
		if _, err := body.decode(r, &c, f); err != nil {
			return err
		}
		in := gateway.SendInput{InstanceName: c.InstanceName, To: c.To, Lane: c.Lane, Type: k.Type, Content: f.Content(),
			ReplyTo: c.ReplyTo}
		acc, replayed, err := a.svc.Send(r.Context(), tenantID, in, r.Header.Get("Idempotency-Key"))
		if err != nil {
			return err
		}
		writeAccepted(w, acc, replayed)
		return nil
	}
}

func writeAccepted(w http.ResponseWriter, acc gateway.Accepted, replayed bool) {
	if replayed {
		w.Header().Set("Idempotency-Replayed", "true")
	}
	writeJSON(w, http.StatusAccepted, acc)
}

// sendToClient is POST /message/send: the fields of every kind are known
// names, and those given must belong to the chosen type. A field of
// another type is refused at its path, as unknown fields are on the typed
// routes; with no valid type, the type is the one issue.
func (a *api) sendToClient() tenantHandler {
	kinds := message.Kinds()
	parts := []any{clientCommon{}}
	for _, k := range kinds {
		parts = append(parts, k.NewFields())
	}
	body := newSplitBody(parts...)
	return func(w http.ResponseWriter, r *http.Request, tenantID string) error {
		var c clientCommon
		fields := make([]message.Fields, len(kinds))
		dst := []any{&c}
		for i, k := range kinds {
			fields[i] = k.NewFields()
			dst = append(dst, fields[i])
		}
		given, err := body.decode(r, dst...)
		if err != nil {
			return err
		}
		t := message.Type(c.Type)
		in := gateway.ClientSendInput{TenantID: c.TenantID, ClientID: c.ClientID,
			SendInput: gateway.SendInput{To: c.To, Lane: c.Lane, Type: t, ReplyTo: c.ReplyTo}}
		if i := slices.IndexFunc(kinds, func(k message.Kind) bool { return k.Type == t }); i >= 0 {
			own := append(memberNames(clientCommon{}), memberNames(fields[i])...)
			var issues fault.Issues
			for _, name := range given {
				if !slices.Contains(own, name) {
					issues.Add("Not allowed for type "+c.Type, name)
				}
			}
			if err := issues.Err(); err != nil {
				return err
			}
			in.Content = fields[i].Content()
		}
		acc, replayed, err := a.svc.SendToClient(r.Context(), tenantID, in, r.Header.Get("Idempotency-Key"))
		if err != nil {
			return err
		}
		writeAccepted(w, acc, replayed)
		return nil
	}
}

// messageView is GET /message/{id}.
type messageView struct {
	ID           string  `json:"id"`
	InstanceName string  `json:"instanceName"`
	Lane         string  `json:"lane"`
	To           string  `json:"to"`
	Type         string  `json:"type"`
	Status       string  `json:"status"`
	CreatedAt    string  `json:"createdAt"`
	SentAt       *string `json:"sentAt"`
	DeliveredAt  *string `json:"deliveredAt"`
	ReadAt       *string `json:"readAt"`
	EditedAt     *string `json:"editedAt"`
	RevokedAt    *string `json:"revokedAt"`
	Error        *string `json:"error"`
}

// viewMessage is m as GET /message/{id} (and PATCH and DELETE) show it.
func viewMessage(m message.Message) messageView {
	v := messageView{
		ID: m.ID, InstanceName: m.Instance, Lane: string(m.Lane), To: m.To, Type: string(m.Type),
		Status: string(m.Status), CreatedAt: clock.Format(m.CreatedAt), Error: optional(m.Error),
	}
	v.SentAt, v.DeliveredAt, v.ReadAt = optionalTime(m.SentAt), optionalTime(m.DeliveredAt), optionalTime(m.ReadAt)
	v.EditedAt, v.RevokedAt = optionalTime(m.EditedAt), optionalTime(m.RevokedAt)
	return v
}

func (a *api) getMessage(w http.ResponseWriter, r *http.Request, tenantID string) error {
	m, err := a.svc.Message(r.Context(), tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewMessage(m))
	return nil
}

// optionalTime is t as the API writes it, or null when zero.
func optionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := clock.Format(t)
	return &s
}
