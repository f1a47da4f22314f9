package whatsapp

import (
	"context"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/wagateway/wagateway/internal/driver"
)

// readContext fills in's Quoted and Mentions from the ContextInfo of m's
// content. Numbers come as JIDs, more and more often as LIDs: those are
// resolved through the LID store, and a mention that cannot be is left
// out (the host can only name people by their number). Only a failing LID
// store is an error (the message is delivered again).
func readContext(ctx context.Context, m *waE2E.Message, lids lidResolver, in *driver.Inbound) error {
	ci := contextOf(m)
	if ci == nil {
		return nil
	}
	if id := ci.GetStanzaID(); id != "" {
		from, err := userPhone(ctx, ci.GetParticipant(), lids)
		if err != nil {
			return err
		}
		in.Quoted = &driver.InboundQuote{MessageID: id, From: from}
	}
	for _, j := range ci.GetMentionedJID() {
		n, err := userPhone(ctx, j, lids)
		if err != nil {
			return err
		}
		if n != "" {
			in.Mentions = append(in.Mentions, n)
		}
	}
	return nil
}

// contextOf is the ContextInfo of the content m carries (every kind has
// its own field), nil when it has none. It only reads: unlike
// contentContextInfo, which a sender uses to add one.
func contextOf(m *waE2E.Message) *waE2E.ContextInfo {
	if m == nil {
		return nil
	}
	var found *waE2E.ContextInfo
	m.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() {
			return true
		}
		if c, ok := v.Message().Interface().(interface{ GetContextInfo() *waE2E.ContextInfo }); ok && c.GetContextInfo() != nil {
			found = c.GetContextInfo()
			return false
		}
		return true
	})
	return found
}
