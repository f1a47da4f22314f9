package lambdafake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Function is a function process started against a Runtime.
type Function struct {
	rt      *Runtime
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{}
	waitErr error // set before exited closes
	out     *tail
	stopped bool
}

// errExited cancels what waits on a function that is gone.
var errExited = errors.New("function process exited")

// Start runs binary as a function of r, with the environment Lambda gives
// a provided.al2023 function plus env ("KEY=value" entries, which win);
// nothing is inherited from the caller, so the process sees what it would
// see on Lambda. A Runtime serves one function at a time, as a Lambda
// execution environment does (FirstNext is the first poll of any
// process). The function's stdout and stderr (its logs) are copied
// to logs when it is not nil. Stop ends the process.
func (r *Runtime) Start(binary string, env []string, logs io.Writer) (*Function, error) {
	name := r.name
	base := []string{
		"AWS_LAMBDA_RUNTIME_API=" + r.addr,
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME=fake",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(binary),
		"_HANDLER=" + filepath.Base(binary),
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"TZ=:UTC",
	}
	f := &Function{rt: r, exited: make(chan struct{}), out: &tail{max: 16 << 10}}
	cmd := exec.Command(binary)
	cmd.Dir = filepath.Dir(binary)
	cmd.Env = append(base, env...)
	var w io.Writer = f.out
	if logs != nil {
		w = io.MultiWriter(f.out, logs)
	}
	cmd.Stdout, cmd.Stderr = w, w
	// Die with the process that started it, even on kill -9.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	f.cmd = cmd
	f.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("lambdafake: start %s: %w", binary, err)
	}
	go func() {
		f.waitErr = cmd.Wait()
		close(f.exited)
	}()
	return f, nil
}

// ColdStart waits for the function's first GET /next and returns the time
// from just before the process was started to then: what Lambda reports
// as the Init duration, minus the sandbox's own start.
func (f *Function) ColdStart(ctx context.Context) (time.Duration, error) {
	ctx, cancel := f.untilExit(ctx)
	defer cancel(nil)
	first, err := f.rt.FirstNext(ctx)
	if err != nil {
		return 0, f.explain(ctx, err)
	}
	return first.Sub(f.started), nil
}

// Invoke sends payload to the function and waits for its outcome; it
// fails at once if the process exits first.
func (f *Function) Invoke(ctx context.Context, payload []byte) (Response, error) {
	ctx, cancel := f.untilExit(ctx)
	defer cancel(nil)
	res, err := f.rt.Invoke(ctx, payload)
	if err != nil {
		return Response{}, f.explain(ctx, err)
	}
	return res, nil
}

// Output returns the last 16 KiB the function wrote to stdout and stderr.
func (f *Function) Output() string { return f.out.String() }

// Exited is closed once the process has ended.
func (f *Function) Exited() <-chan struct{} { return f.exited }

// Stop kills the process, as Lambda does when it retires an environment,
// and waits for it. It returns the exit error if the process had already
// ended on its own with one.
func (f *Function) Stop() error {
	select {
	case <-f.exited:
		if f.waitErr != nil && !f.stopped {
			return fmt.Errorf("function exited: %w; output: %s", f.waitErr, f.Output())
		}
		return nil
	default:
	}
	f.stopped = true
	_ = f.cmd.Process.Kill()
	<-f.exited
	return nil
}

// untilExit returns ctx, also cancelled when the process exits.
func (f *Function) untilExit(ctx context.Context) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-f.exited:
			cancel(errExited)
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

func (f *Function) explain(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errExited) {
		return fmt.Errorf("lambdafake: function exited (%v); output: %s", f.waitErr, f.Output())
	}
	return err
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
