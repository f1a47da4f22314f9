package whatsapp

import (
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/wagateway/wagateway/internal/message"
)

// withQuote makes msg a reply to q (nil: msg as it is), as WhatsApp's
// clients send one: the quoted message's id and sender in the ContextInfo
// of msg's content, and a minimal copy of it (its text or caption) that
// phones show when they do not have the original. own is this account,
// the sender of a message of ours. A plain conversation has no
// ContextInfo, so it becomes an extended text, as on the phones.
func withQuote(msg *waE2E.Message, q *message.Quote, own types.JID) *waE2E.Message {
	if q == nil || msg == nil {
		return msg
	}
	sender := own.ToNonAD()
	if q.From != "" {
		sender = types.NewJID(q.From, types.DefaultUserServer)
	}
	if msg.Conversation != nil {
		msg = &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: msg.Conversation}}
	}
	ci := contentContextInfo(msg.ProtoReflect())
	if ci == nil {
		return msg // a kind without a ContextInfo cannot quote; sent as it is
	}
	ci.StanzaID, ci.Participant = proto.String(q.WAMessageID), proto.String(sender.String())
	ci.QuotedMessage = &waE2E.Message{Conversation: proto.String(q.Text)}
	return msg
}

// contentContextInfo returns the ContextInfo of the content m carries, creating
// it if missing (so fields set by other builders, mentions, are kept): the
// one set field of a waE2E.Message that has a contextInfo, looking into
// wrappers (a captioned document's FutureProofMessage). nil if none.
func contentContextInfo(m protoreflect.Message) *waE2E.ContextInfo {
	var found *waE2E.ContextInfo
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() {
			return true
		}
		sub := v.Message()
		if f := sub.Descriptor().Fields().ByName("contextInfo"); f != nil {
			found, _ = sub.Mutable(f).Message().Interface().(*waE2E.ContextInfo)
		} else {
			found = contentContextInfo(sub)
		}
		return found == nil
	})
	return found
}
