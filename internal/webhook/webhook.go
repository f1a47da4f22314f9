// Package webhook makes one signed webhook delivery and says how it went.
// The local dispatcher and the AWS webhooks Lambda both deliver through it,
// so the contract of API.md (signature, headers, what counts as delivered,
// the retry schedule) and the rules that keep tenants from aiming the
// gateway at private networks live in one place and cannot drift apart.
//
// Deliver makes exactly one attempt. Scheduling the retries and keeping
// dead letters is the caller's job, because the two callers keep state in
// different places (SQLite and SQS); the schedule itself is here (Next).
//
// Result.Error is stored as a delivery's lastError and shown to the tenant,
// so it is always one of a fixed set of short texts: never library error
// text, never the URL, the secret, the request body or the response body.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/wagateway/wagateway/internal/netguard"
)

// Defaults and bounds.
const (
	// defaultTimeout is API.md's "answer 2xx within 10 s".
	defaultTimeout   = 10 * time.Second
	defaultUserAgent = "wagateway-webhooks/1"
	// maxDrain is how much of a response body is read. Receivers' bodies
	// mean nothing to us; reading a small one to the end is only what lets
	// the connection go back to the pool, and a large one is not worth it.
	maxDrain       = 64 << 10
	maxHeaderBytes = 64 << 10
	// Pool sizes: one receiver often gets bursts of events (a busy
	// instance), so as many connections per host stay warm as a
	// dispatcher has attempts in flight (32 by default): with fewer, every
	// burst closes the surplus and dials it again, a TCP (and TLS)
	// handshake per event. The total is bounded because a gateway serves
	// many tenants' receivers.
	maxIdlePerHost  = 64
	maxIdleTotal    = 256
	idleConnTimeout = 30 * time.Second
	// maxCheckedURLs bounds the remembered URL verdicts (see checkURL).
	maxCheckedURLs = 4096
)

// Sign returns the lowercase hex HMAC-SHA256 of body keyed with secret —
// receivers verify exactly as
// hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest().
// It is exported so a caller can show or test the value it will send; the
// bytes signed must be the bytes sent, so never re-encode the body after.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Attempt is one delivery to make.
type Attempt struct {
	DeliveryID string // x-gateway-delivery: the same across retries of one event
	Event      string // x-gateway-event
	URL        string
	Secret     string // current at delivery time
	Body       []byte // exact bytes, signed as they are
}

// Result of one attempt. Delivered means the receiver answered 2xx within
// the timeout.
type Result struct {
	Delivered  bool
	StatusCode int    // 0 when there was no HTTP answer
	Error      string // safe, short text for lastError; "" when delivered
	Took       time.Duration
}

// Options configures a Client. Zero values pick the defaults.
type Options struct {
	Policy    netguard.Policy
	Timeout   time.Duration // default 10s (API.md): the whole attempt, headers and body
	TLS       *tls.Config   // nil = system roots; tests pass httptest's pool
	UserAgent string        // default "wagateway-webhooks/1"
}

// Client delivers webhooks under one netguard policy. It is safe for
// concurrent use; share one per process so connections to a receiver are
// kept alive across events.
type Client struct {
	policy    netguard.Policy
	timeout   time.Duration
	userAgent string
	// dialer carries the policy's Control hook, which sees every address
	// after DNS resolution; tests swap its Resolver for an in-memory one.
	dialer *net.Dialer
	// dial is what the transport calls; a field so tests can log dials.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// transport makes the request: the attempt goes straight to it, not
	// through an http.Client, which would copy the headers for redirects
	// we never follow (a 3xx is the attempt's answer) and set up timers
	// the attempt's context already provides. Tests wrap it.
	transport http.RoundTripper
	closeIdle func()

	// checked remembers CheckURL's verdict per URL: a verdict depends on
	// the URL and the policy only, and a receiver gets many events.
	mu      sync.Mutex
	checked map[string]error
	// signers keeps keyed HMAC states, so that events to one receiver do
	// not key a new HMAC (two digests, a hashed block per pad) each time.
	signers sync.Pool
}

// signer is an HMAC-SHA256 keyed with secret.
type signer struct {
	secret string
	mac    hash.Hash
	sum    [sha256.Size]byte
}

// New returns a Client. The transport is its own, never
// http.DefaultTransport, and ignores proxy environment variables: a proxy
// would make the connection, so the address check would only ever see the
// proxy's address.
func New(o Options) *Client {
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.UserAgent == "" {
		o.UserAgent = defaultUserAgent
	}
	c := &Client{
		policy:    o.Policy,
		checked:   map[string]error{},
		timeout:   o.Timeout,
		userAgent: o.UserAgent,
		// The attempt's context bounds every phase; the dialer and
		// handshake timeouts only bound work the transport may finish in
		// the background after the attempt has given up.
		dialer: &net.Dialer{Timeout: o.Timeout, Control: o.Policy.Control},
	}
	c.dial = c.dialer.DialContext
	transport := netguard.Transport(func(ctx context.Context, network, addr string) (net.Conn, error) {
		return c.dial(ctx, network, addr)
	}, o.TLS)
	transport.TLSHandshakeTimeout = o.Timeout
	transport.MaxResponseHeaderBytes = maxHeaderBytes
	transport.MaxIdleConns = maxIdleTotal
	transport.MaxIdleConnsPerHost = maxIdlePerHost
	transport.IdleConnTimeout = idleConnTimeout
	// The response body is discarded, so decompressing it is wasted work,
	// and without it the drain cap counts wire bytes.
	transport.DisableCompression = true
	c.transport, c.closeIdle = transport, transport.CloseIdleConnections
	return c
}

// CloseIdleConnections drops the kept-alive connections, for shutdown and
// for a Lambda about to be frozen (they would be stale on thaw).
func (c *Client) CloseIdleConnections() { c.closeIdle() }

