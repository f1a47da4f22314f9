package sandbox

import "github.com/wagateway/wagateway/internal/driver"

// eventKind names the driver.Events method an event goes to.
type eventKind uint8

const (
	qrEvent eventKind = iota
	connectingEvent
	connectedEvent
	disconnectedEvent
	receivedEvent
)

// event is one report waiting in an instance's outbox.
type event struct {
	kind   eventKind
	text   string        // the QR code, or the phone of Connected
	reason driver.Reason // Disconnected; "" when linking expired
	in     driver.Inbound
	reply  chan<- error // Received: the host's answer, for the phone side
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
	switch e.kind {
	case qrEvent:
		n.events.QR(instance, e.text)
	case connectingEvent:
		n.events.Connecting(instance)
	case connectedEvent:
		n.events.Connected(instance, e.text)
	case disconnectedEvent:
		n.events.Disconnected(instance, e.reason)
	case receivedEvent:
		e.reply <- n.events.Received(instance, e.in)
	}
}
