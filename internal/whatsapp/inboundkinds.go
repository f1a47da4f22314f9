package whatsapp

import (
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// content names a message as API.md does and fills the fields of its
// kind. whatsmeow has already unwrapped ephemeral, view-once and
// document-with-caption envelopes. ok is false for content API.md has no
// messageType for (an empty text, protocol messages, calls...). Media.Open
// is left nil: it needs the connection (onMessage sets it).
func content(m *waE2E.Message) (in driver.Inbound, ok bool) {
	switch {
	case m == nil:
		return in, false
	case m.GetConversation() != "":
		in.MessageType, in.Text = "conversation", m.GetConversation()
	case m.GetExtendedTextMessage().GetText() != "":
		in.MessageType, in.Text = "conversation", m.GetExtendedTextMessage().GetText()
	case m.ImageMessage != nil:
		x := m.GetImageMessage()
		in.MessageType, in.Caption = "imageMessage", x.GetCaption()
		in.Media = &driver.InboundMedia{Mimetype: x.GetMimetype(), Size: int64(x.GetFileLength())}
	case m.VideoMessage != nil:
		x := m.GetVideoMessage()
		in.MessageType, in.Caption = "videoMessage", x.GetCaption()
		in.Media = &driver.InboundMedia{Mimetype: x.GetMimetype(), Size: int64(x.GetFileLength())}
	case m.DocumentMessage != nil:
		x := m.GetDocumentMessage()
		in.MessageType, in.Caption = "documentMessage", x.GetCaption()
		in.Media = &driver.InboundMedia{Mimetype: x.GetMimetype(), FileName: x.GetFileName(), Size: int64(x.GetFileLength())}
	case m.AudioMessage != nil:
		x := m.GetAudioMessage()
		in.MessageType = "audioMessage"
		in.Media = &driver.InboundMedia{Mimetype: x.GetMimetype(), Size: int64(x.GetFileLength())}
	case m.StickerMessage != nil:
		x := m.GetStickerMessage()
		in.MessageType = "stickerMessage"
		in.Media = &driver.InboundMedia{Mimetype: x.GetMimetype(), Size: int64(x.GetFileLength())}
	case m.LocationMessage != nil:
		x := m.GetLocationMessage()
		in.MessageType = "locationMessage"
		in.Location = &message.LocationContent{Latitude: x.GetDegreesLatitude(), Longitude: x.GetDegreesLongitude(),
			Name: x.GetName(), Address: x.GetAddress()}
	case m.ContactMessage != nil:
		in.MessageType = "contactMessage"
		in.Contacts = contactCards(m.GetContactMessage().GetDisplayName(), m.GetContactMessage().GetVcard())
	case m.ContactsArrayMessage != nil:
		in.MessageType = "contactMessage"
		for _, c := range m.GetContactsArrayMessage().GetContacts() {
			in.Contacts = append(in.Contacts, contactCards(c.GetDisplayName(), c.GetVcard())...)
		}
	case poll(m) != nil:
		x := poll(m)
		in.MessageType = "pollCreationMessage"
		in.Poll = &driver.InboundPoll{Question: x.GetName(), SelectableCount: int(x.GetSelectableOptionsCount())}
		for _, o := range x.GetOptions() {
			in.Poll.Options = append(in.Poll.Options, o.GetOptionName())
		}
	default:
		return in, false
	}
	return in, true
}

// poll is the poll m creates, in whichever version WhatsApp used: V2 and
// V3 are the same message under new field numbers (single-choice polls,
// polls in announcement groups), V4 a future-proof envelope around one.
func poll(m *waE2E.Message) *waE2E.PollCreationMessage {
	for _, p := range []*waE2E.PollCreationMessage{m.GetPollCreationMessage(), m.GetPollCreationMessageV2(),
		m.GetPollCreationMessageV3(), m.GetPollCreationMessageV5()} {
		if p != nil {
			return p
		}
	}
	if inner := m.GetPollCreationMessageV4().GetMessage(); inner != nil && inner != m {
		return poll(inner)
	}
	return nil
}

// downloadable is the attachment of a media kind, for Media.Open.
func downloadable(m *waE2E.Message) whatsmeow.DownloadableMessage {
	switch {
	case m.GetImageMessage() != nil:
		return m.GetImageMessage()
	case m.GetVideoMessage() != nil:
		return m.GetVideoMessage()
	case m.GetDocumentMessage() != nil:
		return m.GetDocumentMessage()
	case m.GetAudioMessage() != nil:
		return m.GetAudioMessage()
	case m.GetStickerMessage() != nil:
		return m.GetStickerMessage()
	}
	return nil
}

// contactCards reads the contact cards of one shared contact: its vCard
// text usually holds one card, but a phone may put several in it. A card
// without a name shows as the message's display name, as phones show it.
func contactCards(displayName, vcard string) []driver.InboundContact {
	var out []driver.InboundContact
	for _, card := range splitVCards(vcard) {
		f, err := message.ParseVCard(card)
		if err != nil {
			continue
		}
		c := driver.InboundContact{FullName: f.FullName, PhoneNumbers: f.PhoneNumbers}
		if c.FullName == "" {
			c.FullName = displayName
		}
		out = append(out, c)
	}
	if out == nil && displayName != "" {
		// Not a vCard we can read: the name alone is still the contact.
		out = []driver.InboundContact{{FullName: displayName}}
	}
	return out
}

// splitVCards cuts a text into its BEGIN:VCARD ... END:VCARD blocks
// (any case, LF or CRLF); what lies outside them is ignored.
func splitVCards(text string) []string {
	var cards []string
	upper := asciiUpper(text)
	for {
		begin := strings.Index(upper, "BEGIN:VCARD")
		if begin < 0 {
			return cards
		}
		end := strings.Index(upper[begin:], "END:VCARD")
		if end < 0 {
			return cards
		}
		end += begin + len("END:VCARD")
		cards = append(cards, text[begin:end])
		text, upper = text[end:], upper[end:]
	}
}

// asciiUpper upper-cases ASCII letters only, byte for byte, so offsets in
// the result are offsets in s (strings.ToUpper may change lengths).
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
