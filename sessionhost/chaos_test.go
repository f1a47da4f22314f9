package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/emulator"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sqs"
	"github.com/wagateway/wagateway/internal/testbin"
)

// chaosInstances is how many instances the chaos test runs.
const chaosInstances = 300

// failoverTarget is issue 17's: every instance open again within 45 s of
// a kill -9, p99.
const failoverTarget = 45 * time.Second

// TestChaos runs three session host processes in AWS mode on the
// emulators (DynamoDB Local, the SQS emulator, the sandbox driver, a
// PutEvents fake) with 300 linked instances and messages in every lane,
// and breaks them: one host is killed with SIGKILL (and replaced, as ECS
// would), another frozen past its leases (SIGSTOP, then SIGCONT), and
// all three are rolled (three new ones started, the old ones stopped).
// Each host's sandbox network refuses actions under a stale fencing
// token and logs them. At the end every message must have exactly one
// outcome event on the bus, no host may have acted for an instance after
// another was granted it, and failover must meet its target. It prints
// one summary line; `make chaos` runs it alone.
func TestChaos(t *testing.T) {
	r := newChaosRig(t, chaosInstances)
	ids, b, leases := &r.ids, r.bus, r.leases
	wave, start, heldBy := r.wave, r.start, r.heldBy
	h0, h1, h2 := start(), start(), start()
	heldBy("the first three hosts hold every instance", h0, h1, h2)
	spread := leaseHolders(t, leases)
	t.Logf("spread over 3 hosts: %d / %d / %d", len(instancesOf(spread, h0.holder)),
		len(instancesOf(spread, h1.holder)), len(instancesOf(spread, h2.holder)))
	wave(0)

	// kill -9 one host; ECS starts a replacement.
	killed := instancesOf(leaseHolders(t, leases), h0.holder)
	killAt := time.Now()
	h0.signal(t, syscall.SIGKILL)
	<-h0.exited
	wave(1)
	h3 := start()
	heldBy("the survivors hold the killed host's instances", h1, h2, h3)

	// Freeze another past its leases, then let it go on.
	frozen := instancesOf(leaseHolders(t, leases), h1.holder)
	freezeAt := time.Now()
	h1.signal(t, syscall.SIGSTOP)
	wave(2)
	heldBy("the others hold the frozen host's instances", h2, h3)
	h1.signal(t, syscall.SIGCONT)

	// Roll all three: start three new hosts, then stop the old ones.
	wave(3)
	n1, n2, n3 := start(), start(), start()
	for _, old := range []*chaosHost{h1, h2, h3} {
		old.signal(t, syscall.SIGTERM)
		select {
		case <-old.exited:
		case <-time.After(time.Minute):
			t.Fatalf("host %d did not stop on SIGTERM", old.n)
		}
	}
	heldBy("the new hosts hold every instance", n1, n2, n3)
	wave(4)
	require.Eventually(t, func() bool { lost, _ := b.outcome(*ids); return lost == 0 }, 3*time.Minute, 250*time.Millisecond,
		"every message has its outcome on the bus")
	for _, h := range []*chaosHost{n1, n2, n3} {
		h.signal(t, syscall.SIGTERM)
		<-h.exited
	}

	lines := r.lines()
	stale := 0
	for _, l := range lines {
		if l.Msg == "sandbox refused stale fence" {
			stale++
		}
	}
	fo := append(failovers(lines, killed, killAt), failovers(lines, frozen, freezeAt)...)
	lost, dup := b.outcome(*ids)
	double := doubleConnected(lines)
	summary := fmt.Sprintf("chaos: instances=%d kills=1 freezes=1 rolls=3 lost=%d duplicated=%d double_connected=%d stale_refused=%d failover_p50=%.1fs failover_p99=%.1fs",
		chaosInstances, lost, dup, double, stale, percentile(fo, 0.5).Seconds(), percentile(fo, 0.99).Seconds())
	fmt.Fprintln(os.Stderr, summary)
	t.Log(summary)
	t.Logf("messages: %d; failover samples: %d (killed host held %d, frozen host %d); events published more than once: %d",
		len(*ids), len(fo), len(killed), len(frozen), b.republished())
	require.Zero(t, lost, "lost")
	require.Zero(t, dup, "duplicated")
	require.Zero(t, double, "double connected")
	require.Len(t, fo, len(killed)+len(frozen), "every instance of the failed hosts connected again")
	require.LessOrEqual(t, percentile(fo, 0.99), failoverTarget)
	require.NotEmpty(t, killed)
	require.NotEmpty(t, frozen)
	require.False(t, strings.Contains(summary, "failover_p99=0.0s"))
}

