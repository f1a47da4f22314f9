package command

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/queue"
)

// Defaults of WorkerConfig, and the worker's queue settings.
const (
	DefaultResultTTL   = 10 * time.Minute
	DefaultConcurrency = 16

	receiveMax  = 10               // SQS's largest batch
	receiveWait = 20 * time.Second // SQS's longest long poll
	// visibilityMargin is added to MaxAge: a command runs at most MaxAge
	// after it was issued, so its message never reappears while it runs.
	visibilityMargin = 30 * time.Second
	// ioTimeout bounds storing a result and deleting a message, which go on
	// after Run's context ended.
	ioTimeout     = 10 * time.Second
	minRetryDelay = time.Second
	maxRetryDelay = 30 * time.Second
)

// WorkerConfig wires a Worker. Queue, Results, Sessions, Clock and Log
// are required.
type WorkerConfig struct {
	Queue    Receiver    // the shard's command queue
	Results  ResultStore // where clients read results
	Sessions Executor    // the session host
	Clock    clock.Clock
	Log      *slog.Logger
	// ResultTTL is how long a result is kept (default DefaultResultTTL).
	ResultTTL time.Duration
	// MaxAge is the client's Timeout (default DefaultTimeout): older
	// commands are dropped unrun, and none runs past it.
	MaxAge time.Duration
	// Concurrency bounds the commands received and not yet finished
	// (default DefaultConcurrency).
	Concurrency int
	// Placement, with several session hosts on the shard, says which
	// instances another host holds: their commands go back to the queue
	// at once for that host (Queue must then implement Returner).
	Placement Placement
}

// Placement knows which instances another session host holds (the host,
// from its leases).
type Placement interface {
	Elsewhere(instance string) bool
}

// Returner makes a received command visible again after visibility.
type Returner interface {
	ChangeVisibility(ctx context.Context, receipt string, visibility time.Duration) error
}

// Worker runs the commands of a command queue against the session host:
// commands of one instance one after the other, in queue order, those of
// different instances concurrently.
type Worker struct {
	cfg        WorkerConfig
	log        *slog.Logger
	visibility time.Duration
	slots      chan struct{} // one per command received and not finished
	returner   Returner      // the queue, when it can hand commands back
	wg         sync.WaitGroup

	mu    sync.Mutex
	lanes map[string][]queue.Delivery // per group: received, waiting to run
}

// NewWorker checks cfg and fills in its defaults.
func NewWorker(cfg WorkerConfig) (*Worker, error) {
	if cfg.Queue == nil || cfg.Results == nil || cfg.Sessions == nil || cfg.Clock == nil || cfg.Log == nil {
		return nil, errors.New("command: worker needs a queue, a result store, sessions, a clock and a logger")
	}
	returner, ok := cfg.Queue.(Returner)
	if cfg.Placement != nil && !ok {
		return nil, errors.New("command: a worker with a placement needs a queue that can hand commands back (ChangeVisibility)")
	}
	if cfg.ResultTTL <= 0 {
		cfg.ResultTTL = DefaultResultTTL
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultTimeout
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	return &Worker{
		cfg:        cfg,
		log:        cfg.Log,
		visibility: (cfg.MaxAge + visibilityMargin + time.Second - 1).Truncate(time.Second),
		slots:      make(chan struct{}, cfg.Concurrency),
		lanes:      map[string][]queue.Delivery{},
		returner:   returner,
	}, nil
}

// Run receives and runs commands until ctx ends. Then it stops receiving,
// lets the commands already running finish (each within MaxAge of its
// issue), leaves the received but unstarted ones to reappear on the queue,
// and returns nil.
func (w *Worker) Run(ctx context.Context) error {
	defer w.wg.Wait()
	delay := minRetryDelay
	for {
		n, err := w.acquire(ctx)
		if err != nil {
			return nil
		}
		ds, err := w.cfg.Queue.Receive(ctx, n, w.visibility, receiveWait)
		if err != nil {
			w.release(n)
			if ctx.Err() != nil {
				return nil
			}
			w.log.ErrorContext(ctx, "receive commands", "err", err.Error(), "retryIn", delay.String())
			select {
			case <-ctx.Done():
				return nil
			case <-w.cfg.Clock.After(delay):
			}
			delay = min(2*delay, maxRetryDelay)
			continue
		}
		delay = minRetryDelay
		for range len(ds) - n { // an adapter over max: still account for each
			w.slots <- struct{}{}
		}
		w.release(n - len(ds))
		for _, d := range ds {
			w.dispatch(ctx, d)
		}
	}
}

// acquire waits for a free slot, then takes up to a batch's worth.
func (w *Worker) acquire(ctx context.Context) (int, error) {
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case w.slots <- struct{}{}:
	}
	n := 1
	for n < receiveMax {
		select {
		case w.slots <- struct{}{}:
			n++
		default:
			return n, nil
		}
	}
	return n, nil
}

func (w *Worker) release(n int) {
	for range n {
		<-w.slots
	}
}

// dispatch queues d behind its group's earlier commands, starting the
// group's runner if it has none.
func (w *Worker) dispatch(ctx context.Context, d queue.Delivery) {
	w.mu.Lock()
	defer w.mu.Unlock()
	pending, running := w.lanes[d.GroupID]
	w.lanes[d.GroupID] = append(pending, d)
	if !running {
		w.wg.Go(func() { w.drain(ctx, d.GroupID) })
	}
}

