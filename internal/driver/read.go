package driver

import "time"

// ReadReceipt marks messages someone wrote to the instance as read by it
// (blue ticks on the writer's phone). The messages share a chat and a
// writer: WhatsApp takes one read receipt per chat and, in a group, per
// participant.
type ReadReceipt struct {
	// Chat is where the messages were written: the writer's phone number
	// in a direct chat, the group id (…@g.us) in a group, as
	// Inbound.Chat has it.
	Chat string
	// Sender is the phone number of who wrote them (Inbound.From). In a
	// group WhatsApp needs it to tell whose messages were read; in a
	// direct chat it is the chat itself.
	Sender       string
	WAMessageIDs []string // WhatsApp's ids (Inbound.MessageID)
	At           time.Time
}
