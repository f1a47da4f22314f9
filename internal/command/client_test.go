package command_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
)

var start = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

type clientRig struct {
	q   *memQueue
	res *memResults
	clk *clock.Fake
	c   *command.Client
	log *syncBuffer
}

func newClientRig(t *testing.T, edit func(*command.ClientConfig)) *clientRig {
	t.Helper()
	log, buf := newLog()
	r := &clientRig{q: newMemQueue(nil), res: newMemResults(nil), clk: clock.NewFake(start), log: buf}
	var n atomic.Int64
	cfg := command.ClientConfig{Queue: r.q, Results: r.res, Clock: r.clk, Log: log,
		Poll: 100 * time.Millisecond, Timeout: time.Second,
		NewID: func() string { return fmt.Sprint("cmd-", n.Add(1)) }}
	if edit != nil {
		edit(&cfg)
	}
	c, err := command.NewClient(cfg)
	require.NoError(t, err)
	r.c = c
	return r
}

// answer stores the result the host would write for command id.
func (r *clientRig) answer(t *testing.T, id string, res command.Result) {
	t.Helper()
	b, err := command.EncodeResult(res)
	require.NoError(t, err)
	require.NoError(t, r.res.PutCommandResult(t.Context(), id, b, start.Add(time.Hour)))
}

// run calls f and advances the fake clock, one poll at a time, whenever
// f waits on it, until f returns.
func (r *clientRig) run(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	limit := time.After(10 * time.Second)
	for {
		select {
		case <-done:
			return
		case <-limit:
			t.Fatal("the client did not return")
		default:
		}
		if r.clk.Waiters() > 0 {
			r.clk.Advance(10 * time.Millisecond)
		} else {
			time.Sleep(20 * time.Microsecond)
		}
	}
}

func (r *clientRig) sent(t *testing.T) command.Command {
	t.Helper()
	c, err := command.DecodeCommand(r.q.lastBody())
	require.NoError(t, err)
	return c
}

func TestClientMethods(t *testing.T) {
	dev := driver.Device{Name: "iPhone 12", Platform: "WHATSAPP"}
	for _, tc := range []struct {
		kind   command.Kind
		phone  string
		result command.Result
		invoke func(ctx context.Context, c *command.Client) (any, error)
		want   any
	}{
		{command.KindLink, "", command.Result{Value: "2@qr"},
			func(ctx context.Context, c *command.Client) (any, error) { return c.LinkQR(ctx, "inst") }, "2@qr"},
		{command.KindPairingCode, "5491112345678", command.Result{Value: "ABCD-1234"},
			func(ctx context.Context, c *command.Client) (any, error) {
				return c.PairingCode(ctx, "inst", "5491112345678")
			}, "ABCD-1234"},
		{command.KindDevice, "", command.Result{Device: dev},
			func(ctx context.Context, c *command.Client) (any, error) { return c.Device(ctx, "inst") }, dev},
		{command.KindLogout, "", command.Result{},
			func(ctx context.Context, c *command.Client) (any, error) { return nil, c.Logout(ctx, "inst") }, nil},
		{command.KindRestart, "", command.Result{},
			func(ctx context.Context, c *command.Client) (any, error) { return nil, c.Restart(ctx, "inst") }, nil},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			r := newClientRig(t, nil)
			r.answer(t, "cmd-1", tc.result)
			r.res.ready = func(gets int) bool { return gets >= 3 } // the host answers late
			var got any
			var err error
			r.run(t, func() { got, err = tc.invoke(t.Context(), r.c) })
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, 3, r.res.getCount(), "polled until the result appeared")
			require.Equal(t, 300*time.Millisecond, r.clk.Now().Sub(start), "one poll interval apart")

			ds, err := r.q.Receive(t.Context(), 10, time.Minute, 0)
			require.NoError(t, err)
			require.Len(t, ds, 1)
			require.Equal(t, "inst", ds[0].GroupID, "one FIFO group per instance")
			require.Equal(t, "cmd-1", ds[0].DedupID, "deduplicated by command id")
			require.Equal(t, command.Command{ID: "cmd-1", Kind: tc.kind, Instance: "inst", Phone: tc.phone, IssuedAt: start},
				r.sent(t))
		})
	}
}

