package sandbox

import (
	"context"
	"fmt"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// Edit records an edit of an earlier message in the sent log, as a record
// of type "edit" on message.ChangeLane. A closed instance is
// ErrNotConnected, as for Send.
func (n *Network) Edit(ctx context.Context, instance string, e driver.Edit) error {
	if err := n.fenceOK(ctx, instance, "Edit"); err != nil {
		return err
	}
	return n.recordChange(ctx, instance, SentRecord{Outbound: driver.Outbound{MessageID: e.MessageID,
		WAMessageID: e.WAMessageID, To: e.To, Type: message.Type(message.ChangeEdit)}, Edit: &e})
}

// Revoke records a deletion for everyone of an earlier message, like Edit.
func (n *Network) Revoke(ctx context.Context, instance string, r driver.Revoke) error {
	if err := n.fenceOK(ctx, instance, "Revoke"); err != nil {
		return err
	}
	return n.recordChange(ctx, instance, SentRecord{Outbound: driver.Outbound{MessageID: r.MessageID,
		WAMessageID: r.WAMessageID, To: r.To, Type: message.Type(message.ChangeRevoke)}, Revoke: &r})
}

func (n *Network) recordChange(ctx context.Context, instance string, rec SentRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.conns[instance]
	if c == nil || c.state != open {
		return fmt.Errorf("sandbox: %s from %s: %w", rec.Type, instance, driver.ErrNotConnected)
	}
	rec.Lane, rec.SentAt = string(message.ChangeLane), n.clk.Now()
	c.sent = append(c.sent, rec)
	return nil
}
