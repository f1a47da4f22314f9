package driver

import "time"

// ChatPresence is what a chat shows of the instance while it prepares a
// message (API.md "Instance settings", typingSimulation).
type ChatPresence string

// The chat presences: "typing…", "recording audio…", and back to nothing.
const (
	Composing ChatPresence = "composing"
	Recording ChatPresence = "recording"
	Paused    ChatPresence = "paused"
)

// Presence is one chat presence an instance showed, as the phone side
// (the sandbox, the fake WhatsApp server) records it.
type Presence struct {
	To    string // phone number, digits only
	State ChatPresence
	At    time.Time
}
