package driver

import "time"

// Change is one connection change a driver owes its Events: a QR code,
// Connecting, Connected, Disconnected or a ban's end. Drivers record
// changes under their own lock, where the order is known, and Deliver them
// after unlocking, so the host hears them in the order they happened and
// may call back into the driver without deadlock. The zero Change reports
// nothing.
type Change struct {
	kind   changeKind
	text   string // the QR code, or the phone of Connected
	reason Reason
	until  time.Time
}

type changeKind uint8

const (
	_ changeKind = iota
	qrChange
	connectingChange
	connectedChange
	disconnectedChange
	banChange
)

// QRChange is Events.QR with code.
func QRChange(code string) Change { return Change{kind: qrChange, text: code} }

// ConnectingChange is Events.Connecting.
func ConnectingChange() Change { return Change{kind: connectingChange} }

// ConnectedChange is Events.Connected to phone.
func ConnectedChange(phone string) Change { return Change{kind: connectedChange, text: phone} }

// DisconnectedChange is Events.Disconnected for reason ("" when linking
// ended without one).
func DisconnectedChange(reason Reason) Change {
	return Change{kind: disconnectedChange, reason: reason}
}

// BanChange is BanEvents.BannedUntil; an Events without BanEvents does not
// hear it.
func BanChange(until time.Time) Change { return Change{kind: banChange, until: until} }

// Deliver makes the call c stands for on to, for instance.
func (c Change) Deliver(to Events, instance string) {
	switch c.kind {
	case qrChange:
		to.QR(instance, c.text)
	case connectingChange:
		to.Connecting(instance)
	case connectedChange:
		to.Connected(instance, c.text)
	case disconnectedChange:
		to.Disconnected(instance, c.reason)
	case banChange:
		if b, ok := to.(BanEvents); ok {
			b.BannedUntil(instance, c.until)
		}
	}
}
