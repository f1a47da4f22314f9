package sandbox

import "github.com/wagateway/wagateway/internal/driver"

// event is one report waiting in an instance's outbox: a connection
// change, or, when report is set, something the far side did (a message,
// a receipt, an update), whose answer goes to reply, or something the
// instance did itself (a group change), whose answer nobody awaits. All
// share one outbox, so the host hears them in the order they happened.
type event struct {
	change driver.Change
	report func(driver.Events) error
	reply  chan<- error // the host's answer to report, for the phone side
}

// flush reports the instance's queued events, in order, without holding
// the lock. State changes queue their events under the lock, so the order
// of the outbox is the order things happened; one goroutine at a time
// drains it, so the host hears them in that order even when a Scan races
// a QR rotation. Whoever finds the outbox being drained leaves its events
// to the drainer: a host that calls back into the network from a callback
// (Connect on Disconnected, say) does not deadlock, and its events follow
// once the callback returns.
func (n *Network) flush(c *conn) {
	n.mu.Lock()
	if c.draining {
		n.mu.Unlock()
		return
	}
	c.draining = true
	for len(c.outbox) > 0 {
		e := c.outbox[0]
		c.outbox[0] = event{}
		c.outbox = c.outbox[1:]
		n.mu.Unlock()
		n.deliver(c.name, e)
		n.mu.Lock()
	}
	c.outbox = nil // an idle instance keeps no buffer
	c.draining = false
	n.mu.Unlock()
}

func (n *Network) deliver(instance string, e event) {
	switch {
	case e.reply != nil:
		e.reply <- e.report(n.events)
	case e.report != nil:
		// The instance's own doing (groupdriver.go): the host, who caused
		// it, is told, and nobody waits for its answer.
		_ = e.report(n.events)
	default:
		e.change.Deliver(n.events, instance)
	}
}
