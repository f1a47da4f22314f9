package command_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/queue"
)

const wait = 5 * time.Second // real time for something that should happen at once

type workerRig struct {
	q    *memQueue
	res  *memResults
	exec *fakeExec
	clk  *clock.Fake
	j    *journal
	log  *syncBuffer
	w    *command.Worker
}

func newWorkerRig(t *testing.T, edit func(*command.WorkerConfig)) *workerRig {
	t.Helper()
	j := &journal{}
	log, buf := newLog()
	r := &workerRig{q: newMemQueue(j), res: newMemResults(j), exec: &fakeExec{}, clk: clock.NewFake(start), j: j, log: buf}
	cfg := command.WorkerConfig{Queue: r.q, Results: r.res, Sessions: r.exec, Clock: r.clk, Log: log}
	if edit != nil {
		edit(&cfg)
	}
	w, err := command.NewWorker(cfg)
	require.NoError(t, err)
	r.w = w
	return r
}

// start runs the worker until the test ends, then requires it stopped.
func (r *workerRig) start(t *testing.T) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.w.Run(ctx) }()
	var stopped bool
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(wait):
			t.Fatal("the worker did not stop")
		}
	}
	t.Cleanup(stop)
	return stop
}

// send enqueues a command issued age ago by the fake clock.
func (r *workerRig) send(t *testing.T, id string, kind command.Kind, instance string, age time.Duration) {
	t.Helper()
	c := command.Command{ID: id, Kind: kind, Instance: instance, IssuedAt: r.clk.Now().Add(-age)}
	if kind == command.KindPairingCode {
		c.Phone = "5491112345678"
	}
	if kind == command.KindRead {
		c.MessageIDs = []string{"3EB0A1", "3EB0A2"}
	}
	b, err := command.EncodeCommand(c)
	require.NoError(t, err)
	require.NoError(t, r.q.Send(t.Context(), instance, id, b))
}

func (r *workerRig) result(t *testing.T, id string) command.Result {
	t.Helper()
	var stored memResult
	require.Eventually(t, func() bool {
		var ok bool
		stored, ok = r.res.result(id)
		return ok
	}, wait, time.Millisecond, "no result for %s", id)
	res, err := command.DecodeResult(stored.body)
	require.NoError(t, err)
	return res
}

func (r *workerRig) drained(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool { return r.q.left() == 0 }, wait, time.Millisecond, "queue not drained")
}

func TestWorkerRunsEachKind(t *testing.T) {
	r := newWorkerRig(t, nil)
	r.start(t)
	for i, k := range []command.Kind{command.KindLink, command.KindPairingCode, command.KindDevice,
		command.KindLogout, command.KindRestart, command.KindForget, command.KindSettings, command.KindRead} {
		r.send(t, fmt.Sprint("c", i), k, "inst", 0)
	}
	require.Equal(t, "qr-inst", r.result(t, "c0").Value)
	require.Equal(t, "CODE-5491112345678", r.result(t, "c1").Value)
	require.Equal(t, "iPhone 12", r.result(t, "c2").Device.Name)
	for _, id := range []string{"c3", "c4", "c5", "c6", "c7"} {
		require.Equal(t, command.Result{}, r.result(t, id))
	}
	r.drained(t)
	require.Equal(t, []call{{command.KindLink, "inst", ""}, {command.KindPairingCode, "inst", "5491112345678"},
		{command.KindDevice, "inst", ""}, {command.KindLogout, "inst", ""}, {command.KindRestart, "inst", ""},
		{command.KindForget, "inst", ""}, {command.KindSettings, "inst", ""}, {command.KindRead, "inst", ""}}, r.exec.seen())
	require.Equal(t, [][]string{{"3EB0A1", "3EB0A2"}}, r.exec.reads())
	stored, _ := r.res.result("c0")
	require.Equal(t, start.Add(command.DefaultResultTTL), stored.expires)
}

