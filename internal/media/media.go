// Package media fetches the file a tenant's message points at. Every
// WhatsApp driver uses this one fetcher so that the rules protecting the
// gateway from its tenants are enforced in a single place: no requests into
// private networks (including through redirects and DNS rebinding), bounded
// time, bounded size, and bytes that really are what the message type says.
//
// Failures are *Error values whose Msg is safe to store on the message and
// show through the API; the wrapped Err keeps the detail for logs.
package media

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/netguard"
)

const mb = 1 << 20

// Limit returns the largest body accepted for a message of type t, in
// bytes, or 0 for a type that carries no media: the kind's own limit,
// which is WhatsApp's (API.md), so a file accepted here is not refused
// later for its size.
func Limit(t message.Type) int64 {
	k, _ := message.KindOf(t)
	m, _ := k.Media()
	return m.MaxBytes
}

// Media is a fetched file, ready to upload to WhatsApp.
type Media struct {
	Data []byte
	// ContentType is sniffed from Data, never taken from the server: WhatsApp
	// clients trust the type we declare, and servers are often wrong or lying.
	ContentType string
	// FileName comes from Content-Disposition or the URL path, reduced to a
	// single harmless path element; "" if there is none.
	FileName string
}

// Options configures a Fetcher. Zero values pick the defaults.
type Options struct {
	Policy       netguard.Policy
	Timeout      time.Duration // whole fetch including the body; default 30s
	TLS          *tls.Config   // nil = system roots; tests pass the httptest server's pool
	MaxRedirects int           // default 3
}

// Defaults, and the per-phase bounds that keep one stuck phase from using
// the whole fetch budget silently.
const (
	defaultTimeout      = 30 * time.Second
	defaultMaxRedirects = 3
	dialTimeout         = 10 * time.Second
	handshakeTimeout    = 10 * time.Second
	headerTimeout       = 20 * time.Second
	maxHeaderBytes      = 64 << 10
	userAgent           = "wagateway-media/1"
)

// Fetcher downloads media under one netguard policy. It is safe for
// concurrent use; share one per process so connections can be reused.
type Fetcher struct {
	policy       netguard.Policy
	timeout      time.Duration
	maxRedirects int
	// dialer carries the policy's Control hook, which sees every address
	// after DNS resolution; tests swap its Resolver for an in-memory one.
	dialer *net.Dialer
	// dial is what the transport calls; a field so tests can count attempts.
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)
	client *http.Client
}

// New returns a Fetcher. The transport is its own, never
// http.DefaultTransport, and ignores proxy environment variables: a proxy
// would make the connection, so the address check would only ever see the
// proxy's address.
func New(o Options) *Fetcher {
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = defaultMaxRedirects
	}
	f := &Fetcher{
		policy:       o.Policy,
		timeout:      o.Timeout,
		maxRedirects: o.MaxRedirects,
		dialer:       &net.Dialer{Timeout: dialTimeout, Control: o.Policy.Control},
	}
	f.dial = f.dialer.DialContext
	transport := netguard.Transport(func(ctx context.Context, network, addr string) (net.Conn, error) {
		return f.dial(ctx, network, addr)
	}, o.TLS)
	transport.TLSHandshakeTimeout = handshakeTimeout
	transport.ResponseHeaderTimeout = headerTimeout
	transport.MaxResponseHeaderBytes = maxHeaderBytes
	transport.MaxIdleConnsPerHost = 2
	transport.IdleConnTimeout = 30 * time.Second
	f.client = &http.Client{Transport: transport, CheckRedirect: f.checkRedirect}
	return f
}

// checkRedirect applies the acceptance rules to every hop, because a
// redirect is just a URL the tenant chose indirectly. CheckURL already
// refuses an https→http downgrade except to loopback in local mode.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.maxRedirects {
		return &Error{Msg: "media URL redirected too many times", Err: errTooManyRedirects}
	}
	if err := f.policy.CheckURL(req.URL.String()); err != nil {
		return &Error{Msg: "media redirect not allowed: " + lowerFirst(err.Error()), Err: err}
	}
	return nil
}
