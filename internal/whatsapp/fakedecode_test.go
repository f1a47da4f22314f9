package whatsapp

import (
	"errors"
	"fmt"

	"go.mau.fi/whatsmeow/proto/waE2E"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// The fake phone's reading of the kinds without a file: it refuses what
// a phone could not show as sent (a pin without coordinates, a card
// whose vCard is not the one the gateway writes, a poll without its
// secret), so the conformance suite sees such a send fail.

func decodeLocation(x *waE2E.LocationMessage) (driver.Outbound, error) {
	if x.DegreesLatitude == nil || x.DegreesLongitude == nil {
		return driver.Outbound{}, errors.New("fake: a location without coordinates")
	}
	return driver.Outbound{Type: message.Location, Location: &message.LocationContent{Latitude: x.GetDegreesLatitude(),
		Longitude: x.GetDegreesLongitude(), Name: x.GetName(), Address: x.GetAddress()}}, nil
}

// decodeContacts reads the cards back from their vCards. arrayName is the
// display name of a ContactsArrayMessage ("" for a single card).
func decodeContacts(arrayName string, cards []*waE2E.ContactMessage) (driver.Outbound, error) {
	if n := len(cards); n > 1 && arrayName != fmt.Sprintf("%d contacts", n) {
		return driver.Outbound{}, fmt.Errorf("fake: %d contacts named %q", n, arrayName)
	}
	out := driver.Outbound{Type: message.Contact}
	for _, x := range cards {
		v, err := message.ParseVCard(x.GetVcard())
		if err != nil {
			return driver.Outbound{}, fmt.Errorf("fake: %w", err)
		}
		if len(v.PhoneNumbers) != 1 {
			return driver.Outbound{}, fmt.Errorf("fake: vCard with numbers %q", v.PhoneNumbers)
		}
		card := message.ContactCard{FullName: v.FullName, PhoneNumber: v.PhoneNumbers[0], Organization: v.Organization, Email: v.Email}
		if x.GetDisplayName() != card.FullName {
			return driver.Outbound{}, fmt.Errorf("fake: card shown as %q, vCard of %q", x.GetDisplayName(), card.FullName)
		}
		if x.GetVcard() != message.VCard(card) {
			return driver.Outbound{}, fmt.Errorf("fake: vCard %q is not the one the gateway writes", x.GetVcard())
		}
		out.Contacts = append(out.Contacts, card)
	}
	return out, nil
}

func decodePoll(m *waE2E.Message) (driver.Outbound, error) {
	if len(m.GetMessageContextInfo().GetMessageSecret()) != 32 {
		return driver.Outbound{}, errors.New("fake: a poll without its 32-byte message secret: votes could not be encrypted")
	}
	x := m.GetPollCreationMessage()
	p := &message.PollContent{Question: x.GetName(), SelectableCount: int(x.GetSelectableOptionsCount())}
	for _, o := range x.GetOptions() {
		p.Options = append(p.Options, o.GetOptionName())
	}
	return driver.Outbound{Type: message.Poll, Poll: p}, nil
}
