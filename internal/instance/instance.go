package instance

import "time"

// State is the connection state of an instance as the API reports it.
type State string

// The states of API.md: close (not linked), connecting (linking or
// reconnecting), open (ready to send).
const (
	StateClose      State = "close"
	StateConnecting State = "connecting"
	StateOpen       State = "open"
)

// Instance is one WhatsApp number slot of a tenant.
type Instance struct {
	Name          Name
	WebhookURL    string
	WebhookSecret string
	// WebhookEvents is the webhook's event filter: the event names it
	// takes; nil takes every event (on AWS every event still reaches the
	// bus).
	WebhookEvents []string
	State         State
	PhoneNumber   string    // empty until linked
	ConnectedAt   time.Time // zero until first connected
	CreatedAt     time.Time
	Settings      Settings
	// Shard is the shard the instance was assigned to at creation (the
	// least loaded): its messages and commands go to that shard's queues
	// and only that shard's session hosts connect it. Always 0 locally
	// (one process, one shard).
	Shard int
}
