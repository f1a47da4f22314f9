package whatsapp

import (
	"fmt"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// decodeQuote reads the quote of a sent message back into out, as the
// phone would: the quoted id, its sender (own, our account, reads as ours)
// and the quoted text.
func decodeQuote(m *waE2E.Message, own *types.JID, out *driver.Outbound) error {
	if m.GetDocumentWithCaptionMessage().GetMessage() != nil {
		m = m.GetDocumentWithCaptionMessage().GetMessage()
	}
	var ci *waE2E.ContextInfo
	for _, c := range []*waE2E.ContextInfo{m.GetExtendedTextMessage().GetContextInfo(),
		m.GetImageMessage().GetContextInfo(), m.GetVideoMessage().GetContextInfo(),
		m.GetAudioMessage().GetContextInfo(), m.GetDocumentMessage().GetContextInfo(),
		m.GetLocationMessage().GetContextInfo(), m.GetContactMessage().GetContextInfo(),
		m.GetContactsArrayMessage().GetContextInfo(), m.GetPollCreationMessage().GetContextInfo(),
		m.GetStickerMessage().GetContextInfo()} {
		if c != nil {
			ci = c
		}
	}
	if ci.GetStanzaID() == "" {
		return nil
	}
	sender, err := types.ParseJID(ci.GetParticipant())
	if err != nil || sender.Server != types.DefaultUserServer || sender.Device != 0 {
		return fmt.Errorf("fake: quoted participant %q is not a user JID", ci.GetParticipant())
	}
	q := &message.Quote{WAMessageID: ci.GetStanzaID(), From: sender.User, Text: ci.GetQuotedMessage().GetConversation()}
	if own != nil && sender.User == own.User {
		q.From = ""
	}
	out.Quote = q
	return nil
}

// decodeReaction reads a reaction back: the key names the message (fromMe
// for ours, else sent by the chat's other side in a direct chat).
func decodeReaction(x *waE2E.ReactionMessage) (driver.Outbound, error) {
	key := x.GetKey()
	chat, err := types.ParseJID(key.GetRemoteJID())
	if err != nil || key.GetID() == "" || x.Text == nil {
		return driver.Outbound{}, fmt.Errorf("fake: reaction without a key or text: %v", x)
	}
	r := &message.ReactionContent{MessageID: key.GetID(), Emoji: x.GetText()}
	if !key.GetFromMe() {
		r.From = chat.User
		if key.GetParticipant() != "" {
			p, _ := types.ParseJID(key.GetParticipant())
			r.From = p.User
		}
	}
	return driver.Outbound{Type: message.Reaction, Reaction: r}, nil
}
