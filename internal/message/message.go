// Package message describes an outbound message: its kind (kind.go, and
// one file per kind), the content each kind carries, and its status
// through the send path.
package message

import (
	"time"

	"github.com/wagateway/wagateway/internal/lane"
)

// Status is where a message is on the send path.
type Status string

// pending → sent, or pending → failed (with Error).
const (
	Pending Status = "pending"
	Sent    Status = "sent"
	Failed  Status = "failed"
)

// SendClaim is how long a send claim lasts. A host claims a pending
// message just before it hands it to WhatsApp, in the same conditional
// write that checks it is still pending; while the claim lasts the message
// cannot be withdrawn (flushed, cancelled, failed with its deleted
// instance), and once the host ends it (sent, failed, or released because
// the send did not happen) it can. So a withdrawal either comes before the
// claim, and the send never happens, or it leaves the message to its send:
// "is it still pending?" and "send it" are one decision. A host bounds its
// hand-over to WhatsApp well inside the claim (SendDeadline); a claim left
// by a host that died runs out by itself.
const SendClaim = 2 * time.Minute

// SendDeadline bounds one hand-over to WhatsApp under a claim, with a margin
// for the outcome to be recorded before the claim runs out.
const SendDeadline = SendClaim - 20*time.Second

// Withdrawable reports whether m may be withdrawn at now: pending and not
// claimed by a send. Every store applies this same condition in its
// conditional writes (flush, cancel, instance deletion).
func (m Message) Withdrawable(now time.Time) bool {
	return m.Status == Pending && !m.SendingUntil.After(now)
}

// Reasons a pending message is failed without being sent.
const (
	ErrorFlushed         = "flushed"
	ErrorInstanceDeleted = "instance deleted"
	ErrorNotQueued       = "not queued"
)

// Message is one message a tenant asked to send.
type Message struct {
	ID        string
	Tenant    string
	Instance  string
	Lane      lane.Lane
	To        string
	Type      Type
	Content   Content
	Status    Status
	Error     string
	CreatedAt time.Time
	SentAt    time.Time // zero unless sent
	// DeliveredAt and ReadAt come from the recipient's receipts (zero
	// until one arrives). They add to status sent rather than replace it,
	// so clients that know only pending, sent and failed keep working.
	DeliveredAt time.Time
	ReadAt      time.Time
	// EditedAt and RevokedAt are when the last edit, and the deletion for
	// everyone, of the sent message went out (zero until then).
	EditedAt  time.Time
	RevokedAt time.Time
	// SendingUntil is the end of the send claim while a host is handing
	// the message to WhatsApp (see SendClaim); zero when none.
	SendingUntil time.Time
}
