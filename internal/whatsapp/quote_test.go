package whatsapp

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/message"
)

// TestWithQuote: every shape a builder makes carries the quote in the
// ContextInfo of its content, keeping what is already there (mentions);
// a plain text becomes an extended text; our own messages name us.
func TestWithQuote(t *testing.T) {
	own := types.NewJID("5491100000001", types.DefaultUserServer)
	own.Device = 7
	doc := &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: proto.String("c")}}
	cases := map[string]struct {
		msg *waE2E.Message
		ci  func(m *waE2E.Message) *waE2E.ContextInfo
	}{
		"text": {&waE2E.Message{Conversation: proto.String("hi")},
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetExtendedTextMessage().GetContextInfo() }},
		"text with mentions": {&waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("@1"),
			ContextInfo: &waE2E.ContextInfo{MentionedJID: []string{"1@s.whatsapp.net"}}}},
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetExtendedTextMessage().GetContextInfo() }},
		"image": {&waE2E.Message{ImageMessage: &waE2E.ImageMessage{}},
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetImageMessage().GetContextInfo() }},
		"captioned document": {&waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: doc}},
			func(m *waE2E.Message) *waE2E.ContextInfo {
				return m.GetDocumentWithCaptionMessage().GetMessage().GetDocumentMessage().GetContextInfo()
			}},
		"location": {&waE2E.Message{LocationMessage: &waE2E.LocationMessage{}},
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetLocationMessage().GetContextInfo() }},
		"contacts": {&waE2E.Message{ContactsArrayMessage: &waE2E.ContactsArrayMessage{}},
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetContactsArrayMessage().GetContextInfo() }},
		"poll": {new(whatsmeow.Client).BuildPollCreation("q", []string{"a", "b"}, 1),
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetPollCreationMessage().GetContextInfo() }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			theirs := withQuote(proto.Clone(c.msg).(*waE2E.Message), &message.Quote{WAMessageID: "ABC", From: "5491112345678", Text: "q"}, own)
			ci := c.ci(theirs)
			require.NotNil(t, ci, "%v", theirs)
			require.Equal(t, "ABC", ci.GetStanzaID())
			require.Equal(t, "5491112345678@s.whatsapp.net", ci.GetParticipant())
			require.Equal(t, "q", ci.GetQuotedMessage().GetConversation())
			if name == "text with mentions" {
				require.Equal(t, []string{"1@s.whatsapp.net"}, ci.GetMentionedJID(), "kept")
			}
			if name == "poll" {
				require.NotEmpty(t, theirs.GetMessageContextInfo().GetMessageSecret(), "the poll's secret is kept")
			}
			ours := withQuote(proto.Clone(c.msg).(*waE2E.Message), &message.Quote{WAMessageID: "3EB0X"}, own)
			require.Equal(t, "5491100000001@s.whatsapp.net", c.ci(ours).GetParticipant(), "our own account, without device")
		})
	}
	plain := &waE2E.Message{Conversation: proto.String("hi")}
	require.Same(t, plain, withQuote(plain, nil, own), "no quote, no change")
}
