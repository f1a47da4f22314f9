package whatsapp

import (
	"fmt"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// The builders of the kinds without a file: a place, contact cards, a
// poll. Their content was validated when it was queued; what is checked
// here is only what would make a message WhatsApp cannot show, so that a
// malformed one fails for good instead of going out empty.

func locationMessage(out driver.Outbound, _ media, _ pollBuilder) (*waE2E.Message, error) {
	l := out.Location
	if l == nil {
		return nil, &driver.SendError{Reason: "empty location"}
	}
	// The coordinates are always set: 0 is a place (proto3 optional
	// fields would drop a nil, and the phone would show no pin).
	return &waE2E.Message{LocationMessage: &waE2E.LocationMessage{
		DegreesLatitude: proto.Float64(l.Latitude), DegreesLongitude: proto.Float64(l.Longitude),
		Name: optional(l.Name), Address: optional(l.Address)}}, nil
}

// contactMessage sends one card as a ContactMessage and several as a
// ContactsArrayMessage, as WhatsApp's own clients do; its display name is
// what the chat list shows ("3 contacts").
func contactMessage(out driver.Outbound, _ media, _ pollBuilder) (*waE2E.Message, error) {
	if len(out.Contacts) == 0 {
		return nil, &driver.SendError{Reason: "no contacts"}
	}
	cards := make([]*waE2E.ContactMessage, len(out.Contacts))
	for i, c := range out.Contacts {
		cards[i] = &waE2E.ContactMessage{DisplayName: proto.String(c.FullName), Vcard: proto.String(message.VCard(c))}
	}
	if len(cards) == 1 {
		return &waE2E.Message{ContactMessage: cards[0]}, nil
	}
	return &waE2E.Message{ContactsArrayMessage: &waE2E.ContactsArrayMessage{
		DisplayName: proto.String(fmt.Sprintf("%d contacts", len(cards))), Contacts: cards}}, nil
}

// pollMessage uses whatsmeow's BuildPollCreation for the secret it gives
// the poll (MessageContextInfo.MessageSecret): without it the recipients'
// votes could not be encrypted, nor decrypted by us.
func pollMessage(out driver.Outbound, _ media, cli pollBuilder) (*waE2E.Message, error) {
	p := out.Poll
	if p == nil || len(p.Options) < message.MinPollOptions {
		return nil, &driver.SendError{Reason: "a poll needs a question and at least two options"}
	}
	return cli.BuildPollCreation(p.Question, p.Options, p.SelectableCount), nil
}
