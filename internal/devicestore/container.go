// Package devicestore keeps whatsmeow's device data — keys, Signal
// sessions, prekeys, app state, contacts and the rest — in DynamoDB, for
// session hosts that run without a local disk. It implements every store
// interface of the pinned whatsmeow version with the semantics of
// whatsmeow's own SQL store (sqlstore), which the gateway uses locally; the
// conformance suite in devicestoretest holds both to the same cases.
//
// Where SQL transactions span many rows, this store writes in atomic
// chunks of up to 100 items (each item, and each pair of items that must
// change together, is always atomic); see the method comments.
package devicestore

import (
	"context"
	"errors"
	"fmt"
	mathRand "math/rand/v2"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.mau.fi/util/random"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"
	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/wagateway/wagateway/internal/clock"
)

// ErrDeviceIDMustBeSet is returned when saving or deleting a device whose
// JID is not known yet (before pairing), like sqlstore's error of the same
// name.
var ErrDeviceIDMustBeSet = errors.New("device JID must be known before accessing database")

// Container holds the devices of one DynamoDB table, like sqlstore's
// Container holds those of one database.
type Container struct {
	db     fencedDB // every write checked against its device's fence (fence.go)
	table  string
	log    waLog.Logger
	clock  clock.Clock
	lids   *lidMap
	fences *fences // nil: no fence is checked (WithFences)
}

var _ store.DeviceContainer = (*Container)(nil)

// Option configures a Container.
type Option func(*Container)

// WithClock sets the clock used for insert times, expiry and retry
// backoff (default: the wall clock).
func WithClock(c clock.Clock) Option { return func(ct *Container) { ct.clock = c } }

// New returns a Container on table, which CreateTable (or the
// infrastructure code) made. log may be nil.
func New(client *dynamodb.Client, table string, log waLog.Logger, opts ...Option) *Container {
	if log == nil {
		log = waLog.Noop
	}
	c := &Container{table: table, log: log, clock: clock.Real{}}
	c.db = fencedDB{Client: client, c: c}
	for _, o := range opts {
		o(c)
	}
	c.lids = newLIDMap(c)
	return c
}

// NewDevice makes a new device with fresh keys. Nothing is stored until it
// is saved, which pairing does.
func (c *Container) NewDevice() *store.Device {
	device := &store.Device{
		Log:            c.log,
		Container:      c,
		NoiseKey:       keys.NewKeyPair(),
		IdentityKey:    keys.NewKeyPair(),
		RegistrationID: mathRand.Uint32(),
		AdvSecretKey:   random.Bytes(32),
	}
	device.SignedPreKey = device.IdentityKey.CreateSignedPreKey(1)
	return device
}

// GetDevice loads the device with the given (AD) JID, or returns nil
// without error when there is none.
func (c *Container) GetDevice(ctx context.Context, jid types.JID) (*store.Device, error) {
	it, err := c.getItem(ctx, devicesPK, jid.String())
	if err != nil {
		return nil, fmt.Errorf("get device: %w", err)
	}
	if it == nil {
		return nil, nil
	}
	return c.decodeDevice(it)
}

// GetAllDevices loads every device of the table, ordered by JID.
func (c *Container) GetAllDevices(ctx context.Context) ([]*store.Device, error) {
	var devices []*store.Device
	var decodeErr error
	err := c.queryEach(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: item{":pk": avS(devicesPK)},
	}, func(it item) bool {
		var d *store.Device
		d, decodeErr = c.decodeDevice(it)
		devices = append(devices, d)
		return decodeErr == nil
	})
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	if decodeErr != nil {
		return nil, decodeErr
	}
	return devices, nil
}

// GetFirstDevice returns the first stored device, or a new unsaved one when
// there is none.
func (c *Container) GetFirstDevice(ctx context.Context) (*store.Device, error) {
	devices, err := c.GetAllDevices(ctx)
	if err != nil {
		return nil, err
	}
	if len(devices) == 0 {
		return c.NewDevice(), nil
	}
	return devices[0], nil
}

// DeleteDevice deletes the device and everything stored under it (the
// global LID map stays). Its data goes first and its entry last, so a
// delete cut short leaves the device listed and can simply be repeated.
func (c *Container) DeleteDevice(ctx context.Context, device *store.Device) error {
	if device.ID == nil {
		return ErrDeviceIDMustBeSet
	}
	n, err := c.deleteMatching(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: item{":pk": avS(devicePK(*device.ID))},
		ProjectionExpression:      aws.String("pk, sk"),
	})
	if err != nil {
		return fmt.Errorf("delete device data: %w", err)
	}
	if err := c.deleteItem(ctx, devicesPK, device.ID.String()); err != nil {
		return fmt.Errorf("delete device: %w", err)
	}
	c.log.Debugf("Deleted device with %d stored items", n)
	return nil
}

// LIDMap returns the table's global LID map, which every device of the
// container uses (sqlstore's Container.LIDMap).
func (c *Container) LIDMap() store.LIDStore { return c.lids }

// initializeDevice wires every store of the device to this table.
func (c *Container) initializeDevice(device *store.Device) {
	device.SetAllStores(newDeviceStore(c, *device.ID))
	device.LIDs = c.lids
	device.Container = c
	device.Initialized = true
}
