// Package host is the session host: it keeps each instance's WhatsApp
// connection through a driver, links and unlinks instances, and drains the
// lane queues under the lane rules — one sender per instance, paced by
// internal/pacer, sending through the driver and recording the outcome.
//
// Queue messages are held while they wait for their turn (their visibility
// is extended) and deleted only after the outcome is stored, so a crash at
// any point means redelivery, never loss; a message found already sent or
// failed on redelivery is deleted without sending.
package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/lease"
)

// Visibility handling: a received queue message is invisible for holdFor;
// every extendEvery the host extends those whose visibility ends within
// extendAhead, by holdFor or, once they have waited long, by up to
// maxHold (session.extendDue). SQS bills every extension.
const (
	holdFor     = 60 * time.Second
	maxHold     = 15 * time.Minute
	extendEvery = 20 * time.Second
	extendAhead = 2 * extendEvery
	// receiveWait is SQS's longest long poll: an idle lane costs a
	// receive every 20 s, and a message arriving during a poll is
	// answered at once.
	receiveWait = 20 * time.Second
	// receiveMax is SQS's most messages per receive.
	receiveMax = 10
	// maxReceivers per lane queue. One receiver always polls; a receive
	// that comes back full (more are waiting) starts another, up to
	// maxReceivers, and each extra one stops at its first receive that
	// is not full. With thousands of busy instances one receiver would be
	// the bottleneck; kept running when the lane is quiet, the extra
	// ones would only multiply the empty polls SQS bills.
	maxReceivers = 4
)

// Config wires a Host.
type Config struct {
	Driver     Driver
	Store      Store
	Queues     map[lane.Lane]Receiver
	Fetcher    Fetcher
	Clock      clock.Clock
	Log        *slog.Logger
	DelayScale float64 // multiplies lane delays (sandbox only)
	Seed       uint64  // seeds delay and jitter draws; 0 = random
	// OnSend, if set, is told how late each send started against the time
	// its lane delay made it due (for benchmarks and metrics).
	OnSend func(late time.Duration)
	// OnEvent, if set, is called after an event was stored, to wake the
	// dispatcher.
	OnEvent func()
	// Media keeps inbound media; nil keeps none, and media messages then
	// say so in media.error.
	Media MediaStore
	// Retention is how long inbound messages are kept (their media too,
	// by the media store's own retention); 0 means
	// message.ReceivedRetention.
	Retention time.Duration
	// PublicURL is where the API is reached (GATEWAY_PUBLIC_URL): media.url
	// is PublicURL/instance/{name}/media/{messageId}.
	PublicURL string
	// Leases, when set, puts each instance under a lease (leases.go), so
	// that several hosts can share a shard: a host connects, sends and
	// writes for an instance only while it holds its lease, under the
	// lease's fencing token. Holder names this process (unique per
	// incarnation, unless a lock makes it the only one, as locally);
	// LeaseTTL is the lease time (0: DefaultLeaseTTL). Without Leases the
	// host holds every instance.
	Leases   Leases
	Holder   string
	LeaseTTL time.Duration
	// Roles are jobs one host does for all (roles.go), each under a
	// lease of that name: the host tells whether it holds one (Holds),
	// and OnRole, if set, is called when it takes one (to start the job
	// at once rather than at its next poll).
	Roles  []string
	OnRole func(role string)
	// Shard is the shard whose instances this host connects (with
	// leases); it claims no other shard's.
	Shard int
}

// Host runs the sessions of the instances it owns.
type Host struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	sessions map[string]*session
	qr       map[string]string        // current QR code per linking instance
	qrWait   map[string]chan struct{} // closed when the instance's next QR code arrives
	bans     map[string]ban           // per banned instance (see ban.go)
	banSeq   uint64                   // numbers bans, so a stale reconnect knows it is stale
	rnd      *rand.Rand
	own      *owner        // starts, stops and waits for every goroutine (owner.go)
	running  chan struct{} // closed once Run has taken over the linked instances
	// With leases (leases.go): the leases this host holds, every lease as
	// last listed, and when linking started for instances being linked.
	held    map[string]lease.Lease
	view    map[string]lease.Lease
	viewAt  time.Time // when view was listed
	linking map[string]time.Time
	roles   map[string]lease.Lease // the roles this host holds (roles.go)
	shards  instance.Shards        // each instance's shard, as last read (leases.go)
	// hostLease is the host's presence lease, used by the lease loop alone
	// (and by releaseAll after it stopped).
	hostLease lease.Lease
	rolesOnce sync.Once // TakeRoles
}

