package httpapi

import (
	"net/http"

	"github.com/wagateway/wagateway/internal/message"
)

// editBody is PATCH /message/{id}: the new text of a text message, or the
// new caption of an image, document or video. Which one is allowed
// depends on the message, so both are known names here and the service
// refuses the other kind's field at its path.
type editBody struct {
	Text    *string `json:"text"`
	Caption *string `json:"caption"`
}

// editMessage is PATCH /message/{id}: 200 when a pending message's
// content was replaced, 202 when an edit of a sent one was queued.
func (a *api) editMessage(w http.ResponseWriter, r *http.Request, tenantID string) error {
	var body editBody
	if err := decode(r, &body); err != nil {
		return err
	}
	m, queued, err := a.svc.EditMessage(r.Context(), tenantID, r.PathValue("id"), message.Edit(body))
	if err != nil {
		return err
	}
	writeJSON(w, changeStatus(queued), viewMessage(m))
	return nil
}

// deleteMessage is DELETE /message/{id}: 200 when a pending message was
// cancelled, 202 when a deletion for everyone of a sent one was queued.
func (a *api) deleteMessage(w http.ResponseWriter, r *http.Request, tenantID string) error {
	m, queued, err := a.svc.DeleteMessage(r.Context(), tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, changeStatus(queued), viewMessage(m))
	return nil
}

func changeStatus(queued bool) int {
	if queued {
		return http.StatusAccepted
	}
	return http.StatusOK
}
