package command

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/httpapi"
)

// Defaults of ClientConfig and WorkerConfig.
const (
	// DefaultTimeout is how long the client waits for the host, under API
	// Gateway's 29 s integration timeout so the API can still answer 502.
	DefaultTimeout = 25 * time.Second
	// DefaultPoll is how often the client reads the result store.
	DefaultPoll = 100 * time.Millisecond
)

// ErrNoAnswer is the client's answer when the host stays silent past the
// timeout: a 502 with a message safe to show.
var ErrNoAnswer = fault.New(fault.ErrSession, "The session host did not answer in time")

// ClientConfig wires a Client. Queue, Results, Clock and Log are required.
type ClientConfig struct {
	Queue Sender // the command queue (shard 0's with several)
	// ExtraShards are the command queues of shards 1, 2, ... and ShardOf
	// says an instance's shard (gateway.Service.ShardOf): a command goes
	// to the queue of its instance's shard, whose hosts hold it.
	ExtraShards []Sender
	ShardOf     func(ctx context.Context, instance string) (int, error)
	Results     ResultReader // where the worker stores results
	Clock       clock.Clock
	Log         *slog.Logger
	// Timeout bounds the wait for a result (default DefaultTimeout); the
	// worker's MaxAge must be the same.
	Timeout time.Duration
	Poll    time.Duration // default DefaultPoll
	// ForgetWait is how long Forget waits for the host to have logged out
	// before DELETE /instance/{name} goes on to delete the instance; 0, the
	// default, only enqueues (see Forget).
	ForgetWait time.Duration
	NewID      func() string // command ids; default random UUIDs
}

// Client is httpapi.Sessions over the command queue.
type Client struct {
	cfg ClientConfig
}

var _ httpapi.Sessions = (*Client)(nil)

// NewClient checks cfg and fills in its defaults.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.Queue == nil || cfg.Results == nil || cfg.Clock == nil || cfg.Log == nil {
		return nil, errors.New("command: client needs a queue, a result reader, a clock and a logger")
	}
	if len(cfg.ExtraShards) > 0 && cfg.ShardOf == nil {
		return nil, errors.New("command: a client of several shards needs ShardOf")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.NewID == nil {
		cfg.NewID = uuid.NewString
	}
	return &Client{cfg: cfg}, nil
}

// LinkQR starts linking if needed and returns the current QR code.
func (c *Client) LinkQR(ctx context.Context, name string) (string, error) {
	r, err := c.call(ctx, KindLink, name, "")
	if err == nil && r.Value == "" {
		err = fmt.Errorf("link %s: empty QR code: %w", name, ErrHostFailed)
	}
	return r.Value, err
}

// PairingCode requests a pairing code for phone.
func (c *Client) PairingCode(ctx context.Context, name, phone string) (string, error) {
	r, err := c.call(ctx, KindPairingCode, name, phone)
	if err == nil && r.Value == "" {
		err = fmt.Errorf("pairing code %s: empty code: %w", name, ErrHostFailed)
	}
	return r.Value, err
}

// Device describes the linked phone.
func (c *Client) Device(ctx context.Context, name string) (driver.Device, error) {
	r, err := c.call(ctx, KindDevice, name, "")
	return r.Device, err
}

// Logout unlinks the phone.
func (c *Client) Logout(ctx context.Context, name string) error {
	_, err := c.call(ctx, KindLogout, name, "")
	return err
}

// Restart drops and reopens the connection.
func (c *Client) Restart(ctx context.Context, name string) error {
	_, err := c.call(ctx, KindRestart, name, "")
	return err
}

// MarkRead sends read receipts for the received messages waIDs names.
func (c *Client) MarkRead(ctx context.Context, name string, waIDs []string) error {
	_, err := c.run(ctx, Command{Kind: KindRead, Instance: name, MessageIDs: waIDs})
	return err
}

// Forget enqueues the end of a deleted instance's session. It has no
// error to return: failures are logged. With ForgetWait 0 it returns once
// the command is enqueued, so the API may delete the instance (and, if it
// does, its session keys) before the host has logged the phone out; a
// ForgetWait keeps the local order, logout first, whenever the host
// answers within it.
func (c *Client) Forget(ctx context.Context, name string) {
	cmd, err := c.send(ctx, KindForget, name, "")
	log := c.cfg.Log.With("instance", name, "commandId", cmd.ID)
	if err != nil {
		log.ErrorContext(ctx, "enqueue forget", "err", err.Error())
		return
	}
	if c.cfg.ForgetWait <= 0 {
		return
	}
	r, err := c.await(ctx, cmd, c.cfg.ForgetWait)
	if err == nil {
		err = r.Err
	}
	if err != nil {
		log.WarnContext(ctx, "forget not confirmed by the session host", "err", err.Error())
	}
}

