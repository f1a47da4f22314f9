package host_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/lease"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sandbox"
	"github.com/wagateway/wagateway/internal/sqlite"
)

// A short lease, on the real clock: hosts tick every 100 ms.
const testLeaseTTL = 800 * time.Millisecond

// shard is several hosts on one store and one set of lane queues, as
// on AWS, each with its own sandbox network checking fences against the
// shared lease store.
type shard struct {
	t      *testing.T
	db     *sqlite.DB
	store  *sqlite.Store
	leases *sqlite.LeaseStore
	svc    *gateway.Service
	recv   map[lane.Lane]host.Receiver
	hosts  []*leasedHost
}

type leasedHost struct {
	name string
	host *host.Host
	net  *sandbox.Network
	// down makes the host's lease store fail (a network partition).
	down   *atomic.Bool
	cancel context.CancelFunc
	done   chan struct{}
}

func newShard(t *testing.T) *shard {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shard.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	byLane := map[lane.Lane]*sqlite.Queue{}
	enq := map[lane.Lane]gateway.Enqueuer{}
	recv := map[lane.Lane]host.Receiver{}
	for _, l := range lane.All() {
		q := sqlite.NewQueue(db, "lane-"+string(l), clock.Real{})
		byLane[l], enq[l], recv[l] = q, q, q
	}
	st := sqlite.NewStore(db, byLane)
	svc, err := gateway.New(gateway.Config{Store: st, Queues: enq, Clock: clock.Real{}, Log: slog.New(slog.DiscardHandler),
		URLs: netguard.Policy{AllowLoopback: true}})
	require.NoError(t, err)
	_, err = svc.CreateTenant(context.Background(), "acme")
	require.NoError(t, err)
	return &shard{t: t, db: db, store: st, leases: sqlite.NewLeaseStore(db), svc: svc, recv: recv}
}

// linked creates n instances already linked (as after a host restart).
func (s *shard) linked(n int) []string {
	ctx := context.Background()
	var names []string
	for i := range n {
		name := fmt.Sprintf("acme__c__i%02d", i)
		_, err := s.svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: name,
			WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
		require.NoError(s.t, err)
		require.NoError(s.t, s.store.SetConnection(ctx, name, instance.StateClose, fmt.Sprintf("5491100000%03d", i), time.Time{}, nil))
		names = append(names, name)
	}
	return names
}

// flakyLeases is the shared lease store, failing while down.
type flakyLeases struct {
	*sqlite.LeaseStore
	down *atomic.Bool
}

var errPartition = errors.New("lease store unreachable")

func (f flakyLeases) Acquire(ctx context.Context, inst, holder string, ttl time.Duration, now time.Time) (lease.Lease, error) {
	if f.down.Load() {
		return lease.Lease{}, errPartition
	}
	return f.LeaseStore.Acquire(ctx, inst, holder, ttl, now)
}

func (f flakyLeases) Renew(ctx context.Context, l lease.Lease, ttl time.Duration, now time.Time) (lease.Lease, error) {
	if f.down.Load() {
		return lease.Lease{}, errPartition
	}
	return f.LeaseStore.Renew(ctx, l, ttl, now)
}

func (f flakyLeases) List(ctx context.Context) ([]lease.Lease, error) {
	if f.down.Load() {
		return nil, errPartition
	}
	return f.LeaseStore.List(ctx)
}

// start runs one more host on the shard until the test ends.
func (s *shard) start(name string) *leasedHost {
	s.t.Helper()
	deferred := driver.NewDeferred()
	net := sandbox.New(deferred, clock.Real{}, rand.New(rand.NewPCG(uint64(len(s.hosts)+1), 9)))
	log := slog.New(slog.DiscardHandler)
	net.CheckFences(s.leases, log)
	down := new(atomic.Bool)
	h, err := host.New(host.Config{Driver: net, Store: s.store, Queues: s.recv, Clock: clock.Real{}, Log: log,
		DelayScale: 0.001, Fetcher: media.New(media.Options{Policy: netguard.Policy{AllowLoopback: true}}),
		Leases: flakyLeases{s.leases, down}, Holder: name, LeaseTTL: testLeaseTTL, Roles: []string{lease.RelayRole(0)}})
	require.NoError(s.t, err)
	deferred.Bind(h)
	ctx, cancel := context.WithCancel(context.Background())
	lh := &leasedHost{name: name, host: h, net: net, down: down, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(lh.done)
		_ = h.Run(ctx)
	}()
	s.t.Cleanup(lh.stop)
	s.hosts = append(s.hosts, lh)
	return lh
}

func (lh *leasedHost) stop() {
	lh.cancel()
	<-lh.done
}

