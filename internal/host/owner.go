package host

import (
	"context"
	"sync"
	"time"
)

// owner is the one owner of the host's goroutines: Run. Code that runs
// outside Run's goroutines (driver callbacks, the API's calls) never
// starts a goroutine itself: it posts the work, and Run starts it under
// its own context and waits for it before it returns. Work posted before
// Run starts waits for it; work posted after Run stopped is dropped,
// since its context would be over anyway.
//
// Callbacks that must do their work synchronously (a driver acknowledges
// a message only once it is stored) take a bounded context from
// callContext, which Run's end cancels as well: no context is kept.
type owner struct {
	mu      sync.Mutex
	pending []func(context.Context)
	wake    chan struct{} // one token: there is pending work
	running bool
	stopped bool
	cancels map[int]context.CancelFunc // of callContexts in use
	next    int
	wg      sync.WaitGroup
}

func newOwner() *owner {
	return &owner{wake: make(chan struct{}, 1), cancels: map[int]context.CancelFunc{}}
}

// post has fn run on a goroutine of its own under Run's context.
func (o *owner) post(fn func(ctx context.Context)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopped {
		return
	}
	o.pending = append(o.pending, fn)
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// run starts the posted work until ctx ends, then waits for all of it.
func (o *owner) run(ctx context.Context) {
	o.mu.Lock()
	o.running = true
	o.mu.Unlock()
	for {
		o.mu.Lock()
		work := o.pending
		o.pending = nil
		o.mu.Unlock()
		for _, fn := range work {
			o.wg.Go(func() { fn(ctx) })
		}
		select {
		case <-ctx.Done():
			o.stop()
			o.wg.Wait()
			return
		case <-o.wake:
		}
	}
}

// stop drops what is still pending and cancels the callContexts in use.
func (o *owner) stop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.stopped, o.pending = true, nil
	for _, cancel := range o.cancels {
		cancel()
	}
}

// started reports whether Run is running: sessions start their loops
// only then (before, their messages wait for it).
func (o *owner) started() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.running && !o.stopped
}

// callContext is a context for a callback's synchronous work: it ends
// after d, or when Run ends, whichever comes first.
func (o *owner) callContext(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	o.mu.Lock()
	if o.stopped {
		o.mu.Unlock()
		cancel()
		return ctx, cancel
	}
	id := o.next
	o.next++
	o.cancels[id] = cancel
	o.mu.Unlock()
	return ctx, func() {
		o.mu.Lock()
		delete(o.cancels, id)
		o.mu.Unlock()
		cancel()
	}
}

// spawn starts fn on a goroutine Run waits for. Only a goroutine the
// owner already runs may call it (it is counted, so Run cannot be past
// its wait); anything else posts.
func (o *owner) spawn(fn func()) { o.wg.Go(fn) }
