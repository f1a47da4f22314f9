package command_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/queue"
)

// journal records, in order, what the fakes were asked to do, so tests
// can check that a result was stored before its message was deleted.
type journal struct {
	mu      sync.Mutex
	entries []string
}

func (j *journal) add(format string, args ...any) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = append(j.entries, fmt.Sprintf(format, args...))
}

func (j *journal) all() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.entries...)
}

// memQueue is an in-memory command queue. Unlike SQS it hands out several
// messages of one group at once, so the worker's own ordering is tested.
type memQueue struct {
	mu         sync.Mutex
	msgs       []*memMsg
	seq        int
	wake       chan struct{} // closed and replaced on every send
	journal    *journal
	sendErr    error
	recvErrs   int   // Receive fails this many times first
	maxes      []int // the max of every Receive
	handedBack int   // ChangeVisibility(0) calls
}

type memMsg struct {
	d        queue.Delivery
	inFlight bool
}

var (
	_ command.Sender   = (*memQueue)(nil)
	_ command.Receiver = (*memQueue)(nil)
)

func newMemQueue(j *journal) *memQueue { return &memQueue{wake: make(chan struct{}), journal: j} }

func (q *memQueue) Send(_ context.Context, groupID, dedupID string, body []byte) error {
	return q.deliver(queue.Delivery{Body: body, GroupID: groupID, DedupID: dedupID, ReceiveCount: 0})
}

// deliver enqueues d as is; ReceiveCount is the count before this delivery.
func (q *memQueue) deliver(d queue.Delivery) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.sendErr != nil {
		return q.sendErr
	}
	q.msgs = append(q.msgs, &memMsg{d: d})
	close(q.wake)
	q.wake = make(chan struct{})
	return nil
}

func (q *memQueue) Receive(ctx context.Context, max int, _, wait time.Duration) ([]queue.Delivery, error) {
	timeout := time.After(wait)
	for {
		q.mu.Lock()
		q.maxes = append(q.maxes, max)
		if q.recvErrs > 0 {
			q.recvErrs--
			q.mu.Unlock()
			return nil, errors.New("queue unavailable")
		}
		var out []queue.Delivery
		for _, m := range q.msgs {
			if len(out) == max {
				break
			}
			if !m.inFlight {
				m.inFlight = true
				m.d.ReceiveCount++
				q.seq++
				m.d.Receipt = fmt.Sprint("r", q.seq)
				out = append(out, m.d)
			}
		}
		wake := q.wake
		q.mu.Unlock()
		if len(out) > 0 {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timeout:
			return nil, nil
		case <-wake:
		}
	}
}

func (q *memQueue) Delete(ctx context.Context, receipt string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, m := range q.msgs {
		if m.inFlight && m.d.Receipt == receipt {
			q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
			q.journal.add("delete %s", m.d.DedupID)
			return nil
		}
	}
	return queue.ErrStaleReceipt
}

// left is how many messages are in the queue, in flight or not.
func (q *memQueue) left() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs)
}

func (q *memQueue) lastBody() []byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.msgs[len(q.msgs)-1].d.Body
}

// memResults is an in-memory result store.
type memResults struct {
	mu      sync.Mutex
	byID    map[string]memResult
	journal *journal
	gets    int
	putErr  error
	getErrs int // Get fails this many times first
	// ready, if set, decides whether Get sees a stored result: it is
	// given how many Gets were made so far, this one included.
	ready func(gets int) bool
}

type memResult struct {
	body    []byte
	expires time.Time
}

var _ command.ResultStore = (*memResults)(nil)

func newMemResults(j *journal) *memResults {
	return &memResults{byID: map[string]memResult{}, journal: j}
}

func (s *memResults) GetCommandResult(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	if s.getErrs > 0 {
		s.getErrs--
		return nil, false, errors.New("store unavailable")
	}
	r, ok := s.byID[id]
	if !ok || (s.ready != nil && !s.ready(s.gets)) {
		return nil, false, nil
	}
	return bytes.Clone(r.body), true, nil
}

