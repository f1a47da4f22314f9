package cloud

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/eventbus"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/relay"
	"github.com/wagateway/wagateway/internal/sqs"
)

// SessionHost is the Fargate session host: sessions fed by the SQS lane
// queues, state in DynamoDB, events relayed from the table's outbox to
// EventBridge, session commands from the command queue, inbound media
// kept in the media bucket. It accepts no inbound connections.
type SessionHost struct {
	Host   *host.Host
	relay  *relay.Relay
	worker *command.Worker
}

// HostOptions are the session host's settings beyond Options.
type HostOptions struct {
	Options
	Driver     host.Driver
	DelayScale float64 // lane delays multiplier; sandbox only
}

// NewSessionHost wires one session host. The driver reports to the
// returned Host (SessionHost.Host implements driver.Events).
func NewSessionHost(cfg config.AWS, c Clients, o HostOptions) (*SessionHost, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	// media.url must be absolute, and the host has no address of its
	// own (it serves nothing): only the API's URL will do.
	if cfg.PublicURL == "" {
		return nil, errors.New("cloud: the session host needs the API's public URL (GATEWAY_PUBLIC_URL) for media.url")
	}
	inbound, err := mediaStore(cfg, c, o.Options)
	if err != nil {
		return nil, err
	}
	store := dynamo.New(c.DynamoDB, cfg.Table)
	recv := map[lane.Lane]host.Receiver{}
	for l, url := range cfg.LaneQueues {
		recv[l] = sqs.New(c.SQS, url)
	}
	pub := eventbus.New(eventbus.Config{Client: c.EventBridge, Bus: cfg.EventBus, Clock: o.Clock, Log: o.Log})
	rl := relay.New(relay.Config{Store: store, Publisher: pub, Clock: o.Clock, Log: o.Log})
	h, err := host.New(host.Config{
		Driver: o.Driver, Store: store, Queues: recv, Clock: o.Clock, Log: o.Log, DelayScale: o.DelayScale,
		OnEvent: rl.Wake, Fetcher: media.New(media.Options{Policy: o.URLs}),
		Media: inbound, PublicURL: cfg.PublicURL, Retention: cfg.MediaRetention(),
	})
	if err != nil {
		return nil, err
	}
	worker, err := command.NewWorker(command.WorkerConfig{Queue: sqs.New(c.SQS, cfg.CommandQueue), Results: store,
		Sessions: h, Clock: o.Clock, Log: o.Log, MaxAge: o.CommandTimeout})
	if err != nil {
		return nil, fmt.Errorf("command worker: %w", err)
	}
	return &SessionHost{Host: h, relay: rl, worker: worker}, nil
}

// Run runs the sessions, the relay and the command worker until ctx ends.
func (s *SessionHost) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, run := range []func(context.Context) error{s.Host.Run, s.relay.Run, s.worker.Run} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
