package whatsapp

import (
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

// onCallOffer hands an incoming call to the host, when it wants calls,
// and rejects it at once if the host says so: the caller sees the call
// declined, and no device of the account keeps ringing. whatsmeow
// acknowledges a call whatever the handler answers (WhatsApp does not
// send calls again), so a call the host refused is only logged.
func (d *Driver) onCallOffer(instance string, a *attempt, e *events.CallOffer) bool {
	ge, wants := d.cfg.Events.(driver.GroupEvents)
	if !wants {
		return true
	}
	if !d.live(a) {
		return false
	}
	ctx, cancel := d.background()
	defer cancel()
	c, err := callOf(ctx, e, lidsOf(a))
	if err != nil {
		d.log.Warn("call offer not read: the caller's number is unknown", "instance", instance,
			"callId", e.CallID, "err", err.Error())
		return false
	}
	if c.At.IsZero() {
		c.At = d.cfg.Clock.Now().UTC()
	}
	reject, err := ge.Call(instance, c)
	if err != nil {
		d.log.Warn("host refused a call offer", "instance", instance, "callId", e.CallID, "err", err.Error())
	}
	if reject {
		// Rejecting is what the instance's settings ask for, even if
		// recording the call failed.
		if rerr := a.cli.RejectCall(ctx, e.CallCreator, e.CallID); rerr != nil {
			d.log.Warn("reject call", "instance", instance, "callId", e.CallID, "err", rerr.Error())
		}
	}
	return err == nil
}
