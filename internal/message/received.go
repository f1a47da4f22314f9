package message

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// ReceivedRetention is how long a received message is kept by default
// (GATEWAY_MEDIA_RETENTION_DAYS sets it): long enough to quote it or
// react to it later, short enough that the store of other people's
// messages stays small.
const ReceivedRetention = 30 * 24 * time.Hour

// Received is what the gateway keeps of a message an instance received:
// what a reply quoting it, or a reaction to it, needs to name it and show
// it.
type Received struct {
	Instance    string
	WAMessageID string
	Chat        string // the chat it came in (the sender's phone for a direct chat)
	From        string // the sender's phone number
	Type        string // as message.received names it (conversation, imageMessage, ...)
	Text        string // its text, or its media's caption: what a quote shows
	ReceivedAt  time.Time
	// Expires is when the stores may forget it (the instance's media
	// retention); zero means ReceivedAt + ReceivedRetention.
	Expires time.Time
	// Payload is the data of its message.received event, as the webhook
	// carried it: what GET /instance/{name}/messages lists, and where a
	// vote finds the options of a received poll. Empty for messages kept
	// before it was.
	Payload []byte
}

// ExpiresAt is when the stores may forget r.
func (r Received) ExpiresAt() time.Time {
	if !r.Expires.IsZero() {
		return r.Expires
	}
	return r.ReceivedAt.Add(ReceivedRetention)
}

// Quote is the message a send replies to, resolved when the send is
// accepted, so that the host builds the quote without a lookup.
type Quote struct {
	// WAMessageID is the WhatsApp id of the quoted message.
	WAMessageID string `json:"waMessageId"`
	// From is the quoted message's sender; empty when it is one of ours
	// (the driver then names its own account).
	From string `json:"from,omitempty"`
	// Text is its text or caption, shown in the quote's preview.
	Text string `json:"text,omitempty"`
}

// WAMessageID derives the WhatsApp message id from ours, so a resend after
// a crash reuses the same id and WhatsApp drops the duplicate, and a
// reply can name a message of ours before looking it up.
func WAMessageID(messageID string) string {
	sum := sha256.Sum256([]byte(messageID))
	return "3EB0" + strings.ToUpper(hex.EncodeToString(sum[:9]))
}
