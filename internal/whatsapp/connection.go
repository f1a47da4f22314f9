package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/lease"
)

// Connect reconnects a linked instance: Events.Connecting now,
// Events.Connected once WhatsApp accepted the login. ErrNotLinked if the
// instance has no device (never linked, or logged out). phone is not
// needed: the instance's binding names its device.
func (d *Driver) Connect(ctx context.Context, instance, _ string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a, _ := d.current(instance); a != nil {
		return d.reconfirm(instance, a)
	}
	dev, _, err := d.boundDevice(ctx, instance)
	if err != nil {
		return fmt.Errorf("whatsapp: connect %s: %w", instance, err)
	}
	if dev == nil {
		return fmt.Errorf("whatsapp: connect %s: %w", instance, driver.ErrNotLinked)
	}
	a := newAttempt(dev, connecting)
	a.fence, a.fenced = lease.FenceFrom(ctx)
	a.cli = d.newClient(instance, dev, hooks{
		handle:  d.handler(instance, a),
		prePair: func(types.JID) bool { return false }, // a linked device never pairs again
	})
	d.mu.Lock()
	if s := d.slots[instance]; s != nil && s.cur != nil { // another Connect won the race
		d.mu.Unlock()
		return nil
	}
	d.install(instance, a)
	d.enqueue(a.slot, driver.ConnectingChange())
	s := a.slot
	d.mu.Unlock()
	d.flush(s)
	if err := a.cli.ConnectContext(d.ctx); err != nil {
		d.mu.Lock()
		d.retire(a)
		d.mu.Unlock()
		a.cli.Disconnect()
		if errors.Is(err, store.ErrDeviceDeleted) {
			err = driver.ErrNotLinked
		}
		return fmt.Errorf("whatsapp: connect %s: %w", instance, err)
	}
	return nil
}

// reconfirm answers Connect on an instance that has a connection: an open
// one reports Connecting and Connected again, so a host that lost track
// converges; one logging in will report by itself.
func (d *Driver) reconfirm(instance string, a *attempt) error {
	d.mu.Lock()
	switch {
	case !d.isCurrent(a):
		d.mu.Unlock()
		return fmt.Errorf("whatsapp: connect %s: the connection changed meanwhile; try again", instance)
	case a.phase == linking:
		d.mu.Unlock()
		return fmt.Errorf("whatsapp: connect %s: %w", instance, driver.ErrNotLinked)
	case a.phase == open:
		d.enqueue(a.slot, driver.ConnectingChange(), driver.ConnectedChange(a.jid.User))
	}
	s := a.slot
	d.mu.Unlock()
	d.flush(s)
	return nil
}

// Disconnect drops the instance's connection, or abandons its linking,
// without reporting anything: the host asked for it.
func (d *Driver) Disconnect(instance string) {
	d.mu.Lock()
	a := (*attempt)(nil)
	if s := d.slots[instance]; s != nil && s.cur != nil {
		a = s.cur
		d.retire(a)
	}
	d.mu.Unlock()
	if a != nil {
		a.cli.Disconnect()
	}
}

// Logout unlinks the instance's device: WhatsApp is told (when
// connected), its keys are deleted, and Events.Disconnected(logged_out)
// follows. A device logged out while offline is deleted here only; the
// phone lists it until WhatsApp drops it or the user removes it.
func (d *Driver) Logout(ctx context.Context, instance string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a, p := d.current(instance)
	if a != nil && p == open && a.cli.IsLoggedIn() {
		d.mu.Lock()
		jid := a.jid
		d.mu.Unlock()
		if err := a.cli.Logout(ctx); err != nil {
			d.log.Warn("log out through WhatsApp failed; deleting the keys here", "instance", instance, "err", err.Error())
			a.cli.Disconnect()
			if err := a.dev.Delete(ctx); err != nil {
				return fmt.Errorf("whatsapp: log out %s: delete keys: %w", instance, err)
			}
		}
		return d.loggedOut(ctx, instance, a, jid)
	}
	dev, jid, err := d.boundDevice(ctx, instance)
	if err != nil {
		return fmt.Errorf("whatsapp: log out %s: %w", instance, err)
	}
	if dev == nil {
		return fmt.Errorf("whatsapp: log out %s: %w", instance, driver.ErrNotLinked)
	}
	if a != nil {
		d.Disconnect(instance)
	}
	if err := dev.Delete(ctx); err != nil {
		return fmt.Errorf("whatsapp: log out %s: delete keys: %w", instance, err)
	}
	d.log.Warn("logged out while offline: keys deleted here; the phone may list the device until it is removed there", "instance", instance)
	return d.loggedOut(ctx, instance, a, jid)
}