// drain runs a group's commands in order until none is left.
func (w *Worker) drain(ctx context.Context, group string) {
	for {
		w.mu.Lock()
		pending := w.lanes[group]
		if len(pending) == 0 {
			delete(w.lanes, group)
			w.mu.Unlock()
			return
		}
		d := pending[0]
		w.lanes[group] = pending[1:]
		w.mu.Unlock()
		if ctx.Err() == nil {
			w.handle(ctx, d)
		}
		w.release(1)
	}
}

// handle takes one delivery from the queue to a stored result.
func (w *Worker) handle(ctx context.Context, d queue.Delivery) {
	cmd, err := DecodeCommand(d.Body)
	if err != nil {
		log := w.log.With("commandId", cmd.ID)
		log.ErrorContext(ctx, "undecodable command dropped", "err", err.Error())
		if cmd.ID != "" && !w.store(ctx, log, cmd.ID, Result{Err: ErrHostFailed}) {
			return
		}
		w.delete(ctx, log, d)
		return
	}
	log := w.log.With("instance", cmd.Instance, "commandId", cmd.ID, "kind", string(cmd.Kind))
	if w.handBack(ctx, log, cmd.Instance, d) {
		return
	}
	now := w.cfg.Clock.Now()
	if age := now.Sub(cmd.IssuedAt); age > w.cfg.MaxAge && cmd.Kind != KindForget {
		log.WarnContext(ctx, "stale command dropped", "age", age.String())
		w.delete(ctx, log, d)
		return
	}
	if d.ReceiveCount > 1 {
		ioCtx, cancel := ioContext(ctx)
		_, done, err := w.cfg.Results.GetCommandResult(ioCtx, cmd.ID)
		cancel()
		if err != nil {
			log.WarnContext(ctx, "check for an earlier result", "err", err.Error())
		}
		if done {
			w.delete(ctx, log, d)
			return
		}
	}
	r := w.execute(ctx, log, cmd, now)
	if w.store(ctx, log, cmd.ID, r) {
		w.delete(ctx, log, d)
	}
}

// execute runs cmd, at most until MaxAge after it was issued (forget:
// after it started), even if ctx ends first.
func (w *Worker) execute(ctx context.Context, log *slog.Logger, cmd Command, now time.Time) (r Result) {
	limit := w.cfg.MaxAge
	if cmd.Kind != KindForget {
		limit = min(limit, cmd.IssuedAt.Add(w.cfg.MaxAge).Sub(now))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			log.ErrorContext(ctx, "command panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			r = Result{Err: ErrHostFailed}
		}
	}()
	s := w.cfg.Sessions
	switch cmd.Kind {
	case KindLink:
		r.Value, r.Err = s.LinkQR(ctx, cmd.Instance)
	case KindPairingCode:
		r.Value, r.Err = s.PairingCode(ctx, cmd.Instance, cmd.Phone)
	case KindDevice:
		r.Device, r.Err = s.Device(ctx, cmd.Instance)
	case KindLogout:
		r.Err = s.Logout(ctx, cmd.Instance)
	case KindRestart:
		r.Err = s.Restart(ctx, cmd.Instance)
	case KindForget:
		s.Forget(ctx, cmd.Instance)
	case KindSettings:
		s.SettingsChanged(ctx, cmd.Instance)
	case KindRead:
		r.Err = s.MarkRead(ctx, cmd.Instance, cmd.MessageIDs)
	default:
		r.Data, r.Err = executeGroup(ctx, s, cmd)
	}
	if r.Err != nil && errors.Is(r.Err, context.DeadlineExceeded) && ctx.Err() != nil {
		r.Err = ErrNoAnswer // the client has stopped waiting too
	}
	if r.Err != nil && encodeError(r.Err).Kind == kindInternal {
		log.ErrorContext(ctx, "command failed", "err", r.Err.Error())
	}
	return r
}

// store writes r; false if it could not, and the message must stay.
func (w *Worker) store(ctx context.Context, log *slog.Logger, id string, r Result) bool {
	body, err := EncodeResult(r)
	if err != nil {
		log.ErrorContext(ctx, "encode result", "err", err.Error())
		if body, err = EncodeResult(Result{Err: ErrHostFailed}); err != nil {
			return false
		}
	}
	expires := w.cfg.Clock.Now().Add(w.cfg.ResultTTL)
	ioCtx, cancel := ioContext(ctx)
	defer cancel()
	if err := w.cfg.Results.PutCommandResult(ioCtx, id, body, expires); err != nil {
		log.ErrorContext(ctx, "store result", "err", err.Error())
		return false
	}
	return true
}

func (w *Worker) delete(ctx context.Context, log *slog.Logger, d queue.Delivery) {
	ioCtx, cancel := ioContext(ctx)
	defer cancel()
	if err := w.cfg.Queue.Delete(ioCtx, d.Receipt); err != nil {
		log.WarnContext(ctx, "delete command message", "err", err.Error())
	}
}

// handBack returns a command for an instance that another session host
// of the shard holds to the queue at once, for that host to receive, and
// reports whether it did. A command nobody takes in time ends as stale
// (MaxAge) like any other; the client has stopped waiting by then.
func (w *Worker) handBack(ctx context.Context, log *slog.Logger, inst string, d queue.Delivery) bool {
	if w.cfg.Placement == nil || !w.cfg.Placement.Elsewhere(inst) {
		return false
	}
	ioCtx, cancel := ioContext(ctx)
	defer cancel()
	if err := w.returner.ChangeVisibility(ioCtx, d.Receipt, 0); err != nil {
		log.WarnContext(ctx, "hand back command", "err", err.Error())
	}
	return true
}

// ioContext bounds one store or queue call that must happen even after
// Run's context ended: the command it completes has run.
func ioContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), ioTimeout)
}
