package whatsapp

import "github.com/wagateway/wagateway/internal/driver"

// enqueue adds c to the instance's reports. State changes enqueue under the
// lock, so the queue's order is the order things happened. Call with mu
// held, and flush after unlocking.
func (d *Driver) enqueue(s *slot, c ...driver.Change) { s.queue = append(s.queue, c...) }

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
		c := s.queue[0]
		s.queue[0] = driver.Change{}
		s.queue = s.queue[1:]
		d.mu.Unlock()
		d.deliver(s.name, c)
		d.mu.Lock()
	}
	s.queue = nil // an idle instance keeps no buffer
	s.draining = false
	d.mu.Unlock()
}

// deliver calls the host; a panic there is logged, not spread to
// whatsmeow's goroutines or the driver's timers.
func (d *Driver) deliver(instance string, c driver.Change) {
	defer d.recoverPanic(instance, "report to the host")
	c.Deliver(d.cfg.Events, instance)
}

// recoverPanic logs a panic instead of letting it end the process. Use as
// `defer d.recoverPanic(...)`.
func (d *Driver) recoverPanic(instance, where string) {
	if p := recover(); p != nil {
		d.log.Error("panic recovered in the WhatsApp driver", "instance", instance, "where", where, "panic", p)
	}
}
