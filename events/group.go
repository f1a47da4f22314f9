package events

// The data of the events about groups and calls. These are what WhatsApp
// tells a member, not something the gateway keeps: they go out for every
// change, whoever made it, the instance included.

// Membership is the data of group.participants: Action was done to
// Participants in Group. By is the phone number of who did it, nil when
// WhatsApp does not say (a receiver must not read nil as "the instance").
// Participants is never empty; nil is written as [] so that New's schema
// check names the mistake instead of a null.
type Membership struct {
	Group        string   `json:"group"`
	Action       string   `json:"action"` // add, remove, promote or demote
	Participants []string `json:"participants"`
	By           *string  `json:"by"`
}

// MarshalJSON writes nil Participants as [].
func (m Membership) MarshalJSON() ([]byte, error) {
	type plain Membership // without the method, or Marshal would recurse
	m.Participants = orEmpty(m.Participants)
	return marshal(plain(m))
}

// GroupInfo is the data of group.updated: the group's state after the
// change, whole, so a receiver need not know what it was before.
// Description is "" when the group has none. Announce: only admins send;
// Locked: only admins edit the group's info.
type GroupInfo struct {
	Group       string `json:"group"`
	Subject     string `json:"subject"`
	Description string `json:"description"`
	Announce    bool   `json:"announce"`
	Locked      bool   `json:"locked"`
}

// Call is the data of call.received: From called the instance. CallID is
// WhatsApp's id of the call; Rejected says whether the gateway rejected it
// (the instance's rejectCalls setting), so the event goes out either way.
type Call struct {
	From     string `json:"from"`
	CallID   string `json:"callId"`
	Video    bool   `json:"video"`
	Rejected bool   `json:"rejected"`
}
