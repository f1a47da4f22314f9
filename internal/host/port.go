package host

import (
	"context"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/queue"
)

// Driver is the WhatsApp driver port: one connection per instance. The
// conformance suite in internal/driver/drivertest holds every driver to it.
type Driver interface {
	Link(ctx context.Context, instance string) error
	PairingCode(ctx context.Context, instance, phone string) (string, error)
	Connect(ctx context.Context, instance, phone string) error
	Disconnect(instance string)
	Logout(ctx context.Context, instance string) error
	Send(ctx context.Context, instance string, out driver.Outbound) error
	// Edit and Revoke change a message sent earlier; they fail like Send.
	Edit(ctx context.Context, instance string, e driver.Edit) error
	Revoke(ctx context.Context, instance string, r driver.Revoke) error
	Device(ctx context.Context, instance string) (driver.Device, error)
	// Presence shows state in the chat with to (typing simulation). It is
	// best effort: the host never waits on it to send.
	Presence(ctx context.Context, instance, to string, state driver.ChatPresence) error
	// MarkRead sends a read receipt for messages the instance received in
	// one chat from one writer; ErrNotConnected if the instance is not
	// open.
	MarkRead(ctx context.Context, instance string, r driver.ReadReceipt) error
	GroupDriver
}

// Store is what the host reads and writes of the gateway's state.
type Store interface {
	GetInstance(ctx context.Context, name string) (instance.Instance, error)
	// SetConnection, MarkSent and MarkFailed store ev (if not nil) in the
	// same transaction as the change; AddEvent stores an event alone.
	SetConnection(ctx context.Context, name string, st instance.State, phone string, connectedAt time.Time, ev *outbox.Event) error
	ListLinked(ctx context.Context) ([]instance.Instance, error)
	GetMessage(ctx context.Context, id string) (message.Message, error)
	// MarkSent also records waID, the message's WhatsApp id, so that
	// RecordReceipt finds the message by it.
	MarkSent(ctx context.Context, id, waID string, at time.Time, ev *outbox.Event) (bool, error)
	MarkFailed(ctx context.Context, id, reason string, at time.Time, ev *outbox.Event) (bool, error)
	// ClaimSend takes the send claim of message id until until
	// (message.SendClaim) if, in the same conditional write, the message
	// is still pending; false if it is not. ReleaseSend ends the claim of
	// a message that stays pending (the send did not happen).
	ClaimSend(ctx context.Context, id string, until time.Time) (bool, error)
	ReleaseSend(ctx context.Context, id string) error
	// MarkEdited records that an edit of sent message id went out at at,
	// with the content the message has from then on; MarkRevoked that its
	// deletion for everyone did.
	MarkEdited(ctx context.Context, id string, c message.Content, at time.Time) error
	MarkRevoked(ctx context.Context, id string, at time.Time) error
	AddEvent(ctx context.Context, ev outbox.Event) error
	// SentByWAID returns the message instance sent with WhatsApp id waID
	// (MarkSent recorded it); fault.ErrNotFound for any other id.
	SentByWAID(ctx context.Context, instance, waID string) (message.Message, error)
	// AddReceived keeps r (for message.ReceivedRetention) with its
	// message.received event ev, in one transaction; a message received
	// again replaces the one kept.
	AddReceived(ctx context.Context, r message.Received, ev outbox.Event) error
	// GetReceived returns a message kept by AddReceived, fault.ErrNotFound
	// once it expired (at now) or when there is none.
	GetReceived(ctx context.Context, instance, waID string, now time.Time) (message.Received, error)
	SentSince(ctx context.Context, name string, since time.Time) (map[lane.Lane][]time.Time, error)
	// RecordReceipt records that the messages instance sent with the
	// WhatsApp ids waIDs were delivered or read at at, and reports how many
	// messages changed. It is idempotent: each time only ever moves to an
	// earlier one (a duplicate changes nothing), a read also sets a missing
	// delivery time, and ids unknown for this instance are ignored. For
	// each message it changes, it writes the events events returns for the
	// message as it was before (nil: none) in the same transaction.
	RecordReceipt(ctx context.Context, instance string, waIDs []string, status driver.ReceiptStatus, at time.Time,
		events func(before message.Message) []outbox.Event) (int, error)
}

// Receiver is the consumer side of a lane queue.
type Receiver interface {
	Receive(ctx context.Context, max int, visibility, wait time.Duration) ([]queue.Delivery, error)
	ChangeVisibility(ctx context.Context, receipt string, visibility time.Duration) error
	Delete(ctx context.Context, receipt string) error
}

// Fetcher downloads a message's media at send time.
type Fetcher interface {
	Fetch(ctx context.Context, t message.Type, rawURL string) (media.Media, error)
}

// GroupDriver is the driver's side of the group and contact routes, on
// the instance's live connection. Every method fails with
// driver.ErrNotConnected when the instance is not open, driver.ErrNoGroup
// for a group the instance is not in, *driver.RefusedError when WhatsApp
// refuses the operation itself, and any other error for a session
// failure (502).
type GroupDriver interface {
	// Groups lists the groups the instance is in.
	Groups(ctx context.Context, instance string) ([]driver.Group, error)
	// CreateGroup creates a group with the instance as its superadmin and
	// the participants WhatsApp accepts (numbers not on WhatsApp are left
	// out); it returns the group as created.
	CreateGroup(ctx context.Context, instance, subject string, participants []string) (driver.Group, error)
	Group(ctx context.Context, instance, id string) (driver.Group, error)
	// UpdateGroup applies the fields c sets, in the order subject,
	// description, announce, locked, stopping at the first refusal.
	UpdateGroup(ctx context.Context, instance, id string, c driver.GroupChange) error
	// UpdateParticipants answers one result per number, in the order
	// asked; a refusal of the whole operation (not an admin) is a
	// *driver.RefusedError.
	UpdateParticipants(ctx context.Context, instance, id string, a driver.ParticipantAction, phones []string) ([]driver.ParticipantResult, error)
	// InviteLink returns the group's invite link
	// (https://chat.whatsapp.com/<code>); reset revokes the current one
	// and returns the new one.
	InviteLink(ctx context.Context, instance, id string, reset bool) (string, error)
	// JoinGroup joins by invite link and returns the group id;
	// driver.ErrNoInvite for a link unknown or revoked.
	JoinGroup(ctx context.Context, instance, link string) (string, error)
	LeaveGroup(ctx context.Context, instance, id string) error
	// CheckContacts says for each number, in the order asked, whether it
	// is on WhatsApp.
	CheckContacts(ctx context.Context, instance string, phones []string) ([]bool, error)
	// Contact describes a number; a number not on WhatsApp is not an
	// error (OnWhatsApp false).
	Contact(ctx context.Context, instance, phone string) (driver.Contact, error)
	// Block blocks (block true) or unblocks a number.
	Block(ctx context.Context, instance, phone string, block bool) error
}
