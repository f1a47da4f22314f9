package driver

import (
	"context"
	"io"
	"time"

	"github.com/wagateway/wagateway/internal/message"
)

// Inbound is a message received by a linked number, from someone else.
// Every field but the first seven may be empty: what a kind does not have.
type Inbound struct {
	MessageID   string // WhatsApp's id
	From        string // phone number, digits only, even when WhatsApp used a LID
	PushName    string
	MessageType string // API.md's messageType: conversation, imageMessage, stickerMessage, ...
	Text        string // conversation only
	Caption     string // image, document, video only
	Timestamp   time.Time

	// Chat is where it was written: From in a direct chat, the group id
	// (…@g.us) in a group, where From is the participant who wrote.
	Chat     string
	IsGroup  bool
	Quoted   *InboundQuote // the message it replies to, nil if none
	Mentions []string      // phone numbers mentioned
	Media    *InboundMedia // media kinds and stickers
	Location *message.LocationContent
	Contacts []InboundContact
	Poll     *InboundPoll
}

// InboundQuote names the message an inbound one replies to. From is its
// sender's phone number as WhatsApp gave it ("" when it did not).
type InboundQuote struct {
	MessageID string
	From      string
}

// InboundMedia is the media of an inbound message as WhatsApp described
// it, and the way to get its bytes. The host downloads it once, into the
// media store, before acknowledging the message.
type InboundMedia struct {
	Mimetype string
	FileName string // the name WhatsApp carried (documents), else ""
	Size     int64  // as WhatsApp declared it; 0 when unknown
	// Open downloads and decrypts the media and returns it to read once;
	// the caller closes it. Media can be 100 MB or more: an implementation
	// streams it (a verified temporary file, say), never holds it whole.
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// InboundContact is one contact card of a received contactMessage.
type InboundContact struct {
	FullName     string
	PhoneNumbers []string
}

// InboundPoll is a received poll.
type InboundPoll struct {
	Question        string
	Options         []string
	SelectableCount int
}

// UpdateKind is what someone else did to a message.
type UpdateKind string

// The updates of API.md's new events.
const (
	Reacted UpdateKind = "reaction" // message.reaction
	Edited  UpdateKind = "edit"     // message.edited
	Revoked UpdateKind = "revoke"   // message.revoked
	Voted   UpdateKind = "vote"     // poll.vote
)

// Update is a reaction, an edit, a deletion for everyone or a poll vote
// someone else made. MessageID is the WhatsApp id of the message it
// concerns (reacted to, edited, deleted, the poll voted in).
type Update struct {
	Kind      UpdateKind
	From      string // phone number of who did it
	Chat      string // as Inbound.Chat
	IsGroup   bool
	MessageID string
	Emoji     string // Reacted: "" when a reaction was removed
	Text      string // Edited: the new text or caption
	// Voted: the options chosen, as names when the driver could decrypt
	// them against the poll, else as their SHA-256 hashes (OptionHashes)
	// for the host to match against the poll it knows.
	SelectedOptions []string
	OptionHashes    [][]byte
	Timestamp       time.Time
}

// UpdateEvents is an optional extension of Events for drivers that see
// reactions, edits, deletions and votes. The driver acknowledges the
// update to WhatsApp only if Updated returns nil.
type UpdateEvents interface {
	Updated(instance string, u Update) error
}