// chaosRig is the chaos test's world: the emulators, the table and
// queues, the API's use cases on them, n linked instances, and the host
// processes started so far.
type chaosRig struct {
	t      testing.TB
	ctx    context.Context
	bin    string
	dir    string
	env    []string
	svc    *gateway.Service
	bus    *bus
	leases *dynamo.LeaseStore
	names  []string
	ids    []string
	all    []*chaosHost
}

func newChaosRig(t testing.TB, n int) *chaosRig {
	dir := t.TempDir()
	bin := testbin.Build(t, ".", dir, "sessionhost")
	dynamoEP, sqsEP := emulator.DynamoDB(t), emulator.SQS(t)
	ctx := context.Background()
	prefix := "chaos-" + uuid.NewString()[:8]
	table := prefix + "-state"
	db := dynamoClient(dynamoEP)
	require.NoError(t, dynamo.CreateTable(ctx, db, table))
	sqsClient := emulator.SQSClient(sqsEP)
	laneURLs := map[lane.Lane]string{}
	enq := map[lane.Lane]gateway.Enqueuer{}
	for _, l := range lane.All() {
		laneURLs[l] = emulator.CreateQueue(t, sqsEP, prefix+"-"+string(l), true, "", 0)
		enq[l] = sqs.New(sqsClient, laneURLs[l])
	}
	b, busEP := newBus(t)
	env := []string{
		"GATEWAY_TABLE=" + table,
		"GATEWAY_QUEUE_URGENT=" + laneURLs[lane.Urgent],
		"GATEWAY_QUEUE_NORMAL=" + laneURLs[lane.Normal],
		"GATEWAY_QUEUE_BULK=" + laneURLs[lane.Bulk],
		"GATEWAY_COMMAND_QUEUE=" + emulator.CreateQueue(t, sqsEP, prefix+"-command", true, "", 0),
		"GATEWAY_EVENT_BUS=gateway",
		"GATEWAY_DRIVER=sandbox",
		"GATEWAY_MEDIA_BUCKET=wagateway-media",
		"GATEWAY_PUBLIC_URL=https://abc123.execute-api.us-east-1.amazonaws.com/",
		"GATEWAY_HEALTH_ADDR=127.0.0.1:0",
		"GATEWAY_LANE_DELAY_SCALE=0.01",
		// Debug: the sandbox networks log every action they accept.
		"GATEWAY_LOG_LEVEL=debug",
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_ENDPOINT_URL_DYNAMODB=" + dynamoEP, "AWS_ENDPOINT_URL_SQS=" + sqsEP, "AWS_ENDPOINT_URL_EVENTBRIDGE=" + busEP,
	}

	// The API's side: the same use cases on the same table and queues.
	store := dynamo.New(db, table)
	svc, err := gateway.New(gateway.Config{Store: store, Queues: enq, Clock: clock.Real{},
		Log: slog.New(slog.DiscardHandler), URLs: netguard.Policy{}})
	require.NoError(t, err)
	_, err = svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("acme__chaos__i%03d", i)
		_, err := svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: names[i],
			WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
		require.NoError(t, err)
		// Linked, as after a restart: the sandbox trusts the stored number.
		require.NoError(t, store.SetConnection(ctx, names[i], instance.StateClose, fmt.Sprintf("5491100%06d", i), time.Time{}, nil))
	}
	return &chaosRig{t: t, ctx: ctx, bin: bin, dir: dir, env: env, svc: svc, bus: b, leases: chaosLeases(db, table), names: names}
}

// wave sends one message to every instance, lanes in turn.
func (r *chaosRig) wave(k int) {
	lanes := lane.All()
	for i, n := range r.names {
		m, _, err := r.svc.Send(r.ctx, "acme", gateway.SendInput{InstanceName: n, To: "5491112345678",
			Lane: string(lanes[(i+k)%len(lanes)]), Type: message.Text, Content: message.Content{Text: fmt.Sprintf("wave %d", k)}}, "")
		require.NoError(r.t, err)
		r.ids = append(r.ids, m.ID)
	}
}

func (r *chaosRig) start() *chaosHost {
	h := startChaosHost(r.t, r.bin, r.dir, len(r.all), r.env)
	r.all = append(r.all, h)
	return h
}

// heldBy waits until every instance is held by one of hosts.
func (r *chaosRig) heldBy(what string, hosts ...*chaosHost) {
	r.t.Helper()
	ok := map[string]bool{}
	for _, h := range hosts {
		ok[h.holder] = true
	}
	require.Eventually(r.t, func() bool {
		held := leaseHolders(r.t, r.leases)
		for _, n := range r.names {
			if !ok[held[n]] {
				return false
			}
		}
		return true
	}, 3*time.Minute, 250*time.Millisecond, what)
}

// lines reads every host's log.
func (r *chaosRig) lines() []hostLine {
	var out []hostLine
	for _, h := range r.all {
		out = append(out, readHostLog(r.t, h.log)...)
	}
	return out
}
