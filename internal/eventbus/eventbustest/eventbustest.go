// Package eventbustest is a PutEvents fake for tests, since no EventBridge
// emulator runs offline. It speaks the wire protocol the AWS SDK uses (JSON
// 1.1, X-Amz-Target: AWSEvents.PutEvents), checks requests against
// EventBridge's limits, and turns each accepted entry into the event JSON
// a rule target receives, handing it to a forward function (an end-to-end
// test sends it to the webhook queue, as the rule would).
package eventbustest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// The account and region the fake stamps on events.
const (
	Account = "123456789012"
	Region  = "us-east-1"
)

// Request limits EventBridge enforces on PutEvents.
const (
	maxEntries      = 10
	maxRequestBytes = 256 << 10
)

// Entry is one PutEvents request entry as the fake received it.
type Entry struct {
	Source       string
	DetailType   string
	Detail       string
	EventBusName string
	Resources    []string
	Time         time.Time // zero when the entry had none
	Request      int       // 1-based number of the request that carried it
}

// Event is the event a rule target receives, the shape the fake forwards.
type Event struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// Stats counts what the fake received. Its methods are safe to call while
// requests are served.
type Stats struct {
	mu       sync.Mutex
	requests int
	entries  []Entry
}

// Requests is how many PutEvents requests arrived, valid or not.
func (s *Stats) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Entries lists every entry of every well-formed request, in arrival
// order, refused ones included.
func (s *Stats) Entries() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Entry(nil), s.entries...)
}

// Option configures the fake.
type Option func(*fake)

// Record makes the fake count requests and entries into s.
func Record(s *Stats) Option { return func(f *fake) { f.stats = s } }

// FailEntries makes the fake refuse entries: fail sees each entry and
// returns the per-entry error code to answer with (ThrottlingException,
// InternalFailure, ...), or "" to accept it. Refused entries are not
// forwarded.
func FailEntries(fail func(Entry) string) Option { return func(f *fake) { f.failEntry = fail } }

// FailRequests makes the fake refuse whole requests: fail sees the 1-based
// request number and returns an error code to answer with (HTTP 400, or
// 500 for InternalException), or "" to serve it.
func FailRequests(fail func(n int) string) Option { return func(f *fake) { f.failRequest = fail } }

type fake struct {
	t           testing.TB
	forward     func(ctx context.Context, event []byte) error
	stats       *Stats
	failEntry   func(Entry) string
	failRequest func(int) string
	mu          sync.Mutex
	requests    int
}

// New starts the fake and returns its endpoint, for the client's
// BaseEndpoint. forward receives every accepted entry as the event JSON a
// rule target gets; if it fails, the entry is answered as an
// InternalFailure, so no event vanishes unnoticed in a test. forward may
// be nil. The server stops when the test ends.
func New(t testing.TB, forward func(ctx context.Context, event []byte) error, opts ...Option) string {
	t.Helper()
	f := &fake{t: t, forward: forward}
	for _, o := range opts {
		o(f)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL
}

// request is the PutEvents body. Time is epoch seconds in AWS JSON 1.1.
type request struct {
	Entries []struct {
		Source       *string
		DetailType   *string
		Detail       *string
		EventBusName *string
		Resources    []string
		Time         *json.Number
	}
}

type resultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	n := f.requests
	f.mu.Unlock()
	if f.stats != nil {
		f.stats.mu.Lock()
		f.stats.requests++
		f.stats.mu.Unlock()
	}
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "AWSEvents.PutEvents" {
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "only AWSEvents.PutEvents")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeError(w, http.StatusBadRequest, "SerializationException", "content type "+ct)
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", "body")
		return
	}
	var req request
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", "body is not PutEvents JSON")
		return
	}
	entries := make([]Entry, len(req.Entries))
	size := 0
	for i, e := range req.Entries {
		entries[i] = Entry{Source: deref(e.Source), DetailType: deref(e.DetailType), Detail: deref(e.Detail),
			EventBusName: deref(e.EventBusName), Resources: e.Resources, Request: n}
		if e.Time != nil {
			secs, err := e.Time.Float64()
			if err != nil {
				writeError(w, http.StatusBadRequest, "SerializationException", "Time is not epoch seconds")
				return
			}
			whole, frac := math.Modf(secs)
			entries[i].Time = time.Unix(int64(whole), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
			size += 14
		}
		size += len(entries[i].Source) + len(entries[i].DetailType) + len(entries[i].Detail)
		for _, res := range e.Resources {
			size += len(res)
		}
	}
	if f.stats != nil {
		f.stats.mu.Lock()
		f.stats.entries = append(f.stats.entries, entries...)
		f.stats.mu.Unlock()
	}
	switch {
	case len(entries) == 0 || len(entries) > maxEntries:
		writeError(w, http.StatusBadRequest, "ValidationException",
			fmt.Sprintf("1 validation error detected: entries must have 1 to %d members", maxEntries))
		return
	case size > maxRequestBytes:
		writeError(w, http.StatusBadRequest, "ValidationException", "Total size of the entries in the request is over the limit.")
		return
	}
	if f.failRequest != nil {
		if code := f.failRequest(n); code != "" {
			status := http.StatusBadRequest
			if code == "InternalException" {
				status = http.StatusInternalServerError
			}
			writeError(w, status, code, "refused by the test")
			return
		}
	}
	out := struct {
		FailedEntryCount int
		Entries          []resultEntry
	}{Entries: make([]resultEntry, len(entries))}
	for i, e := range entries {
		out.Entries[i] = f.accept(r.Context(), e)
		if out.Entries[i].ErrorCode != "" {
			out.FailedEntryCount++
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// accept checks one entry as EventBridge would, applies the failure
// option, and forwards what passes.
func (f *fake) accept(ctx context.Context, e Entry) resultEntry {
	switch {
	case e.Source == "" || e.DetailType == "" || e.Detail == "":
		return resultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter(s) Source, DetailType, Detail must be specified."}
	case !json.Valid([]byte(e.Detail)) || !bytes.HasPrefix(bytes.TrimSpace([]byte(e.Detail)), []byte("{")):
		return resultEntry{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
	}
	if f.failEntry != nil {
		if code := f.failEntry(e); code != "" {
			return resultEntry{ErrorCode: code, ErrorMessage: "refused by the test"}
		}
	}
	ev := Event{Version: "0", ID: uuid.NewString(), DetailType: e.DetailType, Source: e.Source,
		Account: Account, Time: e.Time.UTC().Format(time.RFC3339), Region: Region,
		Resources: e.Resources, Detail: json.RawMessage(e.Detail)}
	if e.Time.IsZero() {
		ev.Time = time.Now().UTC().Format(time.RFC3339)
	}
	if ev.Resources == nil {
		ev.Resources = []string{}
	}
	if f.forward != nil {
		// EventBridge passes the detail through as it came; encoding/json
		// would HTML-escape it by default.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(ev); err != nil {
			return resultEntry{ErrorCode: "InternalFailure", ErrorMessage: "encode event"}
		}
		if err := f.forward(ctx, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))); err != nil {
			f.t.Logf("eventbustest: forward event %s: %v", ev.ID, err)
			return resultEntry{ErrorCode: "InternalFailure", ErrorMessage: "forward failed"}
		}
	}
	return resultEntry{EventID: ev.ID}
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{code, msg})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