// SettingsChanged tells the host holding the instance that its settings
// were changed, and returns once that is enqueued: nobody waits for it.
// Failures are logged; the host re-reads settings at least every
// host.SettingsMaxAge anyway.
func (c *Client) SettingsChanged(ctx context.Context, name string) {
	if cmd, err := c.send(ctx, KindSettings, name, ""); err != nil {
		c.cfg.Log.ErrorContext(ctx, "enqueue settings changed", "instance", name, "commandId", cmd.ID, "err", err.Error())
	}
}

// call sends a command and waits for its result; a failed command's error
// is returned wrapped with the command's identity.
func (c *Client) call(ctx context.Context, kind Kind, name, phone string) (Result, error) {
	return c.run(ctx, Command{Kind: kind, Instance: name, Phone: phone})
}

// run is call for a command with more than a phone to carry: cmd's ID and
// IssuedAt are filled in here.
func (c *Client) run(ctx context.Context, cmd Command) (Result, error) {
	cmd, err := c.enqueue(ctx, cmd)
	if err != nil {
		return Result{}, err
	}
	r, err := c.await(ctx, cmd, c.cfg.Timeout)
	if err != nil {
		return Result{}, err
	}
	if r.Err != nil {
		return Result{}, fmt.Errorf("%s command %s for %s: %w", cmd.Kind, cmd.ID, cmd.Instance, r.Err)
	}
	return r, nil
}

func (c *Client) send(ctx context.Context, kind Kind, name, phone string) (Command, error) {
	return c.enqueue(ctx, Command{Kind: kind, Instance: name, Phone: phone})
}

// enqueue gives cmd its id and issue time and writes it to the queue.
func (c *Client) enqueue(ctx context.Context, cmd Command) (Command, error) {
	cmd.ID, cmd.IssuedAt = c.cfg.NewID(), c.cfg.Clock.Now()
	body, err := EncodeCommand(cmd)
	if err != nil {
		return cmd, err
	}
	q, err := c.queue(ctx, cmd.Instance)
	if err != nil {
		return cmd, err
	}
	if err := q.Send(ctx, cmd.Instance, cmd.ID, body); err != nil {
		return cmd, fmt.Errorf("send %s command %s for %s: %w", cmd.Kind, cmd.ID, cmd.Instance, err)
	}
	return cmd, nil
}

// queue is the command queue of the instance's shard.
func (c *Client) queue(ctx context.Context, instance string) (Sender, error) {
	if len(c.cfg.ExtraShards) == 0 {
		return c.cfg.Queue, nil
	}
	n, err := c.cfg.ShardOf(ctx, instance)
	switch {
	case err != nil:
		return nil, fmt.Errorf("shard of %s: %w", instance, err)
	case n == 0:
		return c.cfg.Queue, nil
	case n > len(c.cfg.ExtraShards):
		return nil, fmt.Errorf("instance %s is on shard %d, but this deployment has %d", instance, n, len(c.cfg.ExtraShards)+1)
	}
	return c.cfg.ExtraShards[n-1], nil
}

// await polls the result store until the command's result appears, ctx
// ends, or timeout passes since the command was issued. Read errors are
// retried until then: the host may well have answered.
func (c *Client) await(ctx context.Context, cmd Command, timeout time.Duration) (Result, error) {
	deadline := cmd.IssuedAt.Add(timeout)
	var lastErr error
	for {
		if wait := min(c.cfg.Poll, deadline.Sub(c.cfg.Clock.Now())); wait > 0 {
			select {
			case <-ctx.Done():
				return Result{}, fmt.Errorf("wait for %s command %s: %w", cmd.Kind, cmd.ID, ctx.Err())
			case <-c.cfg.Clock.After(wait):
			}
		}
		b, ok, err := c.cfg.Results.GetCommandResult(ctx, cmd.ID)
		switch {
		case err != nil && ctx.Err() != nil:
			return Result{}, fmt.Errorf("wait for %s command %s: %w", cmd.Kind, cmd.ID, ctx.Err())
		case err != nil:
			lastErr = err
		case ok:
			r, err := DecodeResult(b)
			if err != nil {
				return Result{}, fmt.Errorf("%s command %s: %w", cmd.Kind, cmd.ID, err)
			}
			return r, nil
		default:
			lastErr = nil
		}
		if !c.cfg.Clock.Now().Before(deadline) {
			if lastErr != nil {
				return Result{}, fmt.Errorf("read result of %s command %s: %w", cmd.Kind, cmd.ID, lastErr)
			}
			return Result{}, fmt.Errorf("%s command %s for %s: %w", cmd.Kind, cmd.ID, cmd.Instance, ErrNoAnswer)
		}
	}
}
