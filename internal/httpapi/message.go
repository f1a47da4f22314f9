package httpapi

import (
	"net/http"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/message"
)

// The bodies of the five typed send routes. Decoding is strict, so a field
// of another type (say imageUrl on /message/text) is an unknown field.
type (
	sendCommon struct {
		InstanceName string `json:"instanceName"`
		To           string `json:"to"`
		Lane         string `json:"lane"`
	}
	textBody struct {
		sendCommon
		Text string `json:"text"`
	}
	imageBody struct {
		sendCommon
		ImageURL string `json:"imageUrl"`
		Caption  string `json:"caption"`
	}
	documentBody struct {
		sendCommon
		DocumentURL string `json:"documentUrl"`
		FileName    string `json:"fileName"`
		Caption     string `json:"caption"`
	}
	audioBody struct {
		sendCommon
		AudioURL string `json:"audioUrl"`
	}
	videoBody struct {
		sendCommon
		VideoURL string `json:"videoUrl"`
		Caption  string `json:"caption"`
	}
	// clientBody is POST /message/send: any type's fields, checked
	// against the chosen type.
	clientBody struct {
		TenantID    string  `json:"tenantId"`
		ClientID    string  `json:"clientId"`
		Type        string  `json:"type"`
		To          string  `json:"to"`
		Lane        string  `json:"lane"`
		Text        *string `json:"text"`
		ImageURL    *string `json:"imageUrl"`
		DocumentURL *string `json:"documentUrl"`
		AudioURL    *string `json:"audioUrl"`
		VideoURL    *string `json:"videoUrl"`
		FileName    *string `json:"fileName"`
		Caption     *string `json:"caption"`
	}
)

func (c sendCommon) input(t message.Type, content message.Content) gateway.SendInput {
	return gateway.SendInput{InstanceName: c.InstanceName, To: c.To, Lane: c.Lane, Type: t, Content: content}
}

// sendRoute decodes a typed send body into a SendInput and enqueues it.
func sendRoute[B any](a *api, toInput func(B) gateway.SendInput) tenantHandler {
	return func(w http.ResponseWriter, r *http.Request, tenantID string) error {
		var body B
		if err := decode(r, &body); err != nil {
			return err
		}
		acc, replayed, err := a.svc.Send(r.Context(), tenantID, toInput(body), r.Header.Get("Idempotency-Key"))
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

func (a *api) sendText(w http.ResponseWriter, r *http.Request, t string) error {
	return sendRoute(a, func(b textBody) gateway.SendInput {
		return b.input(message.Text, message.Content{Text: b.Text})
	})(w, r, t)
}

func (a *api) sendImage(w http.ResponseWriter, r *http.Request, t string) error {
	return sendRoute(a, func(b imageBody) gateway.SendInput {
		return b.input(message.Image, message.Content{MediaURL: b.ImageURL, Caption: b.Caption})
	})(w, r, t)
}

func (a *api) sendDocument(w http.ResponseWriter, r *http.Request, t string) error {
	return sendRoute(a, func(b documentBody) gateway.SendInput {
		return b.input(message.Document, message.Content{MediaURL: b.DocumentURL, FileName: b.FileName, Caption: b.Caption})
	})(w, r, t)
}

func (a *api) sendAudio(w http.ResponseWriter, r *http.Request, t string) error {
	return sendRoute(a, func(b audioBody) gateway.SendInput {
		return b.input(message.Audio, message.Content{MediaURL: b.AudioURL})
	})(w, r, t)
}

func (a *api) sendVideo(w http.ResponseWriter, r *http.Request, t string) error {
	return sendRoute(a, func(b videoBody) gateway.SendInput {
		return b.input(message.Video, message.Content{MediaURL: b.VideoURL, Caption: b.Caption})
	})(w, r, t)
}

func (a *api) sendToClient(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var b clientBody
	if err := decode(r, &b); err != nil {
		return err
	}
	t := message.Type(b.Type)
	in := gateway.ClientSendInput{TenantID: b.TenantID, ClientID: b.ClientID,
		SendInput: gateway.SendInput{To: b.To, Lane: b.Lane, Type: t}}
	// Fields that belong to another type are rejected, as unknown fields
	// are on the typed routes.
	var issues fault.Issues
	take := func(field string, v *string, allowed bool, dst *string) {
		if v == nil {
			return
		}
		if !allowed && t.Valid() {
			issues.Add("Not allowed for type "+b.Type, field)
			return
		}
		*dst = *v
	}
	c := &in.Content
	take("text", b.Text, t == message.Text, &c.Text)
	take("imageUrl", b.ImageURL, t == message.Image, &c.MediaURL)
	take("documentUrl", b.DocumentURL, t == message.Document, &c.MediaURL)
	take("audioUrl", b.AudioURL, t == message.Audio, &c.MediaURL)
	take("videoUrl", b.VideoURL, t == message.Video, &c.MediaURL)
	take("fileName", b.FileName, t == message.Document, &c.FileName)
	take("caption", b.Caption, t == message.Image || t == message.Document || t == message.Video, &c.Caption)
	if err := issues.Err(); err != nil {
		return err
	}
	acc, replayed, err := a.svc.SendToClient(r.Context(), tenantID, in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	writeAccepted(w, acc, replayed)
	return nil
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
	Error        *string `json:"error"`
}

func (a *api) getMessage(w http.ResponseWriter, r *http.Request, tenantID string) error {
	m, err := a.svc.Message(r.Context(), tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := messageView{
		ID: m.ID, InstanceName: m.Instance, Lane: string(m.Lane), To: m.To, Type: string(m.Type),
		Status: string(m.Status), CreatedAt: clock.Format(m.CreatedAt), Error: optional(m.Error),
	}
	v.SentAt, v.DeliveredAt, v.ReadAt = optionalTime(m.SentAt), optionalTime(m.DeliveredAt), optionalTime(m.ReadAt)
	writeJSON(w, http.StatusOK, v)
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
