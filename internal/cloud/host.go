package cloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/emf"
	"github.com/wagateway/wagateway/internal/eventbus"
	"github.com/wagateway/wagateway/internal/health"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/lease"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/queue"
	"github.com/wagateway/wagateway/internal/relay"
	"github.com/wagateway/wagateway/internal/sqs"
)

// SessionHost is the Fargate session host: sessions fed by the SQS lane
// queues, state in DynamoDB, events relayed from the table's outbox to
// EventBridge, session commands from the command queue, inbound media
// kept in the media bucket. It accepts no inbound connections.
type SessionHost struct {
	Host    *host.Host
	relay   *relay.Relay
	worker  *command.Worker
	monitor *health.Monitor
	health  *health.Server // nil without HostOptions.HealthAddr
	lag     *emf.Peak      // nil without HostOptions.Metrics
}

// HostOptions are the session host's settings beyond Options.
type HostOptions struct {
	Options
	Driver     host.Driver
	DelayScale float64 // lane delays multiplier; sandbox only
	// HealthAddr is the loopback address (config.HealthAddr) where the
	// host serves GET /health for the container health check; empty
	// serves nothing.
	HealthAddr string
	// Metrics receives the host's CloudWatch EMF lines (stdout on ECS,
	// which the awslogs driver ships to CloudWatch Logs); nil writes none.
	Metrics io.Writer
	// Holder names this process for the instance leases that let several
	// hosts share the shard (host.Config.Holder): unique per process.
	Holder string
	// LeaseTTL is the lease time; 0 means host.DefaultLeaseTTL.
	LeaseTTL time.Duration
}

// The session host's metric: the outbox lag, the worst of each minute,
// per gateway table. The CDK app's alarm names them too.
const (
	metricNamespace = "WaGateway"
	metricLag       = "OutboxLagSeconds"
	dimensionTable  = "Table"
)

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
	// Events go to the shard's outbox partition, which the shard's
	// relay publishes.
	store := dynamo.New(c.DynamoDB, cfg.Table).ForShard(cfg.Shard)
	// Liveness is every poller having polled lately: each lane (any of
	// its receivers), the command queue and the outbox. The ports are
	// wrapped, so the host, worker and relay know nothing of it.
	monitor := health.NewMonitor(o.Clock, health.DefaultMaxAge)
	recv := map[lane.Lane]host.Receiver{}
	for _, l := range lane.All() {
		if url, ok := cfg.LaneQueues[l]; ok {
			recv[l] = watchedLane{Receiver: sqs.New(c.SQS, url), poll: monitor.Poller("lane " + string(l))}
		}
	}
	var lag *emf.Peak
	var onLag func(time.Duration)
	if o.Metrics != nil {
		lag = emf.NewPeak(emf.PeakConfig{
			Writer: emf.NewWriter(o.Metrics, metricNamespace, emf.Dimension{Name: dimensionTable, Value: cfg.Table}),
			Name:   metricLag, Unit: "Seconds", Clock: o.Clock, Log: o.Log,
		})
		onLag = func(d time.Duration) { lag.Observe(d.Round(time.Millisecond).Seconds()) }
	}
	pub := eventbus.New(eventbus.Config{Client: c.EventBridge, Bus: cfg.EventBus, Clock: o.Clock, Log: o.Log})
	relayPoll := monitor.Poller("outbox relay")
	var h *host.Host
	rl := relay.New(relay.Config{Store: watchedOutbox{Store: store, poll: relayPoll},
		Publisher: pub, Clock: o.Clock, Log: o.Log, OnLag: onLag,
		// One host of the shard relays its outbox partition (the relay
		// role's lease); for the others, waiting is all there is to do,
		// and healthy.
		Leading: func() bool {
			if h.Holds(lease.RelayRole(cfg.Shard)) {
				return true
			}
			relayPoll.OK()
			return false
		}})
	if o.Holder == "" {
		return nil, errors.New("cloud: the session host needs a holder id for its leases")
	}
	h, err = host.New(host.Config{
		Driver: o.Driver, Store: store, Queues: recv, Clock: o.Clock, Log: o.Log, DelayScale: o.DelayScale,
		OnEvent: rl.Wake, Fetcher: media.New(media.Options{Policy: o.URLs}),
		Media: inbound, PublicURL: cfg.PublicURL, Retention: cfg.MediaRetention(),
		Leases: dynamo.NewLeaseStore(c.DynamoDB, cfg.Table), Holder: o.Holder, LeaseTTL: o.LeaseTTL,
		Roles: []string{lease.RelayRole(cfg.Shard)}, OnRole: func(string) { rl.Wake() }, Shard: cfg.Shard,
	})
	if err != nil {
		return nil, err
	}
	commands := watchedCommands{commandQueue: sqs.New(c.SQS, cfg.CommandQueue), poll: monitor.Poller("command queue")}
	worker, err := command.NewWorker(command.WorkerConfig{Queue: commands, Results: store,
		Sessions: h, Clock: o.Clock, Log: o.Log, MaxAge: o.CommandTimeout, Placement: h})
	if err != nil {
		return nil, fmt.Errorf("command worker: %w", err)
	}
	sh := &SessionHost{Host: h, relay: rl, worker: worker, monitor: monitor, lag: lag}
	if o.HealthAddr != "" {
		// Bound now, so that a taken or refused address stops the start.
		if sh.health, err = health.Listen(o.HealthAddr, health.Handler(monitor)); err != nil {
			return nil, err
		}
	}
	return sh, nil
}

