package whatsapp

import (
	"time"

	"github.com/wagateway/wagateway/internal/driver"
)

// reportKind names the driver.Events method a report goes to.
type reportKind uint8

const (
	qrReport reportKind = iota
	connectingReport
	connectedReport
	disconnectedReport
	bannedReport // driver.BanEvents, when the host implements it
)

// report is one call to driver.Events waiting in an instance's queue.
type report struct {
	kind   reportKind
	text   string // the QR code, or the phone of Connected
	reason driver.Reason
	until  time.Time // bannedReport
}

// enqueue adds r to the instance's reports. State changes enqueue under the
// lock, so the queue's order is the order things happened. Call with mu
// held, and flush after unlocking.
func (d *Driver) enqueue(s *slot, r ...report) { s.queue = append(s.queue, r...) }

// flush delivers the instance's queued reports, in order, without holding
// the lock: one goroutine at a time drains a queue, so the host hears them
// in order even from whatsmeow's many goroutines, and a host that calls
// back into the driver from a callback does not deadlock (its reports
// follow once the callback returns).
func (d *Driver) flush(s *slot) {
	d.mu.Lock()
	if s.draining {
		d.mu.Unlock()
		return
	}
	s.draining = true
	for len(s.queue) > 0 {
		r := s.queue[0]
		s.queue[0] = report{}
		s.queue = s.queue[1:]
		d.mu.Unlock()
		d.deliver(s.name, r)
		d.mu.Lock()
	}
	s.queue = nil // an idle instance keeps no buffer
	s.draining = false
	d.mu.Unlock()
}

// deliver calls the host; a panic there is logged, not spread to
// whatsmeow's goroutines or the driver's timers.
func (d *Driver) deliver(instance string, r report) {
	defer d.recoverPanic(instance, "report to the host")
	ev := d.cfg.Events
	switch r.kind {
	case qrReport:
		ev.QR(instance, r.text)
	case connectingReport:
		ev.Connecting(instance)
	case connectedReport:
		ev.Connected(instance, r.text)
	case disconnectedReport:
		ev.Disconnected(instance, r.reason)
	case bannedReport:
		if b, ok := ev.(driver.BanEvents); ok {
			b.BannedUntil(instance, r.until)
		}
	}
}

// recoverPanic logs a panic instead of letting it end the process. Use as
// `defer d.recoverPanic(...)`.
func (d *Driver) recoverPanic(instance, where string) {
	if p := recover(); p != nil {
		d.log.Error("panic recovered in the WhatsApp driver", "instance", instance, "where", where, "panic", p)
	}
}
