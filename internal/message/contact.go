package message

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/phone"
)

// Contact shares 1 to 10 contact cards; the gateway writes the vCard of
// each (vcard.go).
const Contact Type = "contact"

// Limits of a contact message. WhatsApp's clients share at most a handful
// of contacts at once; names and organizations are display lines; an
// e-mail address is at most 254 characters (RFC 5321 path limit).
const (
	MaxContacts         = 10
	MaxContactFieldLen  = 256
	MaxContactEmailLen  = 254
	contactEmailMessage = "Must be an email address (name@example.com)"
)

// ContactCard is one shared contact, as the request gives it and as it is
// stored and sent.
type ContactCard struct {
	FullName     string `json:"fullName"`
	PhoneNumber  string `json:"phoneNumber"`
	Organization string `json:"organization,omitempty"`
	Email        string `json:"email,omitempty"`
}

// ContactFields are the fields of a contact message.
type ContactFields struct {
	Contacts []ContactCard `json:"contacts"`
}

// Content is what a contact message stores.
func (f *ContactFields) Content() Content { return Content{Contacts: f.Contacts} }

var contactKind = Kind{
	Type:   Contact,
	fields: func() Fields { return new(ContactFields) },
	check: func(c Content, issues *fault.Issues) {
		switch {
		case c.Contacts == nil:
			issues.Add("Required", "contacts")
			return
		case len(c.Contacts) < 1 || len(c.Contacts) > MaxContacts:
			issues.Add(fmt.Sprintf("Must have 1 to %d contacts", MaxContacts), "contacts")
		}
		for i, card := range c.Contacts {
			checkCard(issues, card, i)
		}
	},
}

// checkCard checks contact i. The phone number follows the rule of `to`:
// it becomes the card's WhatsApp id (waid), which is what makes "Message"
// on the card open a chat.
func checkCard(issues *fault.Issues, card ContactCard, i int) {
	at := func(field string) []any { return []any{"contacts", i, field} }
	if strings.TrimSpace(card.FullName) == "" {
		issues.Add("Required", at("fullName")...)
	} else {
		checkLen(issues, card.FullName, MaxContactFieldLen, at("fullName")...)
	}
	switch {
	case card.PhoneNumber == "":
		issues.Add("Required", at("phoneNumber")...)
	case !phone.Valid(card.PhoneNumber):
		issues.Add(phone.FormatMessage, at("phoneNumber")...)
	}
	checkLen(issues, card.Organization, MaxContactFieldLen, at("organization")...)
	switch {
	case card.Email == "":
	case len(card.Email) > MaxContactEmailLen:
		issues.Add(fmt.Sprintf("Must be at most %d characters", MaxContactEmailLen), at("email")...)
	case !looksLikeEmail(card.Email):
		issues.Add(contactEmailMessage, at("email")...)
	}
}

// looksLikeEmail is a shape check, not RFC 5322: something@domain without
// spaces or control characters. The vCard escapes whatever else it holds;
// the check only catches a value in the wrong field.
func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}
