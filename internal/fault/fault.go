// Package fault holds the gateway's error vocabulary: sentinels for each
// class of failure a client can see, one typed error that carries the text
// safe to show, and the validation error with its list of issues. The HTTP
// layer maps these to status codes in one place.
package fault

import (
	"errors"
	"strings"
)

// Sentinels, one per client-visible class of failure.
var (
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrTooLarge     = errors.New("too large")
	ErrRateLimited  = errors.New("rate limited")
	ErrSession      = errors.New("whatsapp session error")
	// ErrUnsupportedMediaType: a body the API cannot read as JSON because
	// its Content-Type says it is something else (a form, plain text).
	ErrUnsupportedMediaType = errors.New("unsupported media type")
)

// Error is a client-visible failure: Kind is one of the sentinels above and
// Msg is text that is safe to return in a response body.
type Error struct {
	Kind error
	Msg  string
}

// New returns an *Error of the given kind with a public message.
func New(kind error, msg string) *Error { return &Error{Kind: kind, Msg: msg} }

func (e *Error) Error() string { return e.Msg }

// Unwrap lets errors.Is match the sentinel.
func (e *Error) Unwrap() error { return e.Kind }

// Issue is one problem with a request: where (a JSON path) and what.
type Issue struct {
	Path    []any  `json:"path"`
	Message string `json:"message"`
}

// ValidationError is a 400: the request is malformed in the listed ways.
type ValidationError struct {
	Issues []Issue
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Issues))
	for _, is := range e.Issues {
		parts = append(parts, is.Message)
	}
	return "validation error: " + strings.Join(parts, "; ")
}

// Invalid builds a ValidationError with one issue at path.
func Invalid(message string, path ...any) *ValidationError {
	if path == nil {
		path = []any{}
	}
	return &ValidationError{Issues: []Issue{{Path: path, Message: message}}}
}

// Issues collects validation issues and returns them as one error.
type Issues []Issue

// Add records a problem at path.
func (is *Issues) Add(message string, path ...any) {
	if path == nil {
		path = []any{}
	}
	*is = append(*is, Issue{Path: path, Message: message})
}

// Err returns nil when nothing was recorded, else a *ValidationError.
func (is Issues) Err() error {
	if len(is) == 0 {
		return nil
	}
	return &ValidationError{Issues: is}
}
