package command

import (
	"context"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/httpapi"
	"github.com/wagateway/wagateway/internal/queue"
)

// Sender writes to the command queue (the SQS adapter on AWS): FIFO within
// groupID, a repeated dedupID within five minutes dropped.
type Sender interface {
	Send(ctx context.Context, groupID, dedupID string, body []byte) error
}

// Receiver reads the command queue; the contract is queuetest's.
type Receiver interface {
	Receive(ctx context.Context, max int, visibility, wait time.Duration) ([]queue.Delivery, error)
	Delete(ctx context.Context, receipt string) error
}

// ResultReader reads a command's encoded Result; ok is false while there
// is none (yet). commandtest.RunResults is its conformance suite.
type ResultReader interface {
	GetCommandResult(ctx context.Context, id string) (result []byte, ok bool, err error)
}

// ResultWriter stores a command's encoded Result. expires is when it may
// be removed (a TTL); nobody reads a result that old, so readers do not
// rely on it being gone.
type ResultWriter interface {
	PutCommandResult(ctx context.Context, id string, result []byte, expires time.Time) error
}

// ResultStore is the result store as the worker uses it: it writes
// results, and reads them to skip a redelivered command already answered.
type ResultStore interface {
	ResultReader
	ResultWriter
}

// Executor runs commands: the session host (*host.Host). Its methods are
// httpapi.Sessions'.
type Executor interface {
	LinkQR(ctx context.Context, name string) (string, error)
	PairingCode(ctx context.Context, name, phone string) (string, error)
	Device(ctx context.Context, name string) (driver.Device, error)
	Logout(ctx context.Context, name string) error
	Restart(ctx context.Context, name string) error
	Forget(ctx context.Context, name string)
	SettingsChanged(ctx context.Context, name string)
	MarkRead(ctx context.Context, name string, waIDs []string) error
	// The group and contact operations (group.go).
	httpapi.GroupSessions
}