func TestClientTimeout(t *testing.T) {
	for _, tc := range []struct {
		timeout time.Duration
		gets    int
	}{
		{time.Second, 10},
		{250 * time.Millisecond, 3}, // the last wait is cut to the deadline
	} {
		t.Run(tc.timeout.String(), func(t *testing.T) {
			r := newClientRig(t, func(c *command.ClientConfig) { c.Timeout = tc.timeout })
			var err error
			r.run(t, func() { _, err = r.c.LinkQR(t.Context(), "inst") })
			require.ErrorIs(t, err, command.ErrNoAnswer)
			require.ErrorIs(t, err, fault.ErrSession, "the API answers 502")
			var fe *fault.Error
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "The session host did not answer in time", fe.Msg)
			require.Equal(t, tc.timeout, r.clk.Now().Sub(start))
			require.Equal(t, tc.gets, r.res.getCount())
		})
	}
}

func TestClientDefaults(t *testing.T) {
	r := newClientRig(t, func(c *command.ClientConfig) { c.Timeout, c.Poll, c.NewID = 0, 0, nil })
	var err error
	r.run(t, func() { err = r.c.Restart(t.Context(), "inst") })
	require.ErrorIs(t, err, command.ErrNoAnswer)
	require.Equal(t, command.DefaultTimeout, r.clk.Now().Sub(start))
	require.Equal(t, int(command.DefaultTimeout/command.DefaultPoll), r.res.getCount())
	require.Len(t, r.sent(t).ID, 36, "a UUID")
}

func TestClientContextCancel(t *testing.T) {
	r := newClientRig(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { _, err := r.c.PairingCode(ctx, "inst", "549"); done <- err }()
	require.Eventually(t, func() bool { return r.clk.Waiters() > 0 }, 5*time.Second, time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, start, r.clk.Now(), "no time needed to pass")
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled call kept waiting")
	}
}

func TestClientSendFailure(t *testing.T) {
	r := newClientRig(t, nil)
	r.q.sendErr = errors.New("sqs: throttled")
	err := r.c.Logout(t.Context(), "inst")
	require.ErrorIs(t, err, r.q.sendErr)
	var fe *fault.Error
	require.False(t, errors.As(err, &fe), "an internal failure: the API answers 500")
	require.Zero(t, r.res.getCount(), "nothing to wait for")
}

func TestClientErrorResults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		result func(r *clientRig, t *testing.T)
		check  func(t *testing.T, err error)
	}{
		{"fault", func(r *clientRig, t *testing.T) {
			r.answer(t, "cmd-1", command.Result{Err: fault.New(fault.ErrConflict, "Instance is already connected")})
		}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, fault.ErrConflict)
			var fe *fault.Error
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "Instance is already connected", fe.Msg)
		}},
		{"validation", func(r *clientRig, t *testing.T) {
			r.answer(t, "cmd-1", command.Result{Err: fault.Invalid("Required", "phoneNumber")})
		}, func(t *testing.T, err error) {
			var v *fault.ValidationError
			require.ErrorAs(t, err, &v)
			require.Equal(t, fault.Invalid("Required", "phoneNumber").Issues, v.Issues)
		}},
		{"internal", func(r *clientRig, t *testing.T) {
			r.answer(t, "cmd-1", command.Result{Err: errors.New("secret detail")})
		}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, command.ErrHostFailed)
			require.NotContains(t, err.Error(), "secret detail")
			var fe *fault.Error
			require.False(t, errors.As(err, &fe))
		}},
		{"empty code", func(r *clientRig, t *testing.T) {
			r.answer(t, "cmd-1", command.Result{})
		}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, command.ErrHostFailed)
		}},
		{"corrupt", func(r *clientRig, t *testing.T) {
			require.NoError(t, r.res.PutCommandResult(t.Context(), "cmd-1", []byte("{not json"), start))
		}, func(t *testing.T, err error) {
			require.ErrorContains(t, err, "decode result")
			var fe *fault.Error
			require.False(t, errors.As(err, &fe))
		}},
		{"store keeps failing", func(r *clientRig, t *testing.T) {
			r.res.getErrs = 1000
		}, func(t *testing.T, err error) {
			require.ErrorContains(t, err, "store unavailable")
			require.NotErrorIs(t, err, command.ErrNoAnswer, "the host may have answered: a 500, logged")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newClientRig(t, nil)
			tc.result(r, t)
			var err error
			r.run(t, func() { _, err = r.c.PairingCode(t.Context(), "inst", "549") })
			require.Error(t, err)
			tc.check(t, err)
		})
	}
}

