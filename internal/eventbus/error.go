package eventbus

import "fmt"

// PublishError says which events a Publish did not put on the bus.
type PublishError struct {
	total    int
	failed   []string          // refused through every retry
	rejected map[string]string // never publishable: id → reason
	code     string            // the last refusal's code
	cause    error             // the context's error when Publish was cut short
}

// NotPublished lists the events refused through every retry, in order:
// keep them pending and publish them again later.
func (e *PublishError) NotPublished() []string { return e.failed }

// Rejected maps the events the bus can never take (too large, not a valid
// event) to a short reason that is safe to show a tenant. Publishing them
// again would fail the same way.
func (e *PublishError) Rejected() map[string]string { return e.rejected }

// Code is the error code of the last refusal, "" when only rejections.
func (e *PublishError) Code() string { return e.code }

func (e *PublishError) Error() string {
	msg := fmt.Sprintf("eventbus: %d of %d events not published", len(e.failed), e.total)
	if e.code != "" {
		msg += " (" + e.code + ")"
	}
	if len(e.rejected) > 0 {
		msg += fmt.Sprintf(", %d rejected", len(e.rejected))
	}
	return msg
}

// Unwrap gives the context's error when Publish was cut short.
func (e *PublishError) Unwrap() error { return e.cause }
