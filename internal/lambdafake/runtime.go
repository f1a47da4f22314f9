// Package lambdafake is a fake of the AWS Lambda Runtime API, for tests
// and benchmarks that drive a real function binary (the `bootstrap` of a
// provided.al2023 function) the way Lambda does: the process polls
// GET /2018-06-01/runtime/invocation/next, gets an event with its request
// id, deadline and function ARN in headers, and posts the result to
// /invocation/{id}/response or /invocation/{id}/error. A process that
// fails before its first poll may post /runtime/init/error.
//
// Only the parts a Go function uses are faked: no extensions API, no
// telemetry, no response streaming, one invocation in flight at a time as
// on Lambda. The fake records when the first /next arrived, which is
// where Lambda's cold start (Init duration) ends.
package lambdafake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
)

// The Runtime API's headers (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const (
	HeaderRequestID   = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMs  = "Lambda-Runtime-Deadline-Ms"
	HeaderFunctionArn = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID     = "Lambda-Runtime-Trace-Id"
	HeaderErrorType   = "Lambda-Runtime-Function-Error-Type"
)

const apiPrefix = "/2018-06-01/runtime"

// FunctionError is what a function posted to /error or /init/error.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Response is the outcome of one invocation: the payload the function
// posted to /response, or the error it posted to /error.
type Response struct {
	Payload []byte
	Err     *FunctionError
}

// invocation is one event waiting for, or being handled by, the function.
type invocation struct {
	ctx      context.Context // the Invoke call's; a cancelled one is skipped
	id       string
	payload  []byte
	deadline time.Time
	done     chan Response // buffered 1
}

// Runtime is a running fake Runtime API on 127.0.0.1.
type Runtime struct {
	name     string
	arn      string
	timeout  time.Duration
	srv      *http.Server
	addr     string
	queue    chan *invocation
	mu       sync.Mutex
	inflight map[string]*invocation
	first    time.Time
	firstCh  chan struct{}
	initErr  *FunctionError
}

// Options configure a Runtime; the zero value is usable.
type Options struct {
	// FunctionName goes into the invoked function ARN; default "fake".
	FunctionName string
	// Timeout is the function timeout, used for the deadline header when
	// the Invoke context has no deadline; default 30 s.
	Timeout time.Duration
}

// New starts a Runtime API fake on a free loopback port. Close stops it.
func New(o Options) (*Runtime, error) {
	if o.FunctionName == "" {
		o.FunctionName = "fake"
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdafake: listen: %w", err)
	}
	r := &Runtime{
		name:     o.FunctionName,
		arn:      "arn:aws:lambda:us-east-1:000000000000:function:" + o.FunctionName,
		timeout:  o.Timeout,
		addr:     ln.Addr().String(),
		queue:    make(chan *invocation, 64),
		inflight: map[string]*invocation{},
		firstCh:  make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", r.next)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", r.response)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", r.invokeError)
	mux.HandleFunc("POST "+apiPrefix+"/init/error", r.initError)
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// Addr is host:port, the value of AWS_LAMBDA_RUNTIME_API.
func (r *Runtime) Addr() string { return r.addr }

// FunctionArn is the ARN sent with every invocation.
func (r *Runtime) FunctionArn() string { return r.arn }

// Close stops the server; a function still polling gets a closed
// connection, as when Lambda freezes or ends an environment.
func (r *Runtime) Close() error { return r.srv.Close() }

// FirstNext waits for the first GET /next and returns when it arrived.
func (r *Runtime) FirstNext(ctx context.Context) (time.Time, error) {
	select {
	case <-r.firstCh:
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.first, nil
	case <-ctx.Done():
		return time.Time{}, fmt.Errorf("lambdafake: no /next yet: %w", ctx.Err())
	}
}

// InitError returns what the function posted to /runtime/init/error.
func (r *Runtime) InitError() (FunctionError, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.initErr == nil {
		return FunctionError{}, false
	}
	return *r.initErr, true
}

// Invoke hands payload to the function's next poll and waits for its
// response or error. The deadline header is ctx's deadline, if any.
func (r *Runtime) Invoke(ctx context.Context, payload []byte) (Response, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(r.timeout)
	}
	inv := &invocation{ctx: ctx, id: uuid.NewString(), payload: payload, deadline: deadline, done: make(chan Response, 1)}
	select {
	case r.queue <- inv:
	case <-ctx.Done():
		return Response{}, ctx.Err()
	}
	select {
	case res := <-inv.done:
		return res, nil
	case <-ctx.Done():
		r.mu.Lock()
		delete(r.inflight, inv.id)
		r.mu.Unlock()
		return Response{}, fmt.Errorf("lambdafake: invocation %s: %w", inv.id, ctx.Err())
	}
}

