package command

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
)

// ErrHostFailed is how an error without a public meaning (neither a
// *fault.Error nor a *fault.ValidationError) arrives from the host: its
// text stays on the host, in the worker's log, and the API answers 500.
var ErrHostFailed = errors.New("command: the session host failed to run the command")

// Result is what a command produced: Value for link (the QR code) and
// pairing-code (the code), Device for device, Data for a group or
// contact operation (its JSON answer, group.go), or Err.
type Result struct {
	Value  string
	Device driver.Device
	Data   json.RawMessage
	Err    error
}

// The wire form. An error has a kind: a fault sentinel's stable name,
// "validation", or "internal".
type wireResult struct {
	Value  string          `json:"value,omitempty"`
	Device *wireDevice     `json:"device,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
	Error  *wireError      `json:"error,omitempty"`
}

type wireDevice struct {
	Name     string `json:"name"`
	Platform string `json:"platform"`
}

type wireError struct {
	Kind    string      `json:"kind"`
	Message string      `json:"message,omitempty"`
	Issues  []wireIssue `json:"issues,omitempty"`
}

type wireIssue struct {
	Path    []any  `json:"path"`
	Message string `json:"message"`
}

const (
	kindValidation = "validation"
	kindInternal   = "internal"
)

// faultKinds pairs each fault sentinel with its stable wire name. Both
// directions read it, so a new kind is added here and nowhere else. Order
// matters only for a kind that wraps more than one sentinel: the first
// match names it.
var faultKinds = []struct {
	name string
	kind error
}{
	{"unauthorized", fault.ErrUnauthorized},
	{"forbidden", fault.ErrForbidden},
	{"not-found", fault.ErrNotFound},
	{"conflict", fault.ErrConflict},
	{"too-large", fault.ErrTooLarge},
	{"rate-limited", fault.ErrRateLimited},
	{"session", fault.ErrSession},
}

// faultName is the stable wire name of a fault sentinel, "" for others.
func faultName(kind error) string {
	for _, k := range faultKinds {
		if errors.Is(kind, k.kind) {
			return k.name
		}
	}
	return ""
}

// faultKind is the sentinel of a wire name, nil for others.
func faultKind(name string) error {
	for _, k := range faultKinds {
		if k.name == name {
			return k.kind
		}
	}
	return nil
}

// EncodeResult is the stored form of r. An error is reduced to what a
// client may see (see ErrHostFailed).
func EncodeResult(r Result) ([]byte, error) {
	var w wireResult
	if r.Err != nil {
		w.Error = encodeError(r.Err)
	} else {
		w.Value, w.Data = r.Value, r.Data
		if r.Device != (driver.Device{}) {
			w.Device = &wireDevice{Name: r.Device.Name, Platform: r.Device.Platform}
		}
	}
	b, err := json.Marshal(w)
	if err != nil { // only an issue path holding an unencodable value
		return nil, fmt.Errorf("encode result: %w", err)
	}
	return b, nil
}

func encodeError(err error) *wireError {
	var v *fault.ValidationError
	if errors.As(err, &v) {
		issues := make([]wireIssue, len(v.Issues))
		for i, is := range v.Issues {
			issues[i] = wireIssue{Path: is.Path, Message: is.Message}
		}
		return &wireError{Kind: kindValidation, Issues: issues}
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		if name := faultName(fe.Kind); name != "" {
			return &wireError{Kind: name, Message: fe.Msg}
		}
	}
	return &wireError{Kind: kindInternal}
}

// DecodeResult parses a stored result. It rejects anything EncodeResult
// would not write, except unknown fields (a newer host may add some).
func DecodeResult(b []byte) (Result, error) {
	if !bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{")) {
		return Result{}, errors.New("decode result: not a JSON object")
	}
	var w wireResult
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // issue path indexes stay integers
	if err := dec.Decode(&w); err != nil {
		return Result{}, fmt.Errorf("decode result: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Result{}, errors.New("decode result: trailing data")
	}
	if w.Error == nil {
		r := Result{Value: w.Value, Data: w.Data}
		if w.Device != nil {
			r.Device = driver.Device{Name: w.Device.Name, Platform: w.Device.Platform}
		}
		return r, nil
	}
	if w.Value != "" || w.Device != nil || w.Data != nil {
		return Result{}, errors.New("decode result: both a value and an error")
	}
	err, derr := decodeError(w.Error)
	if derr != nil {
		return Result{}, fmt.Errorf("decode result: %w", derr)
	}
	return Result{Err: err}, nil
}

func decodeError(w *wireError) (error, error) {
	switch w.Kind {
	case kindInternal:
		return ErrHostFailed, nil
	case kindValidation:
		issues := make([]fault.Issue, len(w.Issues))
		for i, is := range w.Issues {
			path, err := decodePath(is.Path)
			if err != nil {
				return nil, fmt.Errorf("issue %d: %w", i, err)
			}
			issues[i] = fault.Issue{Path: path, Message: is.Message}
		}
		return &fault.ValidationError{Issues: issues}, nil
	}
	if kind := faultKind(w.Kind); kind != nil {
		return fault.New(kind, w.Message), nil
	}
	return nil, fmt.Errorf("unknown error kind %q", w.Kind)
}

// decodePath keeps a path as the API built it: names and array indexes.
func decodePath(raw []any) ([]any, error) {
	path := make([]any, len(raw))
	for i, el := range raw {
		switch v := el.(type) {
		case string:
			path[i] = v
		case json.Number:
			n, err := v.Int64()
			if err != nil || n < math.MinInt32 || n > math.MaxInt32 {
				return nil, fmt.Errorf("path element %s is not an index", v)
			}
			path[i] = int(n)
		default:
			return nil, fmt.Errorf("path element of type %T", el)
		}
	}
	return path, nil
}
