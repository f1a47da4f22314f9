package events

// Connection is the data of instance.connected ({"state":"open","reason":null})
// and instance.disconnected ({"state":"close","reason":...}). Reason is a
// pointer because receivers branch on null ("we don't know why") versus a
// reason: logged_out, connection_lost, replaced or banned.
type Connection struct {
	State  string  `json:"state"`
	Reason *string `json:"reason"`
}

// Received is the data of message.received. Pointers and slices carry the
// contract's null and []: text is null except for conversation, media carry
// caption as a string or null, and every field that does not apply to a
// message is null (Participant, Quoted, Media, Location, Poll) or []
// (Mentions, Contacts; nil is written as []). Received has its own
// MarshalJSON because the caption key is present for media only (API.md's
// sample of a conversation has none) and because nil slices must not come
// out as null.
type Received struct {
	From        string  `json:"from"` // the sender's phone number, also in a group
	PushName    string  `json:"pushName"`
	MessageType string  `json:"messageType"`
	Text        *string `json:"text"`
	Caption     *string `json:"caption"`
	MessageID   string  `json:"messageId"`
	Timestamp   int64   `json:"timestamp"` // unix seconds, as WhatsApp stamps it

	// Chat is where it was written: the sender's number in a direct chat,
	// the group id (…@g.us) in a group. Left empty in a direct chat
	// (IsGroup false) it is written as From, which it is by definition, so
	// producers that only see direct chats need not repeat it.
	Chat    string `json:"chat"`
	IsGroup bool   `json:"isGroup"`
	// Participant is the sender's number in a group (then equal to From),
	// nil in a direct chat.
	Participant *string   `json:"participant"`
	Quoted      *Quoted   `json:"quoted"`   // the message it replies to, nil if none
	Mentions    []string  `json:"mentions"` // phone numbers mentioned
	Media       *Media    `json:"media"`    // set for the media messageTypes, nil otherwise
	Location    *Location `json:"location"` // set for locationMessage, nil otherwise
	Contacts    []Contact `json:"contacts"` // set for contactMessage, empty otherwise
	Poll        *Poll     `json:"poll"`     // set for pollCreationMessage, nil otherwise
}

// Quoted names the message a received message replies to. From is nil when
// the gateway does not know the quoted message (older than its store of
// received messages, or never seen by this instance).
type Quoted struct {
	MessageID string  `json:"messageId"` // WhatsApp's id
	From      *string `json:"from"`
}

// Media is the file of a received media message, as the gateway stored it.
// When the download or storage failed, Error says why and URL, Size and
// SHA256 are nil: they describe the stored copy, and there is none. Error
// is omitted (not written) otherwise, so receivers test for its presence.
// Mimetype and FileName are WhatsApp's, so they are there either way.
type Media struct {
	URL      *string `json:"url"`      // where to fetch the file
	Mimetype string  `json:"mimetype"` // as WhatsApp declared it
	FileName *string `json:"fileName"` // documents only, when WhatsApp carried one
	Size     *int64  `json:"size"`     // bytes of the stored file
	SHA256   *string `json:"sha256"`   // lowercase hex of the stored file
	Error    string  `json:"error,omitempty"`
}

// Location is the place of a locationMessage; Name and Address are nil
// when the sender's client sent none (a pin dropped on a map).
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      *string `json:"name"`
	Address   *string `json:"address"`
}

// Contact is one card of a contactMessage. PhoneNumbers are as the vCard
// writes them (they need not be international); nil is written as [].
type Contact struct {
	FullName     string   `json:"fullName"`
	PhoneNumbers []string `json:"phoneNumbers"`
}

// MarshalJSON writes nil PhoneNumbers as [], as the contract says.
func (c Contact) MarshalJSON() ([]byte, error) {
	type plain Contact // without the method, or Marshal would recurse
	c.PhoneNumbers = orEmpty(c.PhoneNumbers)
	return marshal(plain(c))
}

// Poll is the poll of a pollCreationMessage. SelectableCount is how
// many options a voter may pick, 0 meaning any number (WhatsApp's
// convention). Nil Options are written as [].
type Poll struct {
	Question        string   `json:"question"`
	Options         []string `json:"options"`
	SelectableCount int      `json:"selectableCount"`
}

// MarshalJSON writes nil Options as [].
func (p Poll) MarshalJSON() ([]byte, error) {
	type plain Poll
	p.Options = orEmpty(p.Options)
	return marshal(plain(p))
}

// withCaption are the messageTypes that carry a caption key (string or
// null): the media. A sticker cannot have a caption on WhatsApp, but it is
// media (Media is set), so it carries the key like the others, always null.
var withCaption = map[string]bool{
	"imageMessage": true, "documentMessage": true, "audioMessage": true,
	"videoMessage": true, "stickerMessage": true,
}

// receivedJSON is Received on the wire. Caption is a double pointer so
// that omitempty drops the key (outer nil) while a present key may still be
// null (inner nil).
type receivedJSON struct {
	From        string    `json:"from"`
	PushName    string    `json:"pushName"`
	MessageType string    `json:"messageType"`
	Text        *string   `json:"text"`
	Caption     **string  `json:"caption,omitempty"`
	MessageID   string    `json:"messageId"`
	Timestamp   int64     `json:"timestamp"`
	Chat        string    `json:"chat"`
	IsGroup     bool      `json:"isGroup"`
	Participant *string   `json:"participant"`
	Quoted      *Quoted   `json:"quoted"`
	Mentions    []string  `json:"mentions"`
	Media       *Media    `json:"media"`
	Location    *Location `json:"location"`
	Contacts    []Contact `json:"contacts"`
	Poll        *Poll     `json:"poll"`
}

// MarshalJSON writes caption for the media messageTypes and leaves it out
// for the others. A caption set on another type is still written, so that
// New's schema check reports the mistake instead of the caption vanishing.
// An empty Chat of a direct chat is written as From (see Chat); a group's
// stays empty, for the schema to refuse.
func (r Received) MarshalJSON() ([]byte, error) {
	w := receivedJSON{
		From: r.From, PushName: r.PushName, MessageType: r.MessageType, Text: r.Text,
		MessageID: r.MessageID, Timestamp: r.Timestamp, Chat: r.Chat, IsGroup: r.IsGroup,
		Participant: r.Participant, Quoted: r.Quoted, Mentions: orEmpty(r.Mentions), Media: r.Media,
		Location: r.Location, Contacts: orEmpty(r.Contacts), Poll: r.Poll,
	}
	if withCaption[r.MessageType] || r.Caption != nil {
		w.Caption = &r.Caption
	}
	if w.Chat == "" && !r.IsGroup {
		w.Chat = r.From
	}
	return marshal(w)
}

// orEmpty turns nil into an empty slice: the contract's [] is never null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
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
