package events

// Connection is the data of instance.connected ({"state":"open","reason":null})
// and instance.disconnected ({"state":"close","reason":...}). Reason is a
// pointer because receivers branch on null ("we don't know why") versus a
// reason: logged_out, connection_lost, replaced or banned.
type Connection struct {
	State  string  `json:"state"`
	Reason *string `json:"reason"`
}

// Received is the data of message.received. Text and Caption are pointers
// because null is part of the contract: text is null for media, and media
// carry caption as a string or null. A conversation carries no caption key
// at all (API.md's sample), which is why Received has its own MarshalJSON.
type Received struct {
	From        string  `json:"from"`
	PushName    string  `json:"pushName"`
	MessageType string  `json:"messageType"`
	Text        *string `json:"text"`
	Caption     *string `json:"caption"`
	MessageID   string  `json:"messageId"`
	Timestamp   int64   `json:"timestamp"` // unix seconds, as WhatsApp stamps it
}

// conversation is the one messageType without media, hence without caption.
const conversation = "conversation"

// MarshalJSON writes caption for media and leaves it out for conversation.
// A conversation with a caption still gets one written, so that New's
// schema check reports the mistake instead of the caption vanishing.
func (r Received) MarshalJSON() ([]byte, error) {
	if r.MessageType == conversation && r.Caption == nil {
		return marshal(struct {
			From        string  `json:"from"`
			PushName    string  `json:"pushName"`
			MessageType string  `json:"messageType"`
			Text        *string `json:"text"`
			MessageID   string  `json:"messageId"`
			Timestamp   int64   `json:"timestamp"`
		}{r.From, r.PushName, r.MessageType, r.Text, r.MessageID, r.Timestamp})
	}
	type plain Received // without the method, or Marshal would recurse
	return marshal(plain(r))
}

// Sent is the data of message.sent, so tenants learn of a send without
// polling GET /message/{id}. SentAt has API.md's timestamp format.
type Sent struct {
	ID     string `json:"id"`
	To     string `json:"to"`
	Lane   string `json:"lane"`
	Type   string `json:"type"`
	SentAt string `json:"sentAt"`
}

// Failed is the data of message.failed: the message will not be sent, and
// Error is the same text GET /message/{id} reports.
type Failed struct {
	ID    string `json:"id"`
	To    string `json:"to"`
	Lane  string `json:"lane"`
	Type  string `json:"type"`
	Error string `json:"error"`
}
