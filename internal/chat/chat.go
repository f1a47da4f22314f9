// Package chat is the one definition of who a message may go to: a person,
// named by their phone number, or a group the instance is in, named by its
// group id. Every layer that takes a send's `to` (the API, the drivers)
// parses it here, so the two forms are told apart the same way everywhere.
package chat

import (
	"strings"

	"github.com/wagateway/wagateway/internal/phone"
)

// FormatMessage is the validation message for a `to` that is neither form;
// it names both, so a client that meant a group sees what one looks like.
const FormatMessage = "Must be an international number (8 to 15 digits, no '+') " +
	"or a group id (digits, optionally '-' and more digits, then '@g.us', e.g. 120363025246125486@g.us)"

// GroupSuffix ends every group id: WhatsApp's group server.
const GroupSuffix = "@g.us"

// The group id's parts, as API.md gives its pattern
// ^[0-9]{5,20}(-[0-9]{5,15})?@g\.us$: the newer ids are one number, the
// older ones the creator's number, '-', and the creation time.
const (
	minGroupHead, maxGroupHead = 5, 20
	minGroupTail, maxGroupTail = 5, 15
)

// Recipient is a parsed `to`.
type Recipient struct {
	// Group is true for a group id, false for a phone number.
	Group bool
	// User is the part before the server: the phone number's digits, or
	// the group id without "@g.us" — what a WhatsApp JID's User is.
	User string
}

// Parse reads s as a phone number or a group id; false when it is
// neither. Nothing is normalised (see package phone): one recipient has
// one spelling.
func Parse(s string) (Recipient, bool) {
	if phone.Valid(s) {
		return Recipient{User: s}, true
	}
	if user, ok := strings.CutSuffix(s, GroupSuffix); ok && validGroupUser(user) {
		return Recipient{Group: true, User: user}, true
	}
	return Recipient{}, false
}

// Valid reports whether s is a phone number or a group id.
func Valid(s string) bool {
	_, ok := Parse(s)
	return ok
}

// IsGroup reports whether s is a well-formed group id.
func IsGroup(s string) bool {
	r, ok := Parse(s)
	return ok && r.Group
}

// validGroupUser checks the group id's part before "@g.us".
func validGroupUser(user string) bool {
	head, tail, dashed := strings.Cut(user, "-")
	if !digits(head, minGroupHead, maxGroupHead) {
		return false
	}
	return !dashed || digits(tail, minGroupTail, maxGroupTail)
}

// digits reports whether s is min to max ASCII digits.
func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
