// Package events is the one definition of what the gateway tells the outside
// world: the webhook bodies tenants receive and the EventBridge events AWS
// users route. The session host, the EventBridge publisher, the local
// dispatcher and the webhooks Lambda all build and read events here, so a
// field cannot drift between the local and the AWS shape, and the JSON
// Schemas under schema/ are checked against the very bytes we send.
package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Source is the EventBridge source of every event.
const Source = "whatsapp.gateway"

// Name is an event name; it is also the EventBridge detail-type and the
// x-gateway-event header, so one value serves routing, delivery and receivers.
type Name string

// The events of API.md. Their values are public contract: renaming one
// breaks every tenant filtering on it. Each is defined once, in defs
// (def.go).
const (
	InstanceConnected    Name = "instance.connected"
	InstanceDisconnected Name = "instance.disconnected"
	MessageReceived      Name = "message.received"
	MessageSent          Name = "message.sent"
	MessageFailed        Name = "message.failed"
	MessageDelivered     Name = "message.delivered"
	MessageRead          Name = "message.read"
	MessageReaction      Name = "message.reaction"
	MessageEdited        Name = "message.edited"
	MessageRevoked       Name = "message.revoked"
	PollVote             Name = "poll.vote"
	GroupParticipants    Name = "group.participants"
	GroupUpdated         Name = "group.updated"
	CallReceived         Name = "call.received"
)

// timeLayout is API.md's timestamp: UTC, always three fractional digits, so
// receivers can parse it with a fixed format.
const timeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime writes t as API.md's timestamp (UTC, milliseconds, truncated),
// the form of Envelope.Timestamp and Sent.SentAt; producers use it so no
// hand-written layout drifts from the schema's pattern.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// Envelope is the webhook body:
// {"event","instanceName","data","timestamp"}. Data stays raw so an envelope
// read back from the bus re-encodes to the bytes it was built from, which is
// what the signature covers.
type Envelope struct {
	Event        Name            `json:"event"`
	InstanceName string          `json:"instanceName"`
	Data         json.RawMessage `json:"data"`
	Timestamp    string          `json:"timestamp"`
}

// New builds the envelope of one event and checks it against the event's
// schema, so a producer bug (a payload of the wrong event, a number with a
// "+", a caption on a text message) fails where it is made rather than in a
// tenant's integration. data must be the payload type of name (its def),
// or a pointer to one; at is truncated to milliseconds in UTC.
func New(name Name, instanceName string, data any, at time.Time) (Envelope, error) {
	if !name.Valid() {
		return Envelope{}, fmt.Errorf("events: unknown event %q", name)
	}
	if err := checkPayload(name, data); err != nil {
		return Envelope{}, err
	}
	if at.IsZero() {
		return Envelope{}, errors.New("events: zero event time")
	}
	raw, err := marshal(data)
	if err != nil {
		return Envelope{}, fmt.Errorf("events: %s data: %w", name, err)
	}
	e := Envelope{Event: name, InstanceName: instanceName, Data: raw, Timestamp: FormatTime(at)}
	body, err := e.Body()
	if err != nil {
		return Envelope{}, err
	}
	if err := Validate(body); err != nil {
		return Envelope{}, err
	}
	return e, nil
}

// Body is the exact webhook body: what is POSTed and what the signature is
// computed over. It is compact JSON in field order, without HTML escaping
// (a "<" in a message stays "<" for receivers that log or display it) and
// without a trailing newline.
func (e Envelope) Body() ([]byte, error) {
	return marshal(e)
}

// Detail is the EventBridge detail: the webhook body plus tenantId and
// deliveryId, flat, so AWS users can write rules on any body field and on
// the tenant, and the webhook deliverer knows the x-gateway-delivery id to
// send (the same across retries and redeliveries of one event). Body,
// promoted from Envelope, gives back the webhook body to sign; the two
// added fields are not part of it.
type Detail struct {
	Envelope
	TenantID   string `json:"tenantId"`
	DeliveryID string `json:"deliveryId"`
}

// maxDeliveryID bounds a delivery id; the gateway's are UUIDs.
const maxDeliveryID = 128

// NewDetail builds the EventBridge detail of a webhook body as New made it:
// the body's fields in their order, then tenantId and deliveryId. It holds
// the body to its schema and to the tenant, as ParseDetail will, so a bad
// event fails at the publisher rather than at every delivery attempt.
// ParseDetail of the result gives back body as Body.
func NewDetail(body []byte, tenantID, deliveryID string) ([]byte, error) {
	if err := Validate(body); err != nil {
		return nil, err
	}
	if tenantID == "" {
		return nil, errors.New("events: empty tenantId")
	}
	if !validDeliveryID(deliveryID) {
		return nil, errors.New("events: deliveryId must be 1-128 printable ASCII characters")
	}
	var e Envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("events: body: %w", err)
	}
	if !hasTenant(e.InstanceName, tenantID) {
		return nil, fmt.Errorf("events: instance %q is not tenant %q's", e.InstanceName, tenantID)
	}
	return marshal(Detail{Envelope: e, TenantID: tenantID, DeliveryID: deliveryID})
}

// ParseDetail reads an event off the bus (EventBridge, or the local outbox)
// the way the webhook deliverer must: strictly. Unknown fields, unknown
// event names, bodies that break their schema, a missing deliveryId and an
// instance outside tenantId are errors, because whatever passes is signed
// and sent to a tenant as is. Data comes back re-encoded in canonical form,
// so the resulting Body is the same bytes New would have produced,
// whichever encoder wrote the detail.
func ParseDetail(b []byte) (Detail, error) {
	doc, err := decodeDoc(b)
	if err != nil {
		return Detail{}, err
	}
	tenant, ok := doc["tenantId"].(string)
	if !ok || tenant == "" {
		return Detail{}, errors.New("events: detail has no tenantId string")
	}
	// The delivery id becomes a header: it must be one a transport sends.
	delivery, ok := doc["deliveryId"].(string)
	if !ok || !validDeliveryID(delivery) {
		return Detail{}, errors.New("events: detail has no valid deliveryId")
	}
	delete(doc, "tenantId")
	delete(doc, "deliveryId")
	if err := validateDoc(doc); err != nil {
		return Detail{}, err
	}
	var d Detail
	if err := json.Unmarshal(b, &d); err != nil {
		return Detail{}, fmt.Errorf("events: detail: %w", err)
	}
	// The schema pins instanceName to tenant__client__label; a different
	// tenant here means the publisher mixed tenants up, and delivering it
	// could leak one tenant's traffic under another's rules.
	if !hasTenant(d.InstanceName, tenant) {
		return Detail{}, fmt.Errorf("events: instance %q is not tenant %q's", d.InstanceName, tenant)
	}
	if d.Data, err = canonicalData(d.Event, d.Data); err != nil {
		return Detail{}, err
	}
	return d, nil
}

// validDeliveryID accepts 1-128 printable ASCII characters without spaces:
// what every HTTP transport sends unchanged as a header value.
func validDeliveryID(s string) bool {
	if s == "" || len(s) > maxDeliveryID {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func hasTenant(instanceName, tenant string) bool {
	owner, _, _ := strings.Cut(instanceName, "__")
	return owner == tenant
}

// marshal is json.Marshal without HTML escaping and without the encoder's
// trailing newline: the byte form of every body and payload in this package.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
