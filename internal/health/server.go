package health

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Timeouts of the health listener. Its only client is the container's
// own health check, which gives up after a few seconds; nothing it does
// should ever take longer.
const (
	readHeaderTimeout = 2 * time.Second
	writeTimeout      = 5 * time.Second
	idleTimeout       = 30 * time.Second
	shutdownTimeout   = 5 * time.Second
)

// Server is the health listener: loopback only, because the process it
// reports on accepts no inbound connections by design, and the check
// runs inside the same container (network namespace).
type Server struct {
	l   net.Listener
	srv *http.Server
}

// Listen binds addr for h. It refuses an address that binds anything but
// a loopback interface.
func Listen(addr string, h http.Handler) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("health listener: %w", err)
	}
	if tcp, ok := l.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = l.Close()
		return nil, fmt.Errorf("health listener %q: not a loopback address", addr)
	}
	return &Server{l: l, srv: &http.Server{
		Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readHeaderTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout,
	}}, nil
}

// Addr is the bound address (host:port), with the real port when addr
// asked for port 0.
func (s *Server) Addr() string { return s.l.Addr().String() }

// Run serves until ctx ends, then shuts down and returns nil; it returns
// an error if serving fails before.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("health listener: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		_ = s.srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("health listener: %w", err)
	}
	return nil
}

// Close releases the listener of a Server that will not Run.
func (s *Server) Close() error { return s.l.Close() }
