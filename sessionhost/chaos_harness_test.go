package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/eventbus/eventbustest"
)

// chaosHost is one session host process in AWS mode.
type chaosHost struct {
	n      int
	cmd    *exec.Cmd
	log    string // its stderr: JSON log lines
	holder string // its lease holder id, from its start line
	exited chan struct{}
}

func (h *chaosHost) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	require.NoError(t, h.cmd.Process.Signal(sig))
}

// startChaosHost starts host number n with env and waits for its start
// line, which names its lease holder.
func startChaosHost(t testing.TB, bin, dir string, n int, env []string) *chaosHost {
	t.Helper()
	h := &chaosHost{n: n, log: filepath.Join(dir, fmt.Sprintf("host%d.log", n)), exited: make(chan struct{})}
	f, err := os.Create(h.log)
	require.NoError(t, err)
	h.cmd = exec.Command(bin)
	h.cmd.Env = append(os.Environ(), env...)
	h.cmd.Stderr, h.cmd.Stdout = f, nil
	require.NoError(t, h.cmd.Start())
	go func() {
		_ = h.cmd.Wait()
		_ = f.Close()
		close(h.exited)
	}()
	t.Cleanup(func() {
		_ = h.cmd.Process.Signal(syscall.SIGCONT)
		_ = h.cmd.Process.Kill()
		<-h.exited
	})
	require.Eventually(t, func() bool {
		for _, l := range readHostLog(t, h.log) {
			if l.Msg == "session host started" {
				h.holder = l.Holder
				return true
			}
		}
		return false
	}, 30*time.Second, 20*time.Millisecond, "host %d did not start", n)
	return h
}

// hostLine is what the chaos test reads of a host's JSON log lines.
type hostLine struct {
	Time     time.Time `json:"time"`
	Level    string    `json:"level"`
	Msg      string    `json:"msg"`
	Instance string    `json:"instance"`
	Token    int64     `json:"token"`
	Op       string    `json:"op"`
	Holder   string    `json:"holder"`
}

func readHostLog(t testing.TB, path string) []hostLine {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []hostLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l hostLine
		if json.Unmarshal(sc.Bytes(), &l) == nil {
			out = append(out, l)
		}
	}
	return out
}

// bus collects the events the hosts publish, by message id.
type bus struct {
	mu sync.Mutex
	// sent and failed are the distinct event ids of message.sent and
	// message.failed per message id.
	sent, failed map[string]map[string]bool
	// seen counts how often each event (by delivery id) was published:
	// more than once is the relay's at-least-once at work.
	seen map[string]int
}

func newBus(t testing.TB) (*bus, string) {
	b := &bus{sent: map[string]map[string]bool{}, failed: map[string]map[string]bool{}, seen: map[string]int{}}
	ep := eventbustest.New(t, func(_ context.Context, raw []byte) error {
		var e eventbustest.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			return err
		}
		var d struct {
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
			EventID string `json:"deliveryId"`
		}
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			return err
		}
		id := d.EventID
		if id == "" {
			id = e.ID
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		b.seen[id]++
		switch e.DetailType {
		case "message.sent":
			add(b.sent, d.Data.ID, id)
		case "message.failed":
			add(b.failed, d.Data.ID, id)
		}
		return nil
	})
	return b, ep
}

func add(m map[string]map[string]bool, k, v string) {
	if m[k] == nil {
		m[k] = map[string]bool{}
	}
	m[k][v] = true
}

// republished is how many events reached the bus more than once.
func (b *bus) republished() (n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.seen {
		if c > 1 {
			n++
		}
	}
	return n
}

// outcome counts lost (no outcome event) and duplicated (two outcome
// events that are not one event relayed twice) among ids.
func (b *bus) outcome(ids []string) (lost, duplicated int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range ids {
		switch n := len(b.sent[id]) + len(b.failed[id]); {
		case n == 0:
			lost++
		case n > 1:
			duplicated++
		}
	}
	return lost, duplicated
}

