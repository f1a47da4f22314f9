package driver

import (
	"sync"
	"time"
)

// Deferred is an Events whose target is bound after construction. It
// breaks the cycle between a driver, which needs its Events when it is
// built, and the session host, which needs the driver when it is built.
// Calls made before Bind wait for it.
type Deferred struct {
	once sync.Once
	to   Events
	set  chan struct{}
}

var (
	_ Events        = (*Deferred)(nil)
	_ BanEvents     = (*Deferred)(nil)
	_ ReceiptEvents = (*Deferred)(nil)
)

// NewDeferred returns an unbound Deferred.
func NewDeferred() *Deferred { return &Deferred{set: make(chan struct{})} }

// Bind sets the target once; later calls are ignored.
func (d *Deferred) Bind(to Events) { d.once.Do(func() { d.to = to; close(d.set) }) }

func (d *Deferred) target() Events { <-d.set; return d.to }

// QR forwards to the target.
func (d *Deferred) QR(i, code string) { d.target().QR(i, code) }

// Connected forwards to the target.
func (d *Deferred) Connected(i, phone string) { d.target().Connected(i, phone) }

// Connecting forwards to the target.
func (d *Deferred) Connecting(i string) { d.target().Connecting(i) }

// Disconnected forwards to the target.
func (d *Deferred) Disconnected(i string, r Reason) { d.target().Disconnected(i, r) }

// Received forwards to the target.
func (d *Deferred) Received(i string, in Inbound) error { return d.target().Received(i, in) }

// BannedUntil forwards to the target if it wants ban expiries.
func (d *Deferred) BannedUntil(i string, until time.Time) {
	if b, ok := d.target().(BanEvents); ok {
		b.BannedUntil(i, until)
	}
}

// Receipt forwards to the target if it records receipts; otherwise the
// receipt is acknowledged and dropped.
func (d *Deferred) Receipt(i string, r Receipt) error {
	if re, ok := d.target().(ReceiptEvents); ok {
		return re.Receipt(i, r)
	}
	return nil
}

// Updated forwards to the target if it takes updates; otherwise the
// update is acknowledged and dropped.
func (d *Deferred) Updated(i string, u Update) error {
	if ue, ok := d.target().(UpdateEvents); ok {
		return ue.Updated(i, u)
	}
	return nil
}

var (
	_ ReceiptEvents = (*Deferred)(nil)
	_ UpdateEvents  = (*Deferred)(nil)
	_ BanEvents     = (*Deferred)(nil)
)

var _ GroupEvents = (*Deferred)(nil)

// GroupParticipants forwards to the target if it takes group events;
// otherwise the change is acknowledged and dropped.
func (d *Deferred) GroupParticipants(i string, g GroupParticipants) error {
	if ge, ok := d.target().(GroupEvents); ok {
		return ge.GroupParticipants(i, g)
	}
	return nil
}

// GroupUpdated forwards like GroupParticipants.
func (d *Deferred) GroupUpdated(i string, g GroupUpdate) error {
	if ge, ok := d.target().(GroupEvents); ok {
		return ge.GroupUpdated(i, g)
	}
	return nil
}

// Call forwards to the target if it takes calls; otherwise the call is
// let ring (not rejected).
func (d *Deferred) Call(i string, c Call) (bool, error) {
	if ge, ok := d.target().(GroupEvents); ok {
		return ge.Call(i, c)
	}
	return false, nil
}
