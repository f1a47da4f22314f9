package gateway

import (
	"context"
	"time"

	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/tenant"
)

// TenantStore keeps tenants and their hashed API keys.
type TenantStore interface {
	// CreateTenant fails with fault.ErrConflict if the id is taken.
	CreateTenant(ctx context.Context, t tenant.Tenant) error
	// CreateKey fails with fault.ErrNotFound if the tenant does not exist.
	CreateKey(ctx context.Context, k tenant.Key) error
	// GetKey fails with fault.ErrNotFound for an unknown key id.
	GetKey(ctx context.Context, keyID string) (tenant.Key, error)
	// DeleteKey fails with fault.ErrNotFound unless tenantID owns keyID.
	DeleteKey(ctx context.Context, tenantID, keyID string) error
}

// InstanceStore keeps instances.
type InstanceStore interface {
	// CreateInstance fails with fault.ErrConflict if the name is taken and
	// fault.ErrNotFound if its tenant does not exist.
	CreateInstance(ctx context.Context, in instance.Instance) error
	// GetInstance fails with fault.ErrNotFound.
	GetInstance(ctx context.Context, name string) (instance.Instance, error)
	// ListInstances returns a tenant's instances by name; clientID "" means all.
	ListInstances(ctx context.Context, tenantID, clientID string) ([]instance.Instance, error)
	// UpdateWebhook replaces the webhook's target, secret and event
	// filter, in one write; events nil removes the filter (every event),
	// an empty non-nil one keeps it distinct (no event). It fails with
	// fault.ErrNotFound.
	UpdateWebhook(ctx context.Context, name, url, secret string, events []string) error
	// UpdateSettings sets the fields p sets, leaving the others as they
	// are, in one write; it fails with fault.ErrNotFound.
	UpdateSettings(ctx context.Context, name string, p instance.SettingsPatch) error
	// DeleteInstance removes the instance and fails its pending messages
	// with message.ErrorInstanceDeleted, in one step; it reports how many.
	DeleteInstance(ctx context.Context, name string, at time.Time) (int, error)
}

// Idempotency is the remembered first answer to a send with an
// Idempotency-Key, kept per tenant until ExpiresAt.
type Idempotency struct {
	TenantID  string
	Key       string
	Status    int
	Body      []byte
	ExpiresAt time.Time
}

// MessageStore keeps messages and idempotency records.
type MessageStore interface {
	// CreateMessage stores m as pending. With idem non-nil it also stores
	// the idempotency record in the same transaction, and fails with
	// ErrIdempotencyReplay if an unexpired record for that key exists. It
	// fails with fault.ErrNotFound if m's instance does not exist.
	CreateMessage(ctx context.Context, m message.Message, idem *Idempotency) error
	// GetIdempotency returns the unexpired record for key, or ok=false.
	GetIdempotency(ctx context.Context, tenantID, key string, now time.Time) (rec Idempotency, ok bool, err error)
	// GetMessage fails with fault.ErrNotFound.
	GetMessage(ctx context.Context, id string) (message.Message, error)
	// AbandonMessage marks a pending message failed with reason and drops
	// its idempotency record (if idemKey is not empty), so the client may
	// retry with the same key.
	AbandonMessage(ctx context.Context, id, reason string, at time.Time, tenantID, idemKey string) error
	// FlushPending fails every pending message of an instance with
	// message.ErrorFlushed and reports how many. event, if not nil, builds
	// the event of each flushed message, stored in the same transaction.
	FlushPending(ctx context.Context, instanceName string, at time.Time, event func(message.Message) *outbox.Event) (int, error)
	// ReplacePending replaces the content of message id while it is
	// message.Withdrawable at at, in that conditional write; false if it
	// is not (sent, failed, claimed by a send, or gone).
	ReplacePending(ctx context.Context, id string, c message.Content, at time.Time) (bool, error)
	// CancelPending fails message id with message.ErrorCancelled, with
	// its event ev (if not nil), under the same condition as
	// ReplacePending; false, writing nothing, if it does not hold.
	CancelPending(ctx context.Context, id string, at time.Time, ev *outbox.Event) (bool, error)
	// PendingByLane counts an instance's pending messages per lane.
	PendingByLane(ctx context.Context, instanceName string) (map[lane.Lane]int, error)
	// TenantStats returns per-instance message counts for a tenant's
	// existing instances, ordered by instance name.
	TenantStats(ctx context.Context, tenantID string) ([]InstanceStats, error)
	// Totals counts tenants, instances and pending messages of the whole
	// gateway.
	Totals(ctx context.Context) (Totals, error)
	// GetReceived returns the message instance received with WhatsApp id
	// waID (host.Store's AddReceived kept it), fault.ErrNotFound if there
	// is none or it expired before now.
	GetReceived(ctx context.Context, instance, waID string, now time.Time) (message.Received, error)
}

// Store is the whole state port; each adapter implements all of it and
// runs the conformance suite in storetest.
type Store interface {
	TenantStore
	InstanceStore
	MessageStore
	DeliveryStore
	MessageLister
	NumberCheckStore
}

// AtomicEnqueuer is an optional capability of a Store: storing a message
// (with its idempotency record) and putting body on the message's lane
// queue in one transaction. The local SQLite store has it; where it is
// missing (DynamoDB + SQS) the service stores, then enqueues, and fails the
// message if the enqueue fails.
type AtomicEnqueuer interface {
	CreateAndEnqueue(ctx context.Context, m message.Message, idem *Idempotency, body []byte) error
}

// Enqueuer puts a stored message on its lane queue. group is the instance
// (FIFO per instance), dedupID the message id.
type Enqueuer interface {
	Send(ctx context.Context, groupID, dedupID string, body []byte) error
}

// Scheduler estimates when an instance could send a new message on a
// lane; the session host implements it. Without one, POST /message/send
// picks the open instance with the fewest pending messages.
type Scheduler interface {
	NextSendAt(ctx context.Context, instance string, l lane.Lane) (time.Time, error)
}

// InstanceStats are the counts GET /stats reports for one instance.
type InstanceStats struct {
	InstanceName string
	Pending      map[lane.Lane]int
	Sent         int
	Failed       int
}

// Totals are the whole gateway's counts for GET /health.
type Totals struct {
	Tenants   int
	Instances int
	Pending   int
}