func (r *Runtime) next(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	if r.first.IsZero() {
		r.first = time.Now()
		close(r.firstCh)
	}
	r.mu.Unlock()
	var inv *invocation
	for inv == nil {
		select {
		case inv = <-r.queue:
			if inv.ctx.Err() != nil {
				inv = nil // its caller gave up before the function polled
			}
		case <-req.Context().Done():
			return
		}
	}
	r.mu.Lock()
	r.inflight[inv.id] = inv
	r.mu.Unlock()
	h := w.Header()
	h.Set(HeaderRequestID, inv.id)
	h.Set(HeaderDeadlineMs, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(HeaderFunctionArn, r.arn)
	h.Set(HeaderTraceID, "Root=1-00000000-000000000000000000000000;Sampled=0")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// maxPayload is Lambda's limit on a synchronous response (6 MB).
const maxPayload = 6 << 20

func (r *Runtime) response(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxPayload))
	if err != nil {
		// Lambda answers an oversized response with 413 and fails the
		// invocation.
		r.finish(w, req.PathValue("id"), Response{Err: &FunctionError{Type: "Function.ResponseSizeTooLarge",
			Message: "response payload too large"}}, http.StatusRequestEntityTooLarge)
		return
	}
	r.finish(w, req.PathValue("id"), Response{Payload: body}, http.StatusAccepted)
}

func (r *Runtime) invokeError(w http.ResponseWriter, req *http.Request) {
	fe, err := readError(req)
	if err != nil {
		writeStatus(w, http.StatusBadRequest, "InvalidErrorBody", err.Error())
		return
	}
	r.finish(w, req.PathValue("id"), Response{Err: fe}, http.StatusAccepted)
}

func (r *Runtime) initError(w http.ResponseWriter, req *http.Request) {
	fe, err := readError(req)
	if err != nil {
		writeStatus(w, http.StatusBadRequest, "InvalidErrorBody", err.Error())
		return
	}
	r.mu.Lock()
	r.initErr = fe
	r.mu.Unlock()
	writeStatus(w, http.StatusAccepted, "", "")
}

// finish delivers res to the invocation id and answers the function.
func (r *Runtime) finish(w http.ResponseWriter, id string, res Response, status int) {
	r.mu.Lock()
	inv, ok := r.inflight[id]
	delete(r.inflight, id)
	r.mu.Unlock()
	if !ok {
		writeStatus(w, http.StatusBadRequest, "InvalidRequestID", "unknown or finished request id "+id)
		return
	}
	inv.done <- res
	if status == http.StatusAccepted {
		writeStatus(w, status, "", "")
		return
	}
	writeStatus(w, status, res.Err.Type, res.Err.Message)
}

// readError decodes an error body; the type may come as a header only.
func readError(req *http.Request) (*FunctionError, error) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxPayload))
	if err != nil {
		return nil, err
	}
	fe := &FunctionError{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, fe); err != nil {
			return nil, fmt.Errorf("error body is not JSON: %w", err)
		}
	}
	if fe.Type == "" {
		fe.Type = req.Header.Get(HeaderErrorType)
	}
	if fe.Type == "" && fe.Message == "" {
		return nil, errors.New("empty error")
	}
	return fe, nil
}

func writeStatus(w http.ResponseWriter, status int, errType, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status == http.StatusAccepted {
		_, _ = io.WriteString(w, `{"status":"OK"}`)
		return
	}
	_ = json.NewEncoder(w).Encode(FunctionError{Type: errType, Message: msg})
}