// New checks cfg and returns a Host; Run starts it.
func New(cfg Config) (*Host, error) {
	if cfg.Driver == nil || cfg.Store == nil || cfg.Fetcher == nil || cfg.Clock == nil || cfg.Log == nil {
		return nil, errors.New("host: driver, store, fetcher, clock and logger are required")
	}
	if cfg.Media != nil && !strings.HasPrefix(cfg.PublicURL, "http://") && !strings.HasPrefix(cfg.PublicURL, "https://") {
		// media.url must be absolute, or every inbound media message
		// would fail its event and never be acknowledged.
		return nil, errors.New("host: a media store needs the API's public http(s) URL (PublicURL)")
	}
	for _, l := range lane.All() {
		if cfg.Queues[l] == nil {
			return nil, fmt.Errorf("host: no queue for lane %s", l)
		}
	}
	if cfg.DelayScale <= 0 {
		cfg.DelayScale = 1
	}
	if cfg.Leases != nil && cfg.Holder == "" {
		return nil, errors.New("host: leases need a holder id")
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Host{cfg: cfg, log: cfg.Log, sessions: map[string]*session{}, qr: map[string]string{}, bans: map[string]ban{},
		qrWait: map[string]chan struct{}{}, own: newOwner(), running: make(chan struct{}),
		held: map[string]lease.Lease{}, view: map[string]lease.Lease{}, linking: map[string]time.Time{},
		roles: map[string]lease.Lease{},
		rnd:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}, nil
}

// Run reconnects the linked instances, drains the lane queues and keeps
// held messages invisible, until ctx ends; then it waits for the senders.
//
// With leases, Run connects only the instances it claims (leases.go),
// renews and claims every tick, and on stop releases what it holds.
func (h *Host) Run(ctx context.Context) error {
	if h.leased() {
		// Instances are claimed from the first tick on (leaseLoop).
		h.TakeRoles(ctx)
		h.own.post(h.leaseLoop)
	} else {
		linked, err := h.cfg.Store.ListLinked(ctx)
		if err != nil {
			return fmt.Errorf("list linked instances: %w", err)
		}
		for _, in := range linked {
			h.reconnect(in.Name.String(), in.PhoneNumber, 0)
		}
	}
	for _, l := range lane.All() {
		h.addReceiver(l, h.cfg.Queues[l], new(atomic.Int32))
	}
	h.own.post(h.extend)
	close(h.running)
	h.own.run(ctx)
	if h.leased() {
		h.releaseAll()
	}
	h.release()
	return nil
}

// Running is closed once Run has listed the instances linked before it
// started (their reconnects are under way) and its pollers run: an
// instance linked from then on is this Run's, not one it reconnects.
func (h *Host) Running() <-chan struct{} { return h.running }

// release makes every held message visible again at once, so after a
// clean stop the next host sends them without waiting out their
// visibility. After a crash they come back when it ends, or at once where
// the next process knows the dead one held them (the local gateway).
func (h *Host) release() {
	for _, s := range h.allSessions() {
		h.handBack(s)
	}
}

// addReceiver starts a receiver of lane l's queue, unless active (the
// lane's count of running receivers) is already at maxReceivers. An extra
// receiver stops at its first receive that is not full.
func (h *Host) addReceiver(l lane.Lane, q Receiver, active *atomic.Int32) {
	if reserveReceiver(active) {
		h.own.post(func(ctx context.Context) {
			defer active.Add(-1)
			h.drain(ctx, l, q, active, false)
		})
	}
}

// addExtraReceiver is addReceiver from a receiver: it starts the extra
// one at once, on a goroutine Run owns, while the backlog is there.
func (h *Host) addExtraReceiver(ctx context.Context, l lane.Lane, q Receiver, active *atomic.Int32) {
	if reserveReceiver(active) {
		h.own.spawn(func() {
			defer active.Add(-1)
			h.drain(ctx, l, q, active, true)
		})
	}
}

// reserveReceiver counts one more receiver of a lane, unless it has
// maxReceivers already.
func reserveReceiver(active *atomic.Int32) bool {
	if active.Add(1) > maxReceivers {
		active.Add(-1)
		return false
	}
	return true
}

// drain receives from one lane queue and hands each message to its
// instance's session.
func (h *Host) drain(ctx context.Context, l lane.Lane, q Receiver, active *atomic.Int32, extra bool) {
	for ctx.Err() == nil {
		ds, err := q.Receive(ctx, receiveMax, holdFor, receiveWait)
		// Visibility runs from the receive, not from when a message is
		// held: opening its session may take a while.
		received := h.cfg.Clock.Now()
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("receive from lane queue", "lane", string(l), "err", err.Error())
				if extra {
					return
				}
				h.sleep(ctx, time.Second)
			}
			continue
		}
		for _, d := range ds {
			h.hold(ctx, l, q, d, received)
		}
		switch {
		case len(ds) == receiveMax:
			h.addExtraReceiver(ctx, l, q, active)
		case extra:
			return
		}
	}
}

// extend keeps every held message invisible while it waits its turn.
func (h *Host) extend(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.cfg.Clock.After(extendEvery):
		}
		for _, s := range h.allSessions() {
			due, by := s.extendDue(h.cfg.Clock.Now())
			for i, hd := range due {
				if err := hd.q.ChangeVisibility(ctx, hd.receipt, by[i]); err != nil && ctx.Err() == nil {
					h.log.Warn("extend visibility", "instance", s.name, "messageId", hd.id, "err", err.Error())
				}
			}
		}
	}
}

func (h *Host) allSessions() []*session {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*session, 0, len(h.sessions))
	for _, s := range h.sessions {
		out = append(out, s)
	}
	return out
}

// sleep waits d on the host's clock, or until ctx ends.
func (h *Host) sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-h.cfg.Clock.After(d):
	}
}

// jitter returns d scaled by a random factor in [0.8, 1.2).
func (h *Host) jitter(d time.Duration) time.Duration {
	h.mu.Lock()
	f := 0.8 + 0.4*h.rnd.Float64()
	h.mu.Unlock()
	return time.Duration(float64(d) * f)
}