func (s *memResults) PutCommandResult(ctx context.Context, id string, result []byte, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.putErr != nil {
		return s.putErr
	}
	s.byID[id] = memResult{body: bytes.Clone(result), expires: expires}
	s.journal.add("put %s", id)
	return nil
}

func (s *memResults) result(id string) (memResult, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	return r, ok
}

func (s *memResults) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

func (s *memResults) getCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets
}

// call is one command as the executor saw it.
type call struct {
	Kind     command.Kind
	Instance string
	Phone    string
}

// fakeExec is the session host. run decides each answer; without it every
// command succeeds with a value derived from the instance.
type fakeExec struct {
	mu    sync.Mutex
	calls []call
	run   func(ctx context.Context, c call) command.Result
	// readIDs are the ids each MarkRead carried (calls has the rest).
	readIDs    [][]string
	fakeGroups // the group and contact operations (group_test.go)
}

var _ command.Executor = (*fakeExec)(nil)

func (e *fakeExec) do(ctx context.Context, c call) command.Result {
	e.mu.Lock()
	e.calls = append(e.calls, c)
	run := e.run
	e.mu.Unlock()
	if run != nil {
		return run(ctx, c)
	}
	switch c.Kind {
	case command.KindLink:
		return command.Result{Value: "qr-" + c.Instance}
	case command.KindPairingCode:
		return command.Result{Value: "CODE-" + c.Phone}
	case command.KindDevice:
		return command.Result{Device: driver.Device{Name: "iPhone 12", Platform: "WHATSAPP"}}
	}
	return command.Result{}
}

func (e *fakeExec) LinkQR(ctx context.Context, name string) (string, error) {
	r := e.do(ctx, call{Kind: command.KindLink, Instance: name})
	return r.Value, r.Err
}

func (e *fakeExec) PairingCode(ctx context.Context, name, phone string) (string, error) {
	r := e.do(ctx, call{Kind: command.KindPairingCode, Instance: name, Phone: phone})
	return r.Value, r.Err
}

func (e *fakeExec) Device(ctx context.Context, name string) (driver.Device, error) {
	r := e.do(ctx, call{Kind: command.KindDevice, Instance: name})
	return r.Device, r.Err
}

func (e *fakeExec) Logout(ctx context.Context, name string) error {
	return e.do(ctx, call{Kind: command.KindLogout, Instance: name}).Err
}

func (e *fakeExec) Restart(ctx context.Context, name string) error {
	return e.do(ctx, call{Kind: command.KindRestart, Instance: name}).Err
}

func (e *fakeExec) Forget(ctx context.Context, name string) {
	e.do(ctx, call{Kind: command.KindForget, Instance: name})
}

func (e *fakeExec) SettingsChanged(ctx context.Context, name string) {
	e.do(ctx, call{Kind: command.KindSettings, Instance: name})
}

func (e *fakeExec) MarkRead(ctx context.Context, name string, waIDs []string) error {
	e.mu.Lock()
	e.readIDs = append(e.readIDs, waIDs)
	e.mu.Unlock()
	return e.do(ctx, call{Kind: command.KindRead, Instance: name}).Err
}

// reads are the ids of each MarkRead, in order.
func (e *fakeExec) reads() [][]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([][]string(nil), e.readIDs...)
}

func (e *fakeExec) seen() []call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]call(nil), e.calls...)
}

// syncBuffer is a log sink safe for the worker's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLog() (*slog.Logger, *syncBuffer) {
	var b syncBuffer
	return slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

var _ command.Returner = (*memQueue)(nil)

// ChangeVisibility with 0 makes an in-flight message receivable again
// (other visibilities are not modelled) and counts the hand-back.
func (q *memQueue) ChangeVisibility(_ context.Context, receipt string, visibility time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range q.msgs {
		if m.inFlight && m.d.Receipt == receipt {
			if visibility == 0 {
				m.inFlight = false
				q.handedBack++
				close(q.wake)
				q.wake = make(chan struct{})
			}
			return nil
		}
	}
	return queue.ErrStaleReceipt
}
