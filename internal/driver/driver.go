// Package driver holds the values that cross the WhatsApp driver port: what
// the session host asks a driver to send, and what a driver reports back
// (QR codes, connection changes, inbound messages). The port itself is
// declared by the session host, its consumer; the drivers are `sandbox`
// (an in-memory phone network for trials and tests) and `whatsmeow` (real
// WhatsApp).
package driver

import (
	"errors"
	"time"

	"github.com/wagateway/wagateway/internal/message"
)

// Reason says why a connection ended, as instance.disconnected reports it.
type Reason string

// The reasons of API.md. ConnectionLost reconnects by itself (the host
// retries with backoff); the others need action: LoggedOut and Replaced
// need linking again or stop reconnect ping-pong, Banned pauses sending.
const (
	ConnectionLost Reason = "connection_lost"
	LoggedOut      Reason = "logged_out"
	Replaced       Reason = "replaced"
	Banned         Reason = "banned"
)

// Valid reports whether r is one of the known reasons.
func (r Reason) Valid() bool {
	switch r {
	case ConnectionLost, LoggedOut, Replaced, Banned:
		return true
	}
	return false
}

// Outbound is one message to send, with spintax already resolved and
// media already fetched.
type Outbound struct {
	MessageID   string // ours (UUID)
	WAMessageID string // the WhatsApp id derived from ours; the same on every retry
	To          string // phone number (digits only) or group id (…@g.us), as internal/chat parses it
	Type        message.Type
	Text        string // text messages
	Caption     string // image, document, video
	FileName    string // document
	MediaURL    string // where the media came from (for records and the sandbox log)
	Media       []byte // fetched media
	ContentType string // sniffed content type of Media
	Lane        string // for the sandbox log
	// The kinds whose content is more than text: set for their kind only,
	// as the client gave them (no spintax, nothing fetched).
	Location *message.LocationContent // location
	Contacts []message.ContactCard    // contact
	Poll     *message.PollContent     // poll
	// Mentions are the numbers a text or caption mentions; ViewOnce marks
	// an image or video the recipient can open once.
	Mentions []string
	ViewOnce bool
	// Quote is the message this one replies to (replyTo), nil if none.
	Quote *message.Quote
	// Reaction: the message reacted to (its WhatsApp id and sender, ""
	// for ours) and the emoji ("" removes it).
	Reaction *message.ReactionContent
}

// Device describes the linked phone.
type Device struct {
	Name     string // e.g. "iPhone 12"
	Platform string // e.g. "WHATSAPP"
}

// Events is how a driver reports to the session host. Calls may come from
// any goroutine; the host serializes what needs it.
type Events interface {
	// QR delivers a new QR code to show while linking; each replaces the
	// previous one.
	QR(instance, code string)
	// Connected: the instance is linked (to phone) and ready to send.
	Connected(instance, phone string)
	// Connecting: the QR was scanned or the code entered and the phone is
	// confirming, or a reconnect is under way.
	Connecting(instance string)
	// Disconnected: the connection ended for reason.
	Disconnected(instance string, reason Reason)
	// Received: an inbound message from someone else (never fromMe). The
	// driver acknowledges it to WhatsApp only if this returns nil.
	Received(instance string, in Inbound) error
}

// Errors a driver returns; the host maps them to message errors and HTTP
// statuses.
var (
	// ErrNotConnected: the instance has no open connection; the message
	// stays pending.
	ErrNotConnected = errors.New("not connected")
	// ErrNotLinked: the operation needs a linked device.
	ErrNotLinked = errors.New("not linked")
	// ErrNotLinking: there is no linking in progress to complete.
	ErrNotLinking = errors.New("not linking")
	// ErrAlreadyLinked: Link or PairingCode on an instance that has a
	// device; it has to be logged out first, as on a real phone.
	ErrAlreadyLinked = errors.New("already linked; log out first")
)

// SendError is a failed send that must not be retried: the message becomes
// failed with Reason as its error text (e.g. "number not on WhatsApp").
type SendError struct{ Reason string }

func (e *SendError) Error() string { return e.Reason }

// BanEvents is an optional extension of Events for drivers that learn when
// a temporary ban ends (WhatsApp says so when it refuses the connection).
// A host that implements it can pause the instance's lanes until then.
type BanEvents interface {
	// BannedUntil comes just before Disconnected(instance, Banned); until
	// is zero when WhatsApp did not say.
	BannedUntil(instance string, until time.Time)
}

// ReceiptStatus is how far a sent message got on the recipient's side.
type ReceiptStatus string

// The receipts a driver reports.
const (
	Delivered ReceiptStatus = "delivered"
	Read      ReceiptStatus = "read"
)

// Receipt says that messages this instance sent reached a recipient's
// phone or were read there. Messages are named by their WhatsApp ids
// (Outbound.WAMessageID).
type Receipt struct {
	WAMessageIDs []string
	Status       ReceiptStatus
	At           time.Time
}

// ReceiptEvents is an optional extension of Events for drivers that see
// delivery and read receipts. The driver acknowledges a receipt to
// WhatsApp only if Receipt returns nil, so WhatsApp sends it again later.
type ReceiptEvents interface {
	Receipt(instance string, r Receipt) error
}
