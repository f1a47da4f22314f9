package media

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/netguard"
)

// Error is a failed fetch. Msg is stored on the message and returned by the
// API, so it never carries resolved addresses or library text; Err does,
// for logs and errors.Is.
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

var (
	errTimeout          = errors.New("media fetch timeout")
	errTooManyRedirects = errors.New("too many redirects")
	errTooLarge         = errors.New("body over the type's limit")
	errEmpty            = errors.New("empty body")
	errStatus           = errors.New("non-2xx status")
	errKind             = errors.New("content does not match the message type")
	errNoMedia          = errors.New("message type carries no media")
)

// Fetch downloads rawURL for a message of type t. The URL is checked before
// any connection is made, every redirect hop is checked again, and the
// dialer refuses forbidden addresses after DNS, so a hostile URL fails
// without reaching anything it should not. Errors are *Error.
func (f *Fetcher) Fetch(ctx context.Context, t message.Type, rawURL string) (Media, error) {
	k, _ := message.KindOf(t)
	spec, ok := k.Media()
	if !ok {
		return Media{}, &Error{Msg: "message type carries no media", Err: errNoMedia}
	}
	limit := spec.MaxBytes
	if err := f.policy.CheckURL(rawURL); err != nil {
		return Media{}, &Error{Msg: "media URL not allowed: " + lowerFirst(err.Error()), Err: err}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, f.timeout, errTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Media{}, &Error{Msg: "media URL not allowed: " + lowerFirst(netguard.ErrURL.Error()), Err: err}
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "*/*")
	resp, err := f.client.Do(req)
	if err != nil {
		return Media{}, classify(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Media{}, &Error{Msg: fmt.Sprintf("media URL answered %d", resp.StatusCode), Err: errStatus}
	}
	tooLarge := &Error{Msg: fmt.Sprintf("media larger than %d MB", limit/mb), Err: errTooLarge}
	if resp.ContentLength > limit {
		return Media{}, tooLarge
	}
	// Content-Length may be absent or a lie, so the limit is enforced on
	// the bytes themselves; one extra byte tells "exactly limit" from "over".
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err == nil && ctx.Err() != nil {
		// The deadline or the caller ended the fetch: a server that gave up
		// at the same moment may have answered with an empty body, but the
		// truth to report is the timeout or the cancellation.
		err = ctx.Err()
	}
	if err != nil {
		return Media{}, classify(ctx, err)
	}
	if int64(len(data)) > limit {
		return Media{}, tooLarge
	}
	if len(data) == 0 {
		return Media{}, &Error{Msg: "media URL returned an empty body", Err: errEmpty}
	}
	name := fileName(resp.Header.Get("Content-Disposition"), req.URL, resp.Request.URL)
	ct := sniff(data, name)
	if !spec.Accepts(baseType(ct)) {
		return Media{}, &Error{Msg: spec.Refusal(baseType(ct)), Err: errKind}
	}
	return Media{Data: data, ContentType: ct, FileName: name}, nil
}

// classify turns a transport failure into a public message. The order
// matters: a dial refused by the policy is reported as such even when
// other errors are joined to it, and deadlines win over the symptom they
// caused (a reset connection, a short read).
func classify(ctx context.Context, err error) *Error {
	var pub *Error
	var dnsErr *net.DNSError
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var alert tls.AlertError
	switch {
	case errors.As(err, &pub):
		return pub
	case errors.Is(err, netguard.ErrAddress):
		return &Error{Msg: "media host resolves to a private, loopback or link-local address", Err: err}
	case ctx.Err() != nil:
		if errors.Is(context.Cause(ctx), errTimeout) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &Error{Msg: "timed out fetching media", Err: fmt.Errorf("%w: %w", context.DeadlineExceeded, err)}
		}
		return &Error{Msg: "media fetch canceled", Err: fmt.Errorf("%w: %w", ctx.Err(), err)}
	case errors.As(err, &netErr) && netErr.Timeout():
		return &Error{Msg: "timed out fetching media", Err: err}
	case errors.As(err, &dnsErr):
		return &Error{Msg: "media host not found", Err: err}
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidCert):
		return &Error{Msg: "media host has an invalid TLS certificate", Err: err}
	case errors.As(err, &recordErr), errors.As(err, &alert):
		return &Error{Msg: "TLS handshake with media host failed", Err: err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Msg: "media host refused the connection", Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Msg: "media download was cut short", Err: err}
	}
	return &Error{Msg: "could not fetch media", Err: err}
}

// lowerFirst lets netguard's field-validation texts ("Must be ...") read
// as the tail of a sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