// leaseHolders maps every instance to the holder of its lease at now.
func leaseHolders(t testing.TB, ls *dynamo.LeaseStore) map[string]string {
	t.Helper()
	all, err := ls.List(context.Background())
	require.NoError(t, err)
	now := time.Now()
	out := map[string]string{}
	for _, l := range all {
		if l.HeldAt(now) && l.Instance[0] != '@' {
			out[l.Instance] = l.Holder
		}
	}
	return out
}

// doubleConnected counts the actions the sandbox networks accepted for
// an instance under a token after another host had been granted a newer
// one: instants when two hosts acted for one instance.
func doubleConnected(lines []hostLine) int {
	grants := map[string][]hostLine{}
	for _, l := range lines {
		if l.Msg == "lease acquired" {
			grants[l.Instance] = append(grants[l.Instance], l)
		}
	}
	n := 0
	for _, l := range lines {
		if l.Msg != "sandbox action" {
			continue
		}
		for _, g := range grants[l.Instance] {
			if g.Token > l.Token && g.Time.Before(l.Time) {
				n++
				break
			}
		}
	}
	return n
}

// failovers returns, for each instance in lost (held by a host that
// failed at at), how long until another host logged it connected.
func failovers(lines []hostLine, lost []string, at time.Time) []time.Duration {
	first := map[string]time.Time{}
	for _, l := range lines {
		if l.Msg == "instance connected" && l.Time.After(at) {
			if t, ok := first[l.Instance]; !ok || l.Time.Before(t) {
				first[l.Instance] = l.Time
			}
		}
	}
	var out []time.Duration
	for _, in := range lost {
		if t, ok := first[in]; ok {
			out = append(out, t.Sub(at))
		}
	}
	return out
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func instancesOf(holders map[string]string, holder string) []string {
	var out []string
	for in, h := range holders {
		if h == holder {
			out = append(out, in)
		}
	}
	return out
}

// chaosDynamo is the lease store the test reads, as the hosts write it.
func chaosLeases(client *dynamodb.Client, table string) *dynamo.LeaseStore {
	return dynamo.NewLeaseStore(client, table)
}

// TestChaosCounters: the chaos test's own counting, on made-up logs, so
// that its zeros mean something.
func TestChaosCounters(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	sec := func(s int) time.Time { return at.Add(time.Duration(s) * time.Second) }
	lines := []hostLine{
		{Time: sec(0), Msg: "lease acquired", Instance: "a", Token: 1},
		{Time: sec(1), Msg: "sandbox action", Instance: "a", Token: 1, Op: "Send"},
		{Time: sec(10), Msg: "lease acquired", Instance: "a", Token: 2},
		{Time: sec(11), Msg: "sandbox action", Instance: "a", Token: 2, Op: "Connect"},
		{Time: sec(12), Msg: "sandbox action", Instance: "a", Token: 1, Op: "Send"}, // the old holder, after the grant
		{Time: sec(12), Msg: "sandbox action", Instance: "b", Token: 1, Op: "Send"},
		{Time: sec(20), Msg: "instance connected", Instance: "b"},
		{Time: sec(30), Msg: "instance connected", Instance: "a"},
		{Time: sec(40), Msg: "instance connected", Instance: "a"},
	}
	require.Equal(t, 1, doubleConnected(lines))
	require.Equal(t, []time.Duration{25 * time.Second, 15 * time.Second}, failovers(lines, []string{"a", "b", "c"}, sec(5)))
	ds := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	require.Equal(t, time.Duration(5), percentile(ds, 0.5))
	require.Equal(t, time.Duration(10), percentile(ds, 0.99))

	b := &bus{sent: map[string]map[string]bool{}, failed: map[string]map[string]bool{}}
	add(b.sent, "m1", "e1")
	add(b.sent, "m1", "e1") // relayed twice: one event
	add(b.sent, "m2", "e2")
	add(b.failed, "m2", "e3")
	lost, dup := b.outcome([]string{"m1", "m2", "m3"})
	require.Equal(t, 1, lost)
	require.Equal(t, 1, dup)
}
