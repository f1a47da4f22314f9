package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

// listedOutView is an outbound item of GET /instance/{name}/messages: the
// message as GET /message/{id} shows it, with its direction and time.
type listedOutView struct {
	messageView
	Direction message.Direction `json:"direction"`
	At        string            `json:"at"`
}

// messagePageView is GET /instance/{name}/messages. Items hold
// listedOutView and json.RawMessage (inbound) values.
type messagePageView struct {
	Items      []any   `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

func (a *api) listMessages(w http.ResponseWriter, r *http.Request, tenantID, name string) error {
	// Parsed here rather than with URL.Query, which drops what it cannot
	// decode: a mangled cursor must be a 400, not the first page.
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return fault.Invalid("Malformed query string: encode parameter values (e.g. %2B for +)")
	}
	page, err := a.svc.Messages(r.Context(), tenantID, name, query)
	if err != nil {
		return err
	}
	v := messagePageView{Items: make([]any, 0, len(page.Items)), NextCursor: optional(page.Next)}
	for _, l := range page.Items {
		if l.Out != nil {
			v.Items = append(v.Items, listedOutView{messageView: viewMessage(*l.Out), Direction: message.Out,
				At: clock.Format(l.Out.CreatedAt)})
			continue
		}
		item, err := listedIn(*l.In)
		if err != nil {
			return err
		}
		v.Items = append(v.Items, item)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// listedIn is an inbound item: the data of its message.received event,
// byte for byte as the webhook carried it, with direction and at added.
func listedIn(r message.Received) (json.RawMessage, error) {
	p := bytes.TrimSpace(r.Payload)
	if len(p) < 2 || p[0] != '{' || p[len(p)-1] != '}' || !json.Valid(p) {
		return nil, fmt.Errorf("received message %s of %s: stored payload is not a JSON object", r.WAMessageID, r.Instance)
	}
	inner := bytes.TrimSpace(p[1 : len(p)-1])
	out := make([]byte, 0, len(p)+64)
	out = append(append(out, '{'), inner...)
	if len(inner) > 0 {
		out = append(out, ',')
	}
	out = fmt.Appendf(out, `"direction":%q,"at":%q}`, message.In, clock.Format(r.ReceivedAt))
	return out, nil
}