// errAttemptTimeout marks our own deadline, to tell it from the caller's.
var errAttemptTimeout = errors.New("webhook attempt timed out")

// Deliver makes one attempt and classifies it. It never returns an error:
// every failure is a Result the caller records and schedules a retry for.
//
// The URL is checked before anything is dialled, and every resolved
// address again at dial time, because the URL was accepted earlier and its
// DNS may have changed since.
//
// A request that was written on a kept-alive connection the receiver had
// just closed is sent again on a fresh one within the same attempt (the
// receiver never answered it). Receivers already deduplicate on
// x-gateway-delivery, and this keeps a routine keep-alive race (Node's
// 5-second idle timeout, say) from showing up as a failed attempt.
func (c *Client) Deliver(ctx context.Context, a Attempt) Result {
	start := time.Now()
	r := c.deliver(ctx, a, start)
	r.Took = time.Since(start)
	return r
}

func (c *Client) deliver(ctx context.Context, a Attempt, start time.Time) Result {
	if err := c.checkURL(a.URL); err != nil {
		return Result{Error: urlError(err)}
	}
	if !validHeaderValue(a.Event) || !validHeaderValue(a.DeliveryID) {
		return Result{Error: "invalid event or delivery id"}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, errAttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL, bytes.NewReader(a.Body))
	if err != nil {
		return Result{Error: "invalid webhook URL"}
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", c.userAgent)
	// Spelled as in API.md. HTTP/2 lowercases header names anyway, so this
	// way receivers see the same spelling over either protocol.
	h["x-gateway-signature"] = []string{c.sign(a.Secret, a.Body)}
	h["x-gateway-event"] = []string{a.Event}
	h["x-gateway-delivery"] = []string{a.DeliveryID}
	// An empty Idempotency-Key is not sent; it tells the transport the POST
	// may be replayed on a fresh connection when a reused one turns out to
	// be dead before any answer (see Deliver).
	h["Idempotency-Key"] = nil

	// A redirect is not an answer: following it would POST the event
	// somewhere the tenant did not configure (and past CheckURL), so the
	// 3xx itself is the result and counts as a failure.
	resp, err := c.transport.RoundTrip(req)
	if err != nil {
		return Result{Error: c.classify(ctx, err, start)}
	}
	drain(resp)
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return Result{Delivered: true, StatusCode: resp.StatusCode}
	}
	return Result{StatusCode: resp.StatusCode, Error: "HTTP " + strconv.Itoa(resp.StatusCode)}
}

// checkURL is the policy's CheckURL, remembered per URL.
func (c *Client) checkURL(raw string) error {
	c.mu.Lock()
	err, ok := c.checked[raw]
	c.mu.Unlock()
	if ok {
		return err
	}
	err = c.policy.CheckURL(raw)
	c.mu.Lock()
	if len(c.checked) >= maxCheckedURLs {
		clear(c.checked)
	}
	c.checked[raw] = err
	c.mu.Unlock()
	return err
}

// sign is Sign with a kept HMAC state when one for secret is at hand.
func (c *Client) sign(secret string, body []byte) string {
	s, _ := c.signers.Get().(*signer)
	if s == nil || s.secret != secret {
		s = &signer{secret: secret, mac: hmac.New(sha256.New, []byte(secret))}
	} else {
		s.mac.Reset()
	}
	s.mac.Write(body)
	sig := hex.EncodeToString(s.mac.Sum(s.sum[:0]))
	c.signers.Put(s)
	return sig
}

// drain reads and discards a small response so its connection can be
// reused, and closes it. The status line already decided the result: a
// body that is slow or breaks off does not undo a 2xx. The attempt's
// context still bounds the read, so a dripping body cannot outlast the
// timeout; a body known to be over the cap is not read at all, since its
// connection is lost anyway.
func drain(resp *http.Response) {
	if resp.ContentLength <= maxDrain {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	}
	_ = resp.Body.Close()
}

// urlError maps CheckURL's verdicts. The URL was accepted when the tenant
// set it, so reaching these means the policy or the URL changed since.
func urlError(err error) string {
	switch {
	case errors.Is(err, netguard.ErrAddress):
		return "address not allowed"
	case errors.Is(err, netguard.ErrScheme):
		return "https required"
	}
	return "invalid webhook URL"
}

// validHeaderValue refuses control characters, which the transport would
// refuse later with an error text we do not want to classify.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; (b < 0x20 && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// classify turns a transport failure into a lastError text. The order
// matters: a dial refused by the policy is reported as such even when
// other errors are joined to it, and deadlines win over the symptom they
// caused (a reset connection, a short read).
func (c *Client) classify(ctx context.Context, err error, start time.Time) string {
	var netErr net.Error
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var alert tls.AlertError
	switch {
	case errors.Is(err, netguard.ErrAddress):
		return "address not allowed"
	case ctx.Err() != nil:
		switch cause := context.Cause(ctx); {
		case errors.Is(cause, errAttemptTimeout):
			return "timed out after " + c.timeout.String()
		case errors.Is(cause, context.DeadlineExceeded):
			// The caller's deadline (a Lambda running out of time) came
			// first: still the receiver not answering in the time we had.
			return "timed out after " + time.Since(start).Round(time.Millisecond).String()
		}
		return "canceled"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timed out after " + c.timeout.String()
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "host not found"
		}
		return "DNS error"
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidCert):
		return "TLS certificate not valid"
	case errors.As(err, &recordErr), errors.As(err, &alert),
		// The transport replaces the RecordHeaderError of an https URL
		// answered in plain HTTP with an unwrapped error of its own.
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "TLS error"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed without a response"
	}
	return "connection failed"
}
