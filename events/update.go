package events

// The data of the events that follow a message after it was sent or
// received: receipts of ours, and reactions, edits, deletions and votes by
// others. Timestamp fields are unix seconds as WhatsApp stamps them (like
// Received.Timestamp); ...At fields have API.md's timestamp format
// (FormatTime). ID is the gateway's id (a UUID) of one of our messages;
// MessageID is WhatsApp's.

// Delivered is the data of message.delivered: one of our messages reached
// the recipient's phone. To is the chat it was sent to, as in Sent.
type Delivered struct {
	ID          string `json:"id"`
	To          string `json:"to"`
	DeliveredAt string `json:"deliveredAt"`
}

// Read is the data of message.read: one of our messages was read.
type Read struct {
	ID     string `json:"id"`
	To     string `json:"to"`
	ReadAt string `json:"readAt"`
}

// Reaction is the data of message.reaction. MessageID is WhatsApp's id of
// the message reacted to; ID is ours when it is one of our messages and
// nil otherwise. Emoji is "" when the reaction was removed.
type Reaction struct {
	From      string  `json:"from"`
	Chat      string  `json:"chat"`
	MessageID string  `json:"messageId"`
	ID        *string `json:"id"`
	Emoji     string  `json:"emoji"`
	Timestamp int64   `json:"timestamp"`
}

// Edited is the data of message.edited: the sender replaced the text of
// message MessageID with Text.
type Edited struct {
	From      string `json:"from"`
	Chat      string `json:"chat"`
	MessageID string `json:"messageId"`
	Text      string `json:"text"`
	Timestamp int64  `json:"timestamp"`
}

// Revoked is the data of message.revoked: the sender deleted message
// MessageID for everyone.
type Revoked struct {
	From      string `json:"from"`
	Chat      string `json:"chat"`
	MessageID string `json:"messageId"`
	Timestamp int64  `json:"timestamp"`
}

// Vote is the data of poll.vote. MessageID is WhatsApp's id of the poll, ID
// ours when the poll is one of our messages (nil otherwise).
// SelectedOptions are the option texts the voter now has selected, empty
// when the vote was withdrawn; nil is written as [].
type Vote struct {
	From            string   `json:"from"`
	Chat            string   `json:"chat"`
	MessageID       string   `json:"messageId"`
	ID              *string  `json:"id"`
	SelectedOptions []string `json:"selectedOptions"`
	Timestamp       int64    `json:"timestamp"`
}

// MarshalJSON writes nil SelectedOptions as [].
func (v Vote) MarshalJSON() ([]byte, error) {
	type plain Vote // without the method, or Marshal would recurse
	v.SelectedOptions = orEmpty(v.SelectedOptions)
	return marshal(plain(v))
}
