package sandbox_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/sandbox"
)

// TestConcurrentSends: many goroutines sending to many instances, while
// others read the logs and drop and reconnect connections; run with -race.
// Each sender's messages must arrive complete and in its order.
func TestConcurrentSends(t *testing.T) {
	const instances, senders, each = 20, 8, 50
	ctx := context.Background()
	ev := drivertest.NewRecorder()
	n := sandbox.New(ev, clock.NewFake(t0), rand.New(rand.NewPCG(3, 4)))
	for i := range instances {
		require.NoError(t, n.Connect(ctx, name(i), "5491112345678"))
	}

	var wg sync.WaitGroup
	for i := range instances {
		for s := range senders {
			wg.Go(func() {
				for m := range each {
					out := driver.Outbound{MessageID: fmt.Sprintf("%d/%d", s, m), To: "5491187654321", Type: message.Text}
					assert.NoError(t, n.Send(ctx, name(i), out))
				}
			})
		}
		wg.Go(func() {
			for range each {
				n.Sent(name(i))
				_, _ = n.Device(ctx, name(i))
			}
		})
	}
	wg.Wait()

	for i := range instances {
		sent := n.Sent(name(i))
		require.Len(t, sent, senders*each)
		next := make([]int, senders)
		for _, r := range sent {
			var s, m int
			_, err := fmt.Sscanf(r.MessageID, "%d/%d", &s, &m)
			require.NoError(t, err)
			require.Equal(t, next[s], m, "sender %d's messages in order", s)
			next[s]++
		}
	}
}

// TestConcurrentLifecycle races drops, reconnects, inbound messages and
// linking across instances; with -race it checks the locking, and every
// instance must end in a state the events agree with.
func TestConcurrentLifecycle(t *testing.T) {
	const instances = 20
	ctx := context.Background()
	ev := drivertest.NewRecorder()
	n := sandbox.New(ev, clock.NewFake(t0), rand.New(rand.NewPCG(5, 6)))
	var wg sync.WaitGroup
	for i := range instances {
		wg.Go(func() {
			assert.NoError(t, n.Link(ctx, name(i)))
			assert.NoError(t, n.Scan(name(i), "5491112345678"))
			for range 20 {
				assert.NoError(t, n.Inbound(name(i), driver.Inbound{From: "5491187654321", Text: "hi"}))
				assert.NoError(t, n.Drop(name(i), driver.ConnectionLost))
				assert.NoError(t, n.Connect(ctx, name(i), "5491112345678"))
			}
		})
	}
	wg.Wait()
	for i := range instances {
		var last drivertest.Event
		received := 0
		for _, e := range ev.Events() {
			if e.Instance == name(i) && e.Kind == drivertest.Received {
				received++
			} else if e.Instance == name(i) {
				last = e
			}
		}
		require.Equal(t, 20, received)
		require.Equal(t, drivertest.Connected, last.Kind, "the last word on %s", name(i))
	}
}

// reconnecting is a host that reconnects from inside its Disconnected
// callback and reads the network from inside Connected: both would
// deadlock if the network reported while holding its lock.
type reconnecting struct {
	*drivertest.Recorder
	n *sandbox.Network
}

func (r *reconnecting) Disconnected(instance string, reason driver.Reason) {
	r.Recorder.Disconnected(instance, reason)
	if reason == driver.ConnectionLost {
		_ = r.n.Connect(context.Background(), instance, "5491112345678")
	}
}

func (r *reconnecting) Connected(instance, phone string) {
	r.n.Sent(instance)
	r.Recorder.Connected(instance, phone)
}

func TestCallbacksMayCallBack(t *testing.T) {
	rec := &reconnecting{Recorder: drivertest.NewRecorder()}
	rec.n = sandbox.New(rec, clock.NewFake(t0), nil)
	require.NoError(t, rec.n.Connect(context.Background(), "acme__c__main", "5491112345678"))
	rec.Expect(t, "acme__c__main", drivertest.Connecting)
	rec.Expect(t, "acme__c__main", drivertest.Connected)

	require.NoError(t, rec.n.Drop("acme__c__main", driver.ConnectionLost))
	rec.Expect(t, "acme__c__main", drivertest.Disconnected)
	rec.Expect(t, "acme__c__main", drivertest.Connecting)
	rec.Expect(t, "acme__c__main", drivertest.Connected)
	rec.Quiet(t, "acme__c__main")
}

// TestIdleInstancesAreCheap: the benchmark keeps 10,000 instances open;
// an open, idle instance must cost no goroutine and little memory.
func TestIdleInstancesAreCheap(t *testing.T) {
	const instances = 10_000
	n := sandbox.New(nop{}, clock.NewFake(t0), nil)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	goroutines := runtime.NumGoroutine()
	for i := range instances {
		require.NoError(t, n.Connect(context.Background(), name(i), "5491112345678"))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	require.LessOrEqual(t, runtime.NumGoroutine(), goroutines, "no goroutine per open instance")
	perInstance := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / instances
	t.Logf("%d bytes per open instance", perInstance)
	require.Less(t, perInstance, int64(2048))
	runtime.KeepAlive(n)
}

// nop is a host that ignores every event.
type nop struct{}

func (nop) QR(string, string)                     {}
func (nop) Connecting(string)                     {}
func (nop) Connected(string, string)              {}
func (nop) Disconnected(string, driver.Reason)    {}
func (nop) Received(string, driver.Inbound) error { return nil }

func name(i int) string { return fmt.Sprintf("acme__c%d__main", i) }
