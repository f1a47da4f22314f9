package events

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
)

// def is the one definition of an event. Its name is also its EventBridge
// detail-type and its x-gateway-event header; data is the Go type of its
// payload. Its JSON Schema is schema/<name>.json and its golden sample
// testdata/<name>.json: tests walk defs and fail for an event without
// them, without an OpenAPI webhooks entry, or without a bus rule.
//
// A new event is an entry here, its payload type (payload.go or a file of
// its own), its schema, its sample, its OpenAPI entry and the code that
// emits it. Delivery (filter, signature, retries, dead letters) needs
// nothing: it treats every event alike.
type def struct {
	name Name
	data reflect.Type
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// defs lists every event, in API.md's order, each with who emits it.
var defs = []def{
	{InstanceConnected, typeOf[Connection]()},    // host: the connection opened
	{InstanceDisconnected, typeOf[Connection]()}, // host: the connection ended
	{MessageReceived, typeOf[Received]()},        // host: someone wrote to the instance
	{MessageSent, typeOf[Sent]()},                // host: handed to WhatsApp
	{MessageFailed, typeOf[Failed]()},            // host or API: will not be sent
	{MessageDelivered, typeOf[Delivered]()},      // host: a receipt for one of ours
	{MessageRead, typeOf[Read]()},                // host: a read receipt for one of ours
	{MessageReaction, typeOf[Reaction]()},        // host: someone reacted, or took it back
	{MessageEdited, typeOf[Edited]()},            // host: someone edited a message
	{MessageRevoked, typeOf[Revoked]()},          // host: someone deleted one for everyone
	{PollVote, typeOf[Vote]()},                   // host: someone voted in a poll
	{GroupParticipants, typeOf[Membership]()},    // host: members added, removed, promoted or demoted
	{GroupUpdated, typeOf[GroupInfo]()},          // host: a group's subject, description or settings changed
	{CallReceived, typeOf[Call]()},               // host: someone called the instance
}

func lookup(n Name) (def, bool) {
	i := slices.IndexFunc(defs, func(d def) bool { return d.name == n })
	if i < 0 {
		return def{}, false
	}
	return defs[i], true
}

// Valid reports whether n is one of the events the gateway emits. Anything
// else reaching a consumer is corruption or a foreign event on the shared bus,
// and must not be delivered to a tenant.
func (n Name) Valid() bool {
	_, ok := lookup(n)
	return ok
}

// Names lists every event, in API.md's order, for infrastructure that must
// enumerate them (EventBridge rule patterns, docs, tests). The slice is the
// caller's own.
func Names() []Name {
	out := make([]Name, len(defs))
	for i, d := range defs {
		out[i] = d.name
	}
	return out
}

// checkPayload catches a payload built for another event: the schema alone
// would report it only as a confusing list of missing fields.
func checkPayload(name Name, data any) error {
	d, _ := lookup(name)
	v := reflect.ValueOf(data)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return fmt.Errorf("events: %s data is a nil pointer", name)
		}
		v = v.Elem()
	}
	if !v.IsValid() || v.Type() != d.data {
		return fmt.Errorf("events: %T is not the data of %s", data, name)
	}
	return nil
}

// canonicalData re-encodes data through its Go type, dropping whitespace and
// undoing the HTML escaping encoding/json applies by default, so every path
// to a webhook body yields the same bytes.
func canonicalData(name Name, raw json.RawMessage) (json.RawMessage, error) {
	d, ok := lookup(name)
	if !ok {
		return nil, fmt.Errorf("events: unknown event %q", name)
	}
	v := reflect.New(d.data).Interface()
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("events: %s data: %w", name, err)
	}
	return marshal(v)
}
