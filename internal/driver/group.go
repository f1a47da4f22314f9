package driver

import (
	"errors"
	"time"
)

// Role is a group member's rank, as API.md's participants list it.
type Role string

// The roles: a plain member has none.
const (
	Member     Role = ""
	Admin      Role = "admin"
	SuperAdmin Role = "superadmin" // the group's creator
)

// Participant is one member of a group, by phone number.
type Participant struct {
	Phone string
	Role  Role
}

// Group is a group chat as WhatsApp describes it to a member. ID is the
// group id as internal/chat parses it ("120363025246125486@g.us").
type Group struct {
	ID           string
	Subject      string
	Description  string
	Owner        string // the creator's phone number; "" when WhatsApp does not say
	CreatedAt    time.Time
	Announce     bool // only admins send
	Locked       bool // only admins edit the group's info
	Participants []Participant
}

// GroupChange is a change of a group's settings: nil fields stay as they
// are. Description "" clears it.
type GroupChange struct {
	Subject     *string
	Description *string
	Announce    *bool
	Locked      *bool
}

// ParticipantAction is what UpdateParticipants does to each number.
type ParticipantAction string

// The actions of API.md (and of group.participants).
const (
	Add     ParticipantAction = "add"
	Remove  ParticipantAction = "remove"
	Promote ParticipantAction = "promote"
	Demote  ParticipantAction = "demote"
)

// Valid reports whether a is one of the four actions.
func (a ParticipantAction) Valid() bool {
	switch a {
	case Add, Remove, Promote, Demote:
		return true
	}
	return false
}

// ParticipantStatus is the outcome of one number in UpdateParticipants.
type ParticipantStatus string

// The outcomes of API.md.
const (
	ParticipantOK      ParticipantStatus = "ok"
	NotOnWhatsApp      ParticipantStatus = "not_on_whatsapp"
	ParticipantRefused ParticipantStatus = "refused"
)

// ParticipantResult is one number's outcome, in the order asked. Error is
// WhatsApp's reason when Status is refused (e.g. "not a participant").
type ParticipantResult struct {
	Phone  string
	Status ParticipantStatus
	Error  string
}

// Errors of the group and contact operations, besides ErrNotConnected
// (the instance is not open) and *RefusedError.
var (
	// ErrNoGroup: the instance is not a member of the group (never was,
	// left, was removed, or the group does not exist); API.md's 404.
	ErrNoGroup = errors.New("not a member of the group")
	// ErrNoInvite: an invite link that is unknown or was revoked.
	ErrNoInvite = errors.New("invite link unknown or revoked")
)

// RefusedError is WhatsApp refusing an operation itself (not an admin, a
// subject too long): API.md's 409 with WhatsApp's reason. Reason is shown
// to the client: a driver puts only WhatsApp's words in it.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "refused by WhatsApp: " + e.Reason }

// GroupParticipants is a membership change in a group the instance is in,
// whoever made it (the instance included).
type GroupParticipants struct {
	Group        string // group id
	Action       ParticipantAction
	Participants []string // phone numbers
	By           string   // who did it, a phone number; "" when WhatsApp does not say
	At           time.Time
}

// GroupUpdate is a change of a group's subject, description or settings:
// the group's state after it.
type GroupUpdate struct {
	Group       string
	Subject     string
	Description string
	Announce    bool
	Locked      bool
	At          time.Time
}

// Call is an incoming call offer.
type Call struct {
	From   string // phone number
	CallID string
	Video  bool
	At     time.Time
}

// GroupEvents is an optional extension of Events for drivers that see
// group changes and calls. The driver acknowledges a notification to
// WhatsApp only if the method returns nil. Call returns whether the host
// wants the call rejected; the driver then rejects it at once.
type GroupEvents interface {
	GroupParticipants(instance string, g GroupParticipants) error
	GroupUpdated(instance string, g GroupUpdate) error
	Call(instance string, c Call) (reject bool, err error)
}

// Contact is what WhatsApp tells about a phone number. Name, About and
// PictureURL are "" when WhatsApp tells nothing (not on WhatsApp, hidden
// by privacy settings, none set).
type Contact struct {
	Phone      string
	OnWhatsApp bool
	Name       string // the business's verified name, or the contact's push name when the driver knows it
	About      string
	PictureURL string
}

// GroupSummary is one group of GET /instance/{name}/groups: its size, and
// whether the instance is one of its admins.
type GroupSummary struct {
	ID           string
	Subject      string
	Participants int
	IsAdmin      bool
}

// Summary describes g for the member with phone number self.
func (g Group) Summary(self string) GroupSummary {
	s := GroupSummary{ID: g.ID, Subject: g.Subject, Participants: len(g.Participants)}
	for _, p := range g.Participants {
		if p.Phone == self && p.Role != Member {
			s.IsAdmin = true
		}
	}
	return s
}