func TestClientRetriesReads(t *testing.T) {
	r := newClientRig(t, nil)
	r.answer(t, "cmd-1", command.Result{Value: "2@qr"})
	r.res.getErrs = 2
	var got string
	var err error
	r.run(t, func() { got, err = r.c.LinkQR(t.Context(), "inst") })
	require.NoError(t, err)
	require.Equal(t, "2@qr", got)
	require.Equal(t, 3, r.res.getCount())
}

func TestClientSettingsChanged(t *testing.T) {
	r := newClientRig(t, nil)
	r.c.SettingsChanged(t.Context(), "inst")
	c := r.sent(t)
	require.Equal(t, command.KindSettings, c.Kind)
	require.Equal(t, "inst", c.Instance)
	require.Zero(t, r.res.getCount(), "no wait")

	r = newClientRig(t, nil)
	r.q.sendErr = errors.New("sqs: throttled")
	r.c.SettingsChanged(t.Context(), "inst")
	require.Contains(t, r.log.String(), "enqueue settings changed")
}

func TestClientForget(t *testing.T) {
	t.Run("enqueue only", func(t *testing.T) {
		r := newClientRig(t, nil)
		r.c.Forget(t.Context(), "inst")
		require.Equal(t, command.KindForget, r.sent(t).Kind)
		require.Zero(t, r.res.getCount(), "no wait")
	})
	t.Run("send failure logged", func(t *testing.T) {
		r := newClientRig(t, nil)
		r.q.sendErr = errors.New("sqs: throttled")
		r.c.Forget(t.Context(), "inst")
		require.Contains(t, r.log.String(), "enqueue forget")
		require.Contains(t, r.log.String(), "instance=inst")
		require.Contains(t, r.log.String(), "sqs: throttled")
	})
	t.Run("waits for the host", func(t *testing.T) {
		r := newClientRig(t, func(c *command.ClientConfig) { c.ForgetWait = 500 * time.Millisecond })
		r.answer(t, "cmd-1", command.Result{})
		r.res.ready = func(gets int) bool { return gets >= 2 }
		r.run(t, func() { r.c.Forget(t.Context(), "inst") })
		require.Equal(t, 2, r.res.getCount())
		require.Empty(t, r.log.String())
	})
	t.Run("host silent", func(t *testing.T) {
		r := newClientRig(t, func(c *command.ClientConfig) { c.ForgetWait = 500 * time.Millisecond })
		r.run(t, func() { r.c.Forget(t.Context(), "inst") })
		require.Equal(t, 500*time.Millisecond, r.clk.Now().Sub(start))
		require.Contains(t, r.log.String(), "forget not confirmed")
	})
}

func TestNewClientNeedsItsPorts(t *testing.T) {
	log, _ := newLog()
	_, err := command.NewClient(command.ClientConfig{Results: newMemResults(nil), Clock: clock.Real{}, Log: log})
	require.Error(t, err)
}

// TestClientRoutesToTheInstancesShard: with several shards, a command
// goes to the command queue of its instance's shard.
func TestClientRoutesToTheInstancesShard(t *testing.T) {
	qs := []*memQueue{newMemQueue(nil), newMemQueue(nil), newMemQueue(nil)}
	c, err := command.NewClient(command.ClientConfig{Queue: qs[0], ExtraShards: []command.Sender{qs[1], qs[2]},
		ShardOf: func(_ context.Context, inst string) (int, error) {
			return map[string]int{"a": 0, "b": 1, "c": 2}[inst], nil
		},
		Results: newMemResults(nil), Clock: clock.NewFake(start), Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	for _, inst := range []string{"c", "b", "c", "a"} {
		c.Forget(t.Context(), inst)
	}
	require.Equal(t, []int{1, 1, 2}, []int{qs[0].left(), qs[1].left(), qs[2].left()})

	_, err = command.NewClient(command.ClientConfig{Queue: qs[0], ExtraShards: []command.Sender{qs[1]},
		Results: newMemResults(nil), Clock: clock.NewFake(start), Log: slog.New(slog.DiscardHandler)})
	require.ErrorContains(t, err, "ShardOf")
}
