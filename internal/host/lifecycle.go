package host

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
)

// firstQRWait bounds how long QR waits for the driver's first code.
const firstQRWait = 10 * time.Second

var (
	errAlreadyOpen = fault.New(fault.ErrConflict, "Instance is already connected")
	errNotLinked   = fault.New(fault.ErrConflict, "Instance is not linked")
	// A linked instance that is not open is reconnecting on its own: a new
	// QR or pairing code would link a second phone over the first.
	errReconnecting = fault.New(fault.ErrConflict, "Instance is linked and reconnecting to WhatsApp; "+
		"wait until its state is open (GET /instance/{name}/status), or log out first to link another phone")
)

// linkable refuses to start linking an instance that has a phone: open
// (409 already connected) or reconnecting (409 reconnecting).
func linkable(in instance.Instance) error {
	switch {
	case in.State == instance.StateOpen:
		return errAlreadyOpen
	case in.PhoneNumber != "":
		return errReconnecting
	}
	return nil
}

// linkError maps a driver's linking failure: a device the store did not
// know of yet is a reconnecting instance too; anything else means
// WhatsApp could not be reached.
func (h *Host) linkError(name, op string, err error) error {
	if errors.Is(err, driver.ErrAlreadyLinked) {
		return errReconnecting
	}
	h.log.Warn("driver "+op, "instance", name, "err", err.Error())
	return fmt.Errorf("%s: %w", op, fault.New(fault.ErrSession,
		"Could not reach WhatsApp to "+op+"; try again in a moment (quote the requestId when reporting it)"))
}

// LinkQR returns the instance's current linking code, starting linking if
// the instance is closed. An open instance has none (409).
func (h *Host) LinkQR(ctx context.Context, name string) (string, error) {
	in, err := h.cfg.Store.GetInstance(ctx, name)
	if err != nil {
		return "", err
	}
	if err := linkable(in); err != nil {
		return "", err
	}
	if ctx, err = h.take(ctx, name); err != nil {
		return "", err
	}
	if code := h.currentQR(name); code != "" {
		return code, nil
	}
	if err := h.cfg.Driver.Link(ctx, name); err != nil {
		return "", h.linkError(name, "start linking", err)
	}
	var timeout <-chan time.Time // armed only if the code is not there at once
	for {
		code, arrived := h.nextQR(name)
		if code != "" {
			return code, nil
		}
		if timeout == nil {
			timeout = h.cfg.Clock.After(firstQRWait)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-timeout:
			return "", fault.New(fault.ErrSession, "WhatsApp did not issue a QR code in time: it may be unreachable; try again in a moment")
		case <-arrived:
		}
	}
}

func (h *Host) currentQR(name string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.qr[name]
}

// nextQR returns the instance's current QR code, or "" and a channel QR
// closes when the next one arrives: the driver signals it, nobody polls.
func (h *Host) nextQR(name string) (string, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if code := h.qr[name]; code != "" {
		return code, nil
	}
	ch := h.qrWait[name]
	if ch == nil {
		ch = make(chan struct{})
		h.qrWait[name] = ch
	}
	return "", ch
}

// PairingCode links by phone number instead of QR.
func (h *Host) PairingCode(ctx context.Context, name, phone string) (string, error) {
	in, err := h.cfg.Store.GetInstance(ctx, name)
	if err != nil {
		return "", err
	}
	if err := linkable(in); err != nil {
		return "", err
	}
	if ctx, err = h.take(ctx, name); err != nil {
		return "", err
	}
	code, err := h.cfg.Driver.PairingCode(ctx, name, phone)
	if err != nil {
		return "", h.linkError(name, "request a pairing code", err)
	}
	return code, nil
}

// Device describes the linked phone; 409 if not linked.
func (h *Host) Device(ctx context.Context, name string) (driver.Device, error) {
	d, err := h.cfg.Driver.Device(ctx, name)
	if errors.Is(err, driver.ErrNotLinked) {
		return driver.Device{}, errNotLinked
	}
	if err != nil {
		return driver.Device{}, h.sessionError(name, "read device", err)
	}
	return d, nil
}

// Logout unlinks the phone; queued messages stay queued.
func (h *Host) Logout(ctx context.Context, name string) error {
	ctx, _ = h.fenced(ctx, name)
	err := h.cfg.Driver.Logout(ctx, name)
	if errors.Is(err, driver.ErrNotLinked) {
		return errNotLinked
	}
	if err != nil {
		return h.sessionError(name, "log out", err)
	}
	return nil
}

// Restart drops the connection and opens it again.
func (h *Host) Restart(ctx context.Context, name string) error {
	in, err := h.cfg.Store.GetInstance(ctx, name)
	if err != nil {
		return err
	}
	if in.PhoneNumber == "" {
		return errNotLinked
	}
	if _, mine := h.fenced(ctx, name); !mine {
		// Nobody holds it yet (a claim is on its way) or another host
		// does: that host reconnects it.
		return errElsewhere
	}
	h.cfg.Driver.Disconnect(name)
	if s := h.existing(name); s != nil {
		s.setOpen(false)
	}
	h.setState(name, func(in *instance.Instance) { in.State, in.ConnectedAt = instance.StateConnecting, time.Time{} }, nil)
	h.reconnect(name, in.PhoneNumber, 0)
	return nil
}

// Forget logs out (if linked), deletes the instance's inbound media and
// drops its session, for DELETE /instance/{name}. Held messages are
// deleted from their queues as they come up, found failed.
func (h *Host) Forget(ctx context.Context, name string) {
	ctx, _ = h.fenced(ctx, name)
	if err := h.cfg.Driver.Logout(ctx, name); err != nil && !errors.Is(err, driver.ErrNotLinked) {
		h.log.Warn("log out deleted instance", "instance", name, "err", err.Error())
	}
	if h.cfg.Media != nil {
		if _, err := h.cfg.Media.DeleteInstance(ctx, name); err != nil {
			// The media store's retention deletes them in the end.
			h.log.Error("delete media of deleted instance", "instance", name, "err", err.Error())
		}
	}
	h.cfg.Driver.Disconnect(name)
	h.mu.Lock()
	s := h.sessions[name]
	delete(h.sessions, name)
	delete(h.qr, name)
	delete(h.bans, name)
	l, leased := h.held[name]
	delete(h.held, name)
	delete(h.linking, name)
	h.mu.Unlock()
	if s != nil {
		s.setOpen(false)
	}
	if leased {
		h.releaseLease(ctx, l)
	}
}

func (h *Host) existing(name string) *session {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sessions[name]
}

// sessionError logs a driver failure and turns it into a 502 whose text is
// safe to show.
func (h *Host) sessionError(name, op string, err error) error {
	h.log.Warn("driver "+op, "instance", name, "err", err.Error())
	return fmt.Errorf("%s: %w", op, fault.New(fault.ErrSession, "WhatsApp session error: could not "+op))
}