// HealthAddr is the bound address of GET /health; empty when there is
// no listener.
func (s *SessionHost) HealthAddr() string {
	if s.health == nil {
		return ""
	}
	return s.health.Addr()
}

// Health is what GET /health reports.
func (s *SessionHost) Health() health.Status { return s.monitor.Check() }

// Run runs the sessions, the relay, the command worker, the health
// listener and the metric writer until ctx ends, and waits for them all.
func (s *SessionHost) Run(ctx context.Context) error {
	// The relay runs only on the host holding its shard's relay role:
	// settle that before it starts.
	s.Host.TakeRoles(ctx)
	runs := []func(context.Context) error{s.Host.Run, s.relay.Run, s.worker.Run}
	if s.health != nil {
		runs = append(runs, s.health.Run)
	}
	if s.lag != nil {
		runs = append(runs, s.lag.Run)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(runs))
	for i, run := range runs {
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

// watchedLane records each successful receive of a lane queue.
type watchedLane struct {
	host.Receiver
	poll *health.Poller
}

var _ host.Receiver = watchedLane{}

func (w watchedLane) Receive(ctx context.Context, max int, visibility, wait time.Duration) ([]queue.Delivery, error) {
	ds, err := w.Receiver.Receive(ctx, max, visibility, wait)
	if err == nil {
		w.poll.OK()
	}
	return ds, err
}

// commandQueue is the command queue as the worker uses it: received,
// deleted, and handed back for the host holding an instance.
type commandQueue interface {
	command.Receiver
	command.Returner
}

// watchedCommands records each successful receive of the command queue.
type watchedCommands struct {
	commandQueue
	poll *health.Poller
}

var _ commandQueue = watchedCommands{}

func (w watchedCommands) Receive(ctx context.Context, max int, visibility, wait time.Duration) ([]queue.Delivery, error) {
	ds, err := w.commandQueue.Receive(ctx, max, visibility, wait)
	if err == nil {
		w.poll.OK()
	}
	return ds, err
}

// watchedOutbox records each successful read of the outbox.
type watchedOutbox struct {
	relay.Store
	poll *health.Poller
}

var _ relay.Store = watchedOutbox{}

func (w watchedOutbox) PendingEvents(ctx context.Context, limit int) ([]outbox.Event, error) {
	evs, err := w.Store.PendingEvents(ctx, limit)
	if err == nil {
		w.poll.OK()
	}
	return evs, err
}