// holders maps each instance to the holder of its lease, at now.
func (s *shard) holders() map[string]string {
	ls, err := s.leases.List(context.Background())
	require.NoError(s.t, err)
	out := map[string]string{}
	now := time.Now()
	for _, l := range ls {
		if l.HeldAt(now) && l.Instance[0] != '@' {
			out[l.Instance] = l.Holder
		}
	}
	return out
}

func (s *shard) load() map[string]int {
	out := map[string]int{}
	for _, h := range s.holders() {
		out[h]++
	}
	return out
}

// allOpen reports whether every instance is open, held by a host whose
// own network has it connected.
func (s *shard) allOpen(names []string) bool {
	held := s.holders()
	for _, n := range names {
		in, err := s.store.GetInstance(context.Background(), n)
		if err != nil || in.State != instance.StateOpen || held[n] == "" {
			return false
		}
	}
	return true
}

func (s *shard) send(names []string, tag string) []string {
	var ids []string
	for _, n := range names {
		m, _, err := s.svc.Send(context.Background(), "acme", gateway.SendInput{InstanceName: n, To: "5491112345678",
			Lane: "urgent", Type: message.Text, Content: message.Content{Text: tag + " " + n}}, "")
		require.NoError(s.t, err)
		ids = append(ids, m.ID)
	}
	return ids
}

func (s *shard) allSent(ids []string) bool {
	for _, id := range ids {
		m, err := s.store.GetMessage(context.Background(), id)
		if err != nil || m.Status != message.Sent {
			return false
		}
	}
	return true
}

// sentBy returns, per text, the hosts whose network sent it.
func (s *shard) sentBy() map[string][]string {
	out := map[string][]string{}
	for _, h := range s.hosts {
		for i := range 8 {
			for _, r := range h.net.Sent(fmt.Sprintf("acme__c__i%02d", i)) {
				out[r.Outbound.Text] = append(out[r.Outbound.Text], h.name)
			}
		}
	}
	return out
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 20*time.Second, 10*time.Millisecond, what)
}

// TestHostsShareAShard: two hosts started together split the linked
// instances evenly, each connecting only those it holds; every message
// goes out once, from the network of the host holding its instance (the
// other hands it back); when one host stops, the other takes all of its
// instances over and sends what follows.
func TestHostsShareAShard(t *testing.T) {
	s := newShard(t)
	names := s.linked(6)
	a, b := s.start("host-a"), s.start("host-b")
	eventually(t, "every instance open", func() bool { return s.allOpen(names) })
	require.Equal(t, map[string]int{"host-a": 3, "host-b": 3}, s.load())
	eventually(t, "one host relays", func() bool { return a.host.Holds(lease.RelayRole(0)) != b.host.Holds(lease.RelayRole(0)) })

	ids := s.send(names, "first")
	eventually(t, "all sent", func() bool { return s.allSent(ids) })
	held := s.holders()
	for text, by := range s.sentBy() {
		require.Len(t, by, 1, "%q sent once", text)
		require.Equal(t, held["acme__c__"+text[len("first acme__c__"):]], by[0], "%q sent by the holder", text)
	}

	a.stop()
	eventually(t, "host-b holds everything", func() bool { return s.load()["host-b"] == 6 && s.allOpen(names) })
	eventually(t, "host-b relays", func() bool { return b.host.Holds(lease.RelayRole(0)) })
	ids = s.send(names, "second")
	eventually(t, "all sent after the hand-over", func() bool { return s.allSent(ids) })
	for text, by := range s.sentBy() {
		require.Len(t, by, 1, "%q sent once", text)
	}
	require.Zero(t, b.net.StaleRefused()+a.net.StaleRefused(), "nobody acted on a stale lease")
}

// TestPartitionedHostStepsDown: a host that cannot reach the lease store
// drops its instances before its leases expire (it cannot prove it holds
// them); the other host takes them once expired. Back, the partitioned
// host counts again, and the loaded one gives instances up one at a
// time until they are even.
func TestPartitionedHostStepsDown(t *testing.T) {
	s := newShard(t)
	names := s.linked(6)
	a, _ := s.start("host-a"), s.start("host-b")
	eventually(t, "every instance open", func() bool { return s.allOpen(names) })

	a.down.Store(true)
	eventually(t, "host-b took everything", func() bool { return s.load()["host-b"] == 6 && s.allOpen(names) })
	ids := s.send(names, "during")
	eventually(t, "all sent during the partition", func() bool { return s.allSent(ids) })
	for text, by := range s.sentBy() {
		require.Equal(t, []string{"host-b"}, by, "%q", text)
	}

	a.down.Store(false)
	eventually(t, "even again", func() bool {
		l := s.load()
		return l["host-a"] == 3 && l["host-b"] == 3 && s.allOpen(names)
	})
}
