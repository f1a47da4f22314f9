package sandbox

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/phone"
)

// WhatsApp's linking schedule (whatsmeow's QR channel): the server sends
// six refs; the first code lives 60 s, each later one 20 s, and when the
// last expires the linking attempt is over.
const (
	firstQRLife = 60 * time.Second
	nextQRLife  = 20 * time.Second
	qrRotations = 5
)

// pairingAlphabet is the one WhatsApp draws pairing codes from: no 0, I, O
// or U, so a code read aloud or typed on a phone is not misread.
const pairingAlphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"

// session is one linking attempt. Only ref rotates: the keys in a real QR
// code belong to the device being linked and stay for the whole attempt.
type session struct {
	stop      chan struct{} // closed when the attempt ends, to end its rotation goroutine
	ref       string
	keys      string
	rotations int
}

func (s *session) qr() string { return s.ref + "," + s.keys }

// stopLinking ends the instance's linking attempt, if any. Call with mu
// held.
func (c *conn) stopLinking() {
	if c.link != nil {
		close(c.link.stop)
		c.link = nil
	}
}

// startLinking begins a fresh attempt, ending any current one, and queues
// its first QR code. Call with mu held.
func (n *Network) startLinking(c *conn) {
	c.stopLinking()
	s := &session{stop: make(chan struct{}), ref: n.qrRef(), keys: n.qrKeys()}
	c.link, c.state = s, linking
	c.outbox = append(c.outbox, event{change: driver.QRChange(s.qr())})
	go n.rotate(c, s)
}

// Link starts linking by QR code; linking again restarts it.
func (n *Network) Link(ctx context.Context, instance string) error {
	if err := n.fenceOK(ctx, instance, "Link"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	c := n.conn(instance)
	if c.linked() {
		n.mu.Unlock()
		return fmt.Errorf("sandbox: link %s: %w", instance, ErrAlreadyLinked)
	}
	n.startLinking(c)
	n.mu.Unlock()
	n.flush(c)
	return nil
}

// PairingCode returns a new code to link by number, starting linking (QR
// codes included, as WhatsApp does) unless it is under way.
func (n *Network) PairingCode(ctx context.Context, instance, number string) (string, error) {
	if err := n.fenceOK(ctx, instance, "PairingCode"); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if !phone.Valid(number) {
		return "", fmt.Errorf("sandbox: pairing code for %s: %s", instance, phone.FormatMessage)
	}
	n.mu.Lock()
	c := n.conn(instance)
	if c.linked() {
		n.mu.Unlock()
		return "", fmt.Errorf("sandbox: pairing code for %s: %w", instance, ErrAlreadyLinked)
	}
	if c.link == nil {
		n.startLinking(c)
	}
	var code strings.Builder
	for i := range 8 {
		if i == 4 {
			code.WriteByte('-')
		}
		code.WriteByte(pairingAlphabet[n.rnd.IntN(len(pairingAlphabet))])
	}
	n.mu.Unlock()
	n.flush(c)
	return code.String(), nil
}

// Scan is the phone scanning the current QR code or entering the pairing
// code: the instance is linked to number and opens at once.
func (n *Network) Scan(instance, number string) error {
	if !phone.Valid(number) {
		return fmt.Errorf("sandbox: scan %s: %s", instance, phone.FormatMessage)
	}
	n.mu.Lock()
	c := n.conns[instance]
	if c == nil || c.link == nil {
		n.mu.Unlock()
		return fmt.Errorf("sandbox: scan %s: %w", instance, driver.ErrNotLinking)
	}
	c.stopLinking()
	c.state, c.phone = open, number
	c.outbox = append(c.outbox, event{change: driver.ConnectingChange()}, event{change: driver.ConnectedChange(number)})
	n.mu.Unlock()
	n.flush(c)
	return nil
}

// rotate runs while s lasts: it replaces the QR code on WhatsApp's
// schedule and ends linking when the last code expires. Whether s still
// lasts is checked under the lock after every wait, so a timer racing a
// Scan or a new Link never reports for a dead attempt.
func (n *Network) rotate(c *conn, s *session) {
	life := firstQRLife
	for {
		select {
		case <-s.stop:
			return
		case <-n.clk.After(life):
		}
		n.mu.Lock()
		if c.link != s {
			n.mu.Unlock()
			return
		}
		if s.rotations == qrRotations {
			c.stopLinking()
			c.state = unlinked
			c.outbox = append(c.outbox, event{change: driver.DisconnectedChange("")})
		} else {
			s.rotations++
			s.ref = n.qrRef()
			c.outbox = append(c.outbox, event{change: driver.QRChange(s.qr())})
		}
		n.mu.Unlock()
		n.flush(c)
		life = nextQRLife
	}
}

// qrRef makes a ref as WhatsApp's server sends it. Call with mu held.
func (n *Network) qrRef() string { return "2@" + n.base64(48) }

// qrKeys makes the noise key, identity key and adv secret segments. Call
// with mu held.
func (n *Network) qrKeys() string {
	return n.base64(32) + "," + n.base64(32) + "," + n.base64(32)
}

func (n *Network) base64(size int) string {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(n.rnd.Uint32())
	}
	return base64.StdEncoding.EncodeToString(b)
}
