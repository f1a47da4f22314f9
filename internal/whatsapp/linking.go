package whatsapp

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/lease"
	"github.com/wagateway/wagateway/internal/phone"
)

// WhatsApp's linking schedule: the server sends six refs; WhatsApp Web
// shows the first code for 60 s and each later one for 20 s, and the
// server closes the connection when the last has expired.
const (
	firstQRLife = 60 * time.Second
	nextQRLife  = 20 * time.Second
)

// loginTimeout bounds the login that follows a pairing. whatsmeow logs in
// again on its own after pair-success and, if that fails, only logs it;
// without this bound the instance would stay connecting for good.
const loginTimeout = 90 * time.Second

// The name the phone shows for a device linked by pairing code. WhatsApp
// accepts only common "Browser (OS)" pairs.
const (
	pairClient      = whatsmeow.PairClientChrome
	pairDisplayName = "Chrome (Linux)"
)

// rotation is the QR codes of one linking connection and which one shows.
type rotation struct {
	codes []string
	i     int
	stop  chan struct{}
}

// stopRotation ends a's QR rotation, if any. Call with mu held.
func (a *attempt) stopRotation() {
	if a.link != nil {
		close(a.link.stop)
		a.link = nil
	}
}

// Link starts linking an unlinked instance by QR code; the codes arrive
// through Events.QR. Linking an instance that is linking starts over.
func (d *Driver) Link(ctx context.Context, instance string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := d.refuseLinked(ctx, instance); err != nil {
		return err
	}
	_, err := d.startLinking(ctx, instance)
	return err
}

// PairingCode returns a code to link by phone number ("XXXX-XXXX"),
// starting linking unless it is under way. whatsmeow asks WhatsApp for
// the code over the linking connection, once its first QR codes came.
func (d *Driver) PairingCode(ctx context.Context, instance, number string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if !phone.Valid(number) {
		return "", fmt.Errorf("whatsapp: pairing code for %s: %s", instance, phone.FormatMessage)
	}
	if err := d.refuseLinked(ctx, instance); err != nil {
		return "", err
	}
	a, p := d.current(instance)
	if a == nil || p != linking {
		var err error
		if a, err = d.startLinking(ctx, instance); err != nil {
			return "", err
		}
	}
	select {
	case <-a.ready:
	case <-a.ended:
		return "", fmt.Errorf("whatsapp: pairing code for %s: linking ended: %w", instance, driver.ErrNotLinking)
	case <-ctx.Done():
		return "", ctx.Err()
	}
	code, err := a.cli.PairPhone(ctx, number, true, pairClient, pairDisplayName)
	if err != nil {
		return "", fmt.Errorf("whatsapp: pairing code for %s: %w", instance, err)
	}
	return code, nil
}

// refuseLinked fails with ErrAlreadyLinked if instance has a device.
func (d *Driver) refuseLinked(ctx context.Context, instance string) error {
	if a, p := d.current(instance); a != nil && p != linking {
		return fmt.Errorf("whatsapp: link %s: %w", instance, ErrAlreadyLinked)
	}
	dev, _, err := d.boundDevice(ctx, instance)
	if err != nil {
		return fmt.Errorf("whatsapp: link %s: %w", instance, err)
	}
	if dev != nil {
		return fmt.Errorf("whatsapp: link %s: %w", instance, ErrAlreadyLinked)
	}
	return nil
}

// startLinking connects a fresh device, replacing any linking under way.
// The QR codes follow from the connection's events.
func (d *Driver) startLinking(ctx context.Context, instance string) (*attempt, error) {
	a := newAttempt(d.cfg.Devices.NewDevice(), linking)
	a.fence, a.fenced = lease.FenceFrom(ctx)
	a.cli = d.newClient(instance, a.dev, hooks{
		handle:  d.handler(instance, a),
		prePair: func(jid types.JID) bool { return d.bind(instance, a, jid) },
	})
	d.mu.Lock()
	old := d.install(instance, a)
	d.mu.Unlock()
	if old != nil {
		old.cli.Disconnect()
	}
	if err := a.cli.ConnectContext(d.ctx); err != nil {
		d.mu.Lock()
		d.retire(a)
		d.mu.Unlock()
		a.cli.Disconnect()
		return nil, fmt.Errorf("whatsapp: link %s: connect: %w", instance, err)
	}
	return a, nil
}

// bind records the newly paired device before whatsmeow saves it; a
// linking the driver let go of, or a failed record, refuses the pairing.
func (d *Driver) bind(instance string, a *attempt, jid types.JID) bool {
	d.mu.Lock()
	live := d.isCurrent(a) && a.phase == linking
	if live {
		a.jid = jid
	}
	d.mu.Unlock()
	if !live {
		return false
	}
	ctx, cancel := d.background()
	defer cancel()
	if err := d.cfg.Bindings.Bind(ctx, instance, jid.String()); err != nil {
		d.log.Error("record the linked device; pairing refused", "instance", instance, "err", err.Error())
		return false
	}
	return true
}

