package netguardtest

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
)

// DialFunc is a transport's dial function.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// DialLog records every address a transport dials, to prove that refused
// URLs never cause a connection attempt. It also refuses anything but
// loopback and the in-memory ".test" names, so even a regression cannot
// make a test reach the network.
type DialLog struct {
	mu    sync.Mutex
	addrs []string
}

// Wrap returns next with logging and the loopback-only guard in front.
func (d *DialLog) Wrap(next DialFunc) DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		d.mu.Lock()
		d.addrs = append(d.addrs, addr)
		d.mu.Unlock()
		host, _, _ := net.SplitHostPort(addr)
		if host != "127.0.0.1" && host != "::1" && host != "localhost" && !strings.HasSuffix(host, ".test") {
			return nil, errors.New("test refuses to dial " + addr)
		}
		return next(ctx, network, addr)
	}
}

// List returns the addresses dialled so far.
func (d *DialLog) List() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}
