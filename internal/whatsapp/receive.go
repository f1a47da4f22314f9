package whatsapp

import (
	"context"
	"errors"

	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

// handler is the event handler of one attempt. It returns false only to
// leave a message, receipt or group notification unacknowledged, so that
// WhatsApp sends it again: when the host refused it, when it cannot be
// read yet, when the attempt is no longer the instance's connection, or
// when handling it panicked.
func (d *Driver) handler(instance string, a *attempt) func(evt any) bool {
	groups := newGroupStates() // what this connection knows of the groups' settings
	return func(evt any) (ok bool) {
		defer func() {
			if p := recover(); p != nil {
				d.log.Error("panic recovered in the WhatsApp driver", "instance", instance, "where", "event handler", "panic", p)
				ok = false
			}
		}()
		switch e := evt.(type) {
		case *events.Message:
			return d.onMessage(instance, a, e)
		case *events.Receipt:
			return d.onReceipt(instance, a, e)
		case *events.GroupInfo: // groupevents.go
			return d.onGroupInfo(instance, a, groups, e)
		case *events.JoinedGroup:
			return d.onJoinedGroup(instance, a, groups, e)
		case *events.CallOffer: // calls.go
			return d.onCallOffer(instance, a, e)
		case *events.QR:
			d.onQR(a, e.Codes)
		case *events.RotateADVSecret:
			d.onRotateSecret(a, e)
		case *events.PairSuccess:
			d.onPaired(a)
		case *events.PairError:
			d.endLinking(a, "pairing failed", e.Error)
		case *events.PairPasskeyRequest, *events.PairPasskeyConfirmation:
			d.endLinking(a, "the phone asks for a passkey, which a gateway cannot provide; link with a phone or account without passkey confirmation", nil)
		case *events.PairPasskeyError:
			d.endLinking(a, "passkey step of linking failed", e.Error)
		case *events.QRScannedWithoutMultidevice:
			d.log.Warn("QR code scanned by a phone without multi-device support; it can scan again after enabling it", "instance", instance)
		default:
			if c, ok := connectionChange(evt); ok {
				d.onConnection(a, c)
			}
		}
		return true
	}
}

// live reports whether a is still the instance's connection.
func (d *Driver) live(a *attempt) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.isCurrent(a)
}

// onMessage hands an inbound message or update to the host; it is
// acknowledged only if the host accepted it.
func (d *Driver) onMessage(instance string, a *attempt, e *events.Message) bool {
	if !d.live(a) {
		return false // the next connection gets it again
	}
	ctx, cancel := d.background()
	defer cancel()
	if isUpdate(e) {
		return d.onUpdate(ctx, instance, a, e)
	}
	in, ok, err := inbound(ctx, e, lidsOf(a))
	if err != nil {
		level := d.log.Warn
		if errors.Is(err, errUnresolvedLID) {
			level = d.log.Info
		}
		level("inbound message not read; WhatsApp will deliver it again", "instance", instance,
			"waMessageId", e.Info.ID, "err", err.Error())
		return false
	}
	if !ok {
		return true
	}
	if in.Media != nil {
		in.Media.Open = d.opener(a.cli, downloadable(e.Message))
	}
	if err := d.cfg.Events.Received(instance, in); err != nil {
		d.log.Warn("host refused an inbound message; WhatsApp will deliver it again", "instance", instance,
			"waMessageId", in.MessageID, "err", err.Error())
		return false
	}
	return true
}

// onUpdate hands a reaction, edit, deletion or vote to the host, when it
// wants them; acknowledged only if the host accepted it.
func (d *Driver) onUpdate(ctx context.Context, instance string, a *attempt, e *events.Message) bool {
	up, wants := d.cfg.Events.(driver.UpdateEvents)
	if !wants {
		return true
	}
	u, ok, err := update(ctx, e, lidsOf(a), a.cli)
	switch {
	case errors.Is(err, errVoteUnreadable):
		d.log.Info("poll vote dropped: it cannot be decrypted", "instance", instance, "waMessageId", e.Info.ID,
			"err", err.Error())
		return true
	case err != nil:
		d.log.Warn("update not read; WhatsApp will deliver it again", "instance", instance,
			"waMessageId", e.Info.ID, "err", err.Error())
		return false
	case !ok:
		return true
	}
	if err := up.Updated(instance, u); err != nil {
		d.log.Warn("host refused an update; WhatsApp will deliver it again", "instance", instance,
			"waMessageId", e.Info.ID, "kind", string(u.Kind), "err", err.Error())
		return false
	}
	return true
}

// lidsOf is a's LID store, or nil: a device has none until it is saved.
func lidsOf(a *attempt) lidResolver {
	if a.dev.LIDs == nil {
		return nil
	}
	return a.dev.LIDs
}

// onReceipt records delivery and read receipts of our messages, when the
// host wants them.
func (d *Driver) onReceipt(instance string, a *attempt, e *events.Receipt) bool {
	r, ok := receipt(e)
	if !ok {
		return true
	}
	rec, wants := d.cfg.Events.(driver.ReceiptEvents)
	if !wants {
		return true
	}
	if !d.live(a) {
		return false
	}
	if err := rec.Receipt(instance, r); err != nil {
		d.log.Warn("host refused a receipt; WhatsApp will send it again", "instance", instance, "err", err.Error())
		return false
	}
	return true
}

// background is the context of work started by WhatsApp rather than by a
// caller.
func (d *Driver) background() (context.Context, context.CancelFunc) {
	return context.WithTimeout(d.ctx, storeTimeout)
}