func TestWorkerOrderPerInstanceConcurrencyAcross(t *testing.T) {
	r := newWorkerRig(t, nil)
	started, release := make(chan struct{}), make(chan struct{})
	r.exec.run = func(ctx context.Context, c call) command.Result {
		if c.Kind == command.KindLink && c.Instance == "a" {
			close(started)
			<-release
		}
		return command.Result{Value: string(c.Kind)}
	}
	r.send(t, "a1", command.KindLink, "a", 0)
	r.send(t, "a2", command.KindDevice, "a", 0)
	r.send(t, "a3", command.KindLogout, "a", 0)
	r.send(t, "b1", command.KindRestart, "b", 0)
	r.start(t)
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // runs before the worker is stopped

	<-started
	r.result(t, "b1") // b is not held back by a's blocked command
	time.Sleep(20 * time.Millisecond)
	_, ok := r.res.result("a2")
	require.False(t, ok)
	require.ElementsMatch(t, []call{{command.KindLink, "a", ""}, {command.KindRestart, "b", ""}}, r.exec.seen(),
		"a2 waits for a1 though it was received with it")
	unblock()
	r.result(t, "a3")
	r.drained(t)
	var a []command.Kind
	for _, c := range r.exec.seen() {
		if c.Instance == "a" {
			a = append(a, c.Kind)
		}
	}
	require.Equal(t, []command.Kind{command.KindLink, command.KindDevice, command.KindLogout}, a)
}