// loggedOut unbinds the device whose keys are gone and reports logged_out.
func (d *Driver) loggedOut(ctx context.Context, instance string, a *attempt, jid types.JID) error {
	if err := d.cfg.Bindings.Unbind(ctx, instance, jid.String()); err != nil {
		// The keys are gone; a binding left behind is found dangling and
		// dropped by the next Connect or Link.
		d.log.Warn("unbind logged out device", "instance", instance, "err", err.Error())
	}
	d.mu.Lock()
	if a != nil {
		d.retire(a)
	}
	s := d.slot(instance)
	d.enqueue(s, driver.DisconnectedChange(driver.LoggedOut))
	d.mu.Unlock()
	d.flush(s)
	return nil
}

// Device describes the linked phone; ErrNotLinked if none.
func (d *Driver) Device(ctx context.Context, instance string) (driver.Device, error) {
	if err := ctx.Err(); err != nil {
		return driver.Device{}, err
	}
	if a, p := d.current(instance); a != nil && p != linking {
		return deviceInfo(a.dev.Platform, a.dev.BusinessName), nil
	}
	dev, _, err := d.boundDevice(ctx, instance)
	if err != nil {
		return driver.Device{}, fmt.Errorf("whatsapp: device of %s: %w", instance, err)
	}
	if dev == nil {
		return driver.Device{}, fmt.Errorf("whatsapp: device of %s: %w", instance, driver.ErrNotLinked)
	}
	return deviceInfo(dev.Platform, dev.BusinessName), nil
}

// boundDevice loads the instance's device; nil if it has none. A binding
// whose device is gone (logged out while this process was down, or a
// pairing that failed after the binding) is removed.
func (d *Driver) boundDevice(ctx context.Context, instance string) (*store.Device, types.JID, error) {
	raw, err := d.cfg.Bindings.Device(ctx, instance)
	if err != nil || raw == "" {
		return nil, types.EmptyJID, err
	}
	jid, err := types.ParseJID(raw)
	if err != nil {
		return nil, types.EmptyJID, fmt.Errorf("bound device %q: %w", raw, err)
	}
	dev, err := d.cfg.Devices.GetDevice(ctx, jid)
	if err != nil {
		return nil, jid, fmt.Errorf("load device: %w", err)
	}
	if dev == nil {
		if err := d.cfg.Bindings.Unbind(ctx, instance, raw); err != nil {
			return nil, jid, fmt.Errorf("drop dangling binding: %w", err)
		}
		return nil, jid, nil
	}
	return dev, jid, nil
}

// onConnection applies a connection event to the instance.
func (d *Driver) onConnection(a *attempt, c change) {
	d.mu.Lock()
	if !d.isCurrent(a) {
		d.mu.Unlock()
		return
	}
	s := a.slot
	if c.open {
		if a.phase == linking || a.jid.IsEmpty() { // cannot happen: a device logs in only once paired
			d.mu.Unlock()
			return
		}
		if a.phase != open {
			a.phase = open
			close(a.opened)
			if a.fenced && d.cfg.Fences != nil {
				d.cfg.Fences.Fence(a.jid, a.fence)
			}
		}
		d.enqueue(s, driver.ConnectedChange(a.jid.User))
		d.mu.Unlock()
		d.flush(s)
		d.log.Info("connected to WhatsApp", "instance", s.name)
		return
	}
	wasLinking := a.phase == linking
	jid := a.jid
	d.retire(a)
	switch {
	case wasLinking:
		d.enqueue(s, driver.DisconnectedChange(""))
	case c.reason == driver.Banned:
		var until time.Time // zero: WhatsApp did not say
		if c.banFor > 0 {
			until = d.cfg.Clock.Now().Add(c.banFor)
		}
		d.enqueue(s, driver.BanChange(until), driver.DisconnectedChange(c.reason))
	default:
		d.enqueue(s, driver.DisconnectedChange(c.reason))
	}
	d.mu.Unlock()
	go a.cli.Disconnect() // runs inside whatsmeow's handler: do not wait on it
	if c.unlinked && !jid.IsEmpty() {
		ctx, cancel := d.background()
		if err := d.cfg.Bindings.Unbind(ctx, s.name, jid.String()); err != nil {
			d.log.Warn("unbind logged out device", "instance", s.name, "err", err.Error())
		}
		cancel()
	}
	d.flush(s)
	if wasLinking {
		d.log.Warn("linking ended: "+c.note, "instance", s.name)
	} else {
		d.log.Info("disconnected from WhatsApp: "+c.note, "instance", s.name, "reason", string(c.reason))
	}
}
