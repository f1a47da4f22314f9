package sandbox

import (
	"context"
	"fmt"

	"github.com/wagateway/wagateway/internal/driver"
)

// Presence records a chat presence with the network's time, for GET
// /sandbox/{name}/presence. A closed instance is ErrNotConnected, as for
// Send.
func (n *Network) Presence(ctx context.Context, instance, to string, state driver.ChatPresence) error {
	if err := n.fenceOK(ctx, instance, "Presence"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.conns[instance]
	if c == nil || c.state != open {
		return fmt.Errorf("sandbox: presence of %s: %w", instance, driver.ErrNotConnected)
	}
	c.shown = append(c.shown, driver.Presence{To: to, State: state, At: n.clk.Now()})
	return nil
}

// Presences returns the chat presences instance showed, oldest first.
func (n *Network) Presences(instance string) []driver.Presence {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []driver.Presence{}
	if c := n.conns[instance]; c != nil {
		out = append(out, c.shown...)
	}
	return out
}