// onQR starts showing the codes of a linking connection.
func (d *Driver) onQR(a *attempt, codes []string) {
	if len(codes) == 0 {
		return
	}
	d.mu.Lock()
	if !d.isCurrent(a) || a.phase != linking {
		d.mu.Unlock()
		return
	}
	a.stopRotation()
	r := &rotation{codes: append([]string(nil), codes...), stop: make(chan struct{})}
	a.link = r
	d.enqueue(a.slot, driver.QRChange(r.codes[0]))
	select {
	case <-a.ready:
	default:
		close(a.ready)
	}
	s := a.slot
	d.mu.Unlock()
	d.flush(s)
	go d.rotate(a, r)
}

// rotate shows the next code when the current one expires, and ends the
// linking when the last one does.
func (d *Driver) rotate(a *attempt, r *rotation) {
	defer d.recoverPanic(a.slot.name, "QR rotation")
	life := firstQRLife
	for {
		select {
		case <-r.stop:
			return
		case <-d.cfg.Clock.After(life):
		}
		d.mu.Lock()
		if !d.isCurrent(a) || a.link != r {
			d.mu.Unlock()
			return
		}
		s := a.slot
		r.i++
		if r.i == len(r.codes) {
			d.retire(a)
			d.enqueue(s, driver.DisconnectedChange(""))
			d.mu.Unlock()
			a.cli.Disconnect() // before the host hears of it: nothing can scan a dead code
			d.flush(s)
			d.log.Info("linking expired: no code was scanned", "instance", s.name)
			return
		}
		d.enqueue(s, driver.QRChange(r.codes[r.i]))
		d.mu.Unlock()
		d.flush(s)
		life = nextQRLife
	}
}

// onRotateSecret: WhatsApp asked for a new linking secret, which is part
// of every code; the code on show changes at once.
func (d *Driver) onRotateSecret(a *attempt, e *events.RotateADVSecret) {
	d.mu.Lock()
	if !d.isCurrent(a) || a.link == nil || e.OldSecret == "" {
		d.mu.Unlock()
		return
	}
	r := a.link
	for i := range r.codes {
		r.codes[i] = strings.Replace(r.codes[i], e.OldSecret, e.NewSecret, 1)
	}
	d.enqueue(a.slot, driver.QRChange(r.codes[min(r.i, len(r.codes)-1)]))
	s := a.slot
	d.mu.Unlock()
	d.flush(s)
}

// onPaired: the phone scanned the code (or entered the pairing code);
// whatsmeow now reconnects as the new device and logs in.
func (d *Driver) onPaired(a *attempt) {
	d.mu.Lock()
	if !d.isCurrent(a) || a.phase != linking {
		d.mu.Unlock()
		return
	}
	a.phase = connecting
	a.stopRotation()
	d.enqueue(a.slot, driver.ConnectingChange())
	s := a.slot
	d.mu.Unlock()
	d.flush(s)
	go d.awaitLogin(a)
}

// awaitLogin reports a lost connection if the login after pairing does
// not succeed in time; the host then reconnects the new device. It ends
// as soon as the login succeeded: an idle linked instance keeps no
// goroutine of its own.
func (d *Driver) awaitLogin(a *attempt) {
	defer d.recoverPanic(a.slot.name, "login after pairing")
	select {
	case <-a.ended:
		return
	case <-a.opened:
		return
	case <-d.cfg.Clock.After(loginTimeout):
	}
	d.mu.Lock()
	if !d.isCurrent(a) || a.phase != connecting {
		d.mu.Unlock()
		return
	}
	s := a.slot
	d.retire(a)
	d.enqueue(s, driver.DisconnectedChange(driver.ConnectionLost))
	d.mu.Unlock()
	a.cli.Disconnect()
	d.flush(s)
	d.log.Warn("no login after pairing; reporting a lost connection so the host reconnects", "instance", s.name)
}

// endLinking gives up a linking attempt: back to close, no reason.
func (d *Driver) endLinking(a *attempt, why string, err error) {
	d.mu.Lock()
	if !d.isCurrent(a) || a.phase != linking {
		d.mu.Unlock()
		return
	}
	s := a.slot
	d.retire(a)
	d.enqueue(s, driver.DisconnectedChange(""))
	d.mu.Unlock()
	go a.cli.Disconnect() // may run inside whatsmeow's handler
	d.flush(s)
	args := []any{"instance", s.name}
	if err != nil {
		args = append(args, "err", err.Error())
	}
	d.log.Warn("linking ended: "+why, args...)
}