func TestWorkerConcurrencyLimit(t *testing.T) {
	r := newWorkerRig(t, func(c *command.WorkerConfig) { c.Concurrency = 2 })
	release := make(chan struct{})
	r.exec.run = func(context.Context, call) command.Result { <-release; return command.Result{} }
	for i := range 3 {
		r.send(t, fmt.Sprint("c", i), command.KindRestart, fmt.Sprint("i", i), 0)
	}
	r.start(t)
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	require.Eventually(t, func() bool { return len(r.exec.seen()) == 2 }, wait, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	require.Len(t, r.exec.seen(), 2, "no third command while two run")
	once.Do(func() { close(release) })
	r.drained(t)
	require.Len(t, r.exec.seen(), 3)
	r.q.mu.Lock()
	defer r.q.mu.Unlock()
	for _, m := range r.q.maxes {
		require.LessOrEqual(t, m, 2, "never receives more than it may run")
	}
}

func TestWorkerDropsStaleCommands(t *testing.T) {
	r := newWorkerRig(t, nil)
	stale := command.DefaultTimeout + time.Second
	for i, k := range []command.Kind{command.KindLink, command.KindPairingCode, command.KindDevice,
		command.KindLogout, command.KindRestart} {
		r.send(t, fmt.Sprint("old", i), k, "inst", stale)
	}
	r.send(t, "gone", command.KindForget, "inst", time.Hour)
	r.send(t, "new", command.KindDevice, "inst", command.DefaultTimeout)
	r.start(t)
	r.result(t, "new")
	r.drained(t)
	require.Equal(t, []call{{command.KindForget, "inst", ""}, {command.KindDevice, "inst", ""}}, r.exec.seen(),
		"nobody waits for a stale command; a forget must still happen")
	for i := range 5 {
		_, ok := r.res.result(fmt.Sprint("old", i))
		require.False(t, ok)
	}
	require.Contains(t, r.log.String(), "stale command dropped")
}

func TestWorkerStoresResultBeforeDelete(t *testing.T) {
	r := newWorkerRig(t, nil)
	r.send(t, "a1", command.KindLink, "a", 0)
	r.send(t, "b1", command.KindLogout, "b", 0)
	r.start(t)
	r.drained(t)
	entries := r.j.all()
	for _, id := range []string{"a1", "b1"} {
		put, del := -1, -1
		for i, e := range entries {
			switch e {
			case "put " + id:
				put = i
			case "delete " + id:
				del = i
			}
		}
		require.GreaterOrEqual(t, put, 0, entries)
		require.Greater(t, del, put, "result stored before the message is deleted: %v", entries)
	}
}

func TestWorkerKeepsMessageWhenStoreFails(t *testing.T) {
	r := newWorkerRig(t, nil)
	r.res.putErr = errors.New("dynamodb: throttled")
	r.send(t, "a1", command.KindLogout, "a", 0)
	r.start(t)
	require.Eventually(t, func() bool { return len(r.exec.seen()) == 1 }, wait, time.Millisecond)
	require.Eventually(t, func() bool { return len(r.log.String()) > 0 }, wait, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	require.Equal(t, 1, r.q.left(), "the message stays, to come back (stale) after its visibility")
	require.NotContains(t, r.j.all(), "delete a1")
	require.Contains(t, r.log.String(), "store result")
}

func TestWorkerContainsPanics(t *testing.T) {
	r := newWorkerRig(t, nil)
	r.exec.run = func(_ context.Context, c call) command.Result {
		if c.Kind == command.KindPairingCode {
			panic("driver bug")
		}
		return command.Result{Value: "ok"}
	}
	r.send(t, "a1", command.KindPairingCode, "a", 0)
	r.send(t, "a2", command.KindLink, "a", 0)
	r.start(t)
	require.ErrorIs(t, r.result(t, "a1").Err, command.ErrHostFailed)
	require.Equal(t, "ok", r.result(t, "a2").Value, "the instance's next command still runs")
	r.send(t, "b1", command.KindLink, "b", 0)
	require.Equal(t, "ok", r.result(t, "b1").Value, "the worker still runs")
	r.drained(t)
	require.Contains(t, r.log.String(), "command panicked")
	require.Contains(t, r.log.String(), "driver bug")
}

func TestWorkerErrors(t *testing.T) {
	r := newWorkerRig(t, nil)
	r.exec.run = func(ctx context.Context, c call) command.Result {
		switch c.Instance {
		case "conflict":
			return command.Result{Err: fmt.Errorf("log out: %w", fault.New(fault.ErrConflict, "Instance is not linked"))}
		case "internal":
			return command.Result{Err: errors.New("dynamodb: table gw-prod: access denied")}
		case "slow":
			<-ctx.Done()
			return command.Result{Err: ctx.Err()}
		}
		return command.Result{}
	}
	r.send(t, "c1", command.KindLogout, "conflict", 0)
	r.send(t, "c2", command.KindLogout, "internal", 0)
	// issued so long ago that it may run for only 30 ms more
	r.send(t, "c3", command.KindLink, "slow", command.DefaultTimeout-30*time.Millisecond)
	r.start(t)

	var fe *fault.Error
	require.ErrorAs(t, r.result(t, "c1").Err, &fe)
	require.Equal(t, "Instance is not linked", fe.Msg)
	require.ErrorIs(t, fe, fault.ErrConflict)

	require.ErrorIs(t, r.result(t, "c2").Err, command.ErrHostFailed)
	stored, _ := r.res.result("c2")
	require.NotContains(t, string(stored.body), "access denied")
	require.Contains(t, r.log.String(), "access denied", "the host logs what the API may not see")
	require.Contains(t, r.log.String(), "commandId=c2")

	require.ErrorAs(t, r.result(t, "c3").Err, &fe)
	require.ErrorIs(t, fe, fault.ErrSession)
	require.Equal(t, command.ErrNoAnswer.Msg, fe.Msg, "cut at the client's timeout")
	r.drained(t)
}

func TestWorkerRedelivery(t *testing.T) {
	r := newWorkerRig(t, nil)
	body := func(id string) []byte {
		b, err := command.EncodeCommand(command.Command{ID: id, Kind: command.KindForget, Instance: "a", IssuedAt: start})
		require.NoError(t, err)
		return b
	}
	r.answer(t, "done")
	require.NoError(t, r.q.deliver(queue.Delivery{Body: body("done"), GroupID: "a", DedupID: "done", ReceiveCount: 1}))
	require.NoError(t, r.q.deliver(queue.Delivery{Body: body("again"), GroupID: "a", DedupID: "again", ReceiveCount: 1}))
	r.start(t)
	r.result(t, "again")
	r.drained(t)
	require.Equal(t, []call{{command.KindForget, "a", ""}}, r.exec.seen(),
		"a redelivered command with a stored result is not run again")
}

func (r *workerRig) answer(t *testing.T, id string) {
	t.Helper()
	b, err := command.EncodeResult(command.Result{})
	require.NoError(t, err)
	r.res.byID[id] = memResult{body: b}
}

func TestWorkerUndecodableCommands(t *testing.T) {
	r := newWorkerRig(t, nil)
	require.NoError(t, r.q.Send(t.Context(), "a", "x1", []byte(`{"id":"x1","kind":"reboot","instance":"a","issuedAt":"2030-01-01T12:00:00Z"}`)))
	require.NoError(t, r.q.Send(t.Context(), "a", "x2", []byte(`garbage`)))
	r.start(t)
	require.ErrorIs(t, r.result(t, "x1").Err, command.ErrHostFailed, "the waiting client learns at once")
	r.drained(t)
	require.Empty(t, r.exec.seen())
	require.Equal(t, 1, r.res.count())
}

func TestWorkerRetriesReceive(t *testing.T) {
	r := newWorkerRig(t, nil)
	r.q.recvErrs = 2
	r.send(t, "c1", command.KindRestart, "a", 0)
	r.start(t)
	for range 2 { // backs off on the injected clock: 1 s, then 2 s
		require.Eventually(t, func() bool { return r.clk.Waiters() == 1 }, wait, time.Millisecond)
		r.clk.Advance(2 * time.Second)
	}
	r.result(t, "c1")
	require.Contains(t, r.log.String(), "receive commands")
}

func TestWorkerStopsCleanly(t *testing.T) {
	r := newWorkerRig(t, nil)
	started, release := make(chan struct{}), make(chan struct{})
	r.exec.run = func(ctx context.Context, c call) command.Result {
		if c.Kind == command.KindLink {
			close(started)
			<-release
		}
		return command.Result{Value: "late"}
	}
	r.send(t, "a1", command.KindLink, "a", 0)
	r.send(t, "a2", command.KindLogout, "a", 0)
	stop := r.start(t)
	<-started
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Run returned while a command was running")
	case <-time.After(30 * time.Millisecond):
	}
	close(release)
	select {
	case <-stopped:
	case <-time.After(wait):
		t.Fatal("the worker did not stop")
	}
	require.Equal(t, "late", r.result(t, "a1").Value, "the running command finished and answered")
	require.Eventually(t, func() bool { return slices.Contains(r.j.all(), "delete a1") }, wait, time.Millisecond,
		"stored and deleted after Run's context ended")
	require.Equal(t, 1, r.q.left(), "a2 was not started: it stays for the next host")
	require.Len(t, r.exec.seen(), 1)
}

func TestNewWorkerNeedsItsPorts(t *testing.T) {
	log, _ := newLog()
	_, err := command.NewWorker(command.WorkerConfig{Queue: newMemQueue(nil), Results: newMemResults(nil),
		Clock: clock.Real{}, Log: log})
	require.Error(t, err)
}

// placement says a fixed set of instances is held elsewhere; it can be
// changed while the worker runs.
type placement struct {
	mu    sync.Mutex
	other map[string]bool
}

func (p *placement) Elsewhere(inst string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.other[inst]
}

func (p *placement) set(inst string, elsewhere bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.other[inst] = elsewhere
}

// TestWorkerHandsBackInstancesHeldElsewhere: a command for an instance
// another host holds is neither run nor answered nor deleted: it goes
// back to the queue at once, again and again, while the worker runs
// those of its own instances; once the instance is its own, it runs it.
func TestWorkerHandsBackInstancesHeldElsewhere(t *testing.T) {
	p := &placement{other: map[string]bool{"theirs": true}}
	r := newWorkerRig(t, func(c *command.WorkerConfig) { c.Placement = p })
	r.start(t)
	r.send(t, "c-theirs", command.KindRestart, "theirs", 0)
	r.send(t, "c-ours", command.KindRestart, "ours", 0)
	require.Equal(t, command.Result{}, r.result(t, "c-ours"))
	require.Eventually(t, func() bool {
		r.q.mu.Lock()
		defer r.q.mu.Unlock()
		return r.q.handedBack >= 3
	}, wait, time.Millisecond, "handed back again and again")
	_, answered := r.res.result("c-theirs")
	require.False(t, answered)
	require.Equal(t, []call{{command.KindRestart, "ours", ""}}, r.exec.seen())

	p.set("theirs", false)
	require.Equal(t, command.Result{}, r.result(t, "c-theirs"))
	r.drained(t)
}

func TestWorkerPlacementNeedsReturner(t *testing.T) {
	_, err := command.NewWorker(command.WorkerConfig{Queue: noReturn{newMemQueue(nil)}, Results: newMemResults(nil),
		Sessions: &fakeExec{}, Clock: clock.NewFake(start), Log: slog.New(slog.DiscardHandler), Placement: &placement{}})
	require.ErrorContains(t, err, "ChangeVisibility")
}

// noReturn hides memQueue's ChangeVisibility.
type noReturn struct{ q *memQueue }

func (n noReturn) Receive(ctx context.Context, max int, v, w time.Duration) ([]queue.Delivery, error) {
	return n.q.Receive(ctx, max, v, w)
}
func (n noReturn) Delete(ctx context.Context, receipt string) error { return n.q.Delete(ctx, receipt) }
