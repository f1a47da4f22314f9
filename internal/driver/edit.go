package driver

import "github.com/wagateway/wagateway/internal/message"

// Edit replaces the text or caption of a message already sent, for
// everyone in its chat. Its spintax is resolved.
type Edit struct {
	MessageID   string       // ours, of the message edited
	WAMessageID string       // the edit's own WhatsApp id; the same on every retry
	TargetWAID  string       // the WhatsApp id of the message edited
	To          string       // its chat
	Type        message.Type // its kind: which field the edit replaces
	Text        string       // the new text, or caption (message.EditField)
}

// Revoke deletes a message already sent for everyone in its chat.
type Revoke struct {
	MessageID   string // ours, of the message deleted
	WAMessageID string // the deletion's own WhatsApp id; the same on every retry
	TargetWAID  string // the WhatsApp id of the message deleted
	To          string // its chat
}
