package webhookqueue

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/wagateway/wagateway/events"
)

// busEvent is an EventBridge event as a rule's SQS target receives it.
// Fields EventBridge may add later are ignored; the detail, which becomes
// a signed webhook, is read strictly by events.ParseDetail.
type busEvent struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Detail     json.RawMessage `json:"detail"`
}

// Reasons a queue message is not a gateway event. They are logged in
// place of the parser's error, whose text can quote the body (a phone
// number, a message text) and must not reach the logs.
var (
	errNotEvent  = errors.New("not an EventBridge event")
	errForeign   = errors.New("not a whatsapp.gateway event")
	errDetail    = errors.New("detail breaks the event contract")
	errMismatch  = errors.New("detail-type is not the detail's event")
	errNoVersion = errors.New("unknown EventBridge event version")
)

// parseMessage reads the event of one queue message. Only an event of
// our source whose detail passes events.ParseDetail, with a detail-type
// equal to the detail's event, is delivered.
func parseMessage(body string) (events.Detail, error) {
	var ev busEvent
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	if err := dec.Decode(&ev); err != nil || dec.More() || ev.Detail == nil {
		return events.Detail{}, errNotEvent
	}
	if ev.Version != "0" {
		return events.Detail{}, errNoVersion
	}
	if ev.Source != events.Source {
		return events.Detail{}, errForeign
	}
	d, err := events.ParseDetail(ev.Detail)
	if err != nil {
		return events.Detail{}, errDetail
	}
	if string(d.Event) != ev.DetailType {
		return events.Detail{}, errMismatch
	}
	return d, nil
}
