package pacer

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/lane"
)

// BenchmarkPacerNext measures one sender-loop cycle: Add, Next, Sent. Time
// advances 4 minutes per cycle and lanes rotate, so no lane is ever capped
// but the normal and bulk windows fill up and wrap (steady state).
func BenchmarkPacerNext(b *testing.B) {
	p := New(nil, 1, rand.New(rand.NewPCG(1, 2)))
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = fmt.Sprint("msg-", i)
	}
	all := lane.All()
	now := t0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Add(Item{ID: ids[i%len(ids)], Lane: all[i%3]})
		it, d, ok, _ := p.Next(now)
		if !ok {
			b.Fatalf("capped at cycle %d", i)
		}
		now = now.Add(d)
		p.Sent(it.Lane, now)
		now = now.Add(4 * time.Minute)
	}
}

// heapPer returns the live heap bytes per object made by mk, over n objects.
func heapPer(n int, mk func(i int) any) float64 {
	keep := make([]any, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = mk(i)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

func TestIdlePacerMemory(t *testing.T) {
	shared := rand.New(rand.NewPCG(1, 2))
	idle := heapPer(10000, func(int) any { return New(nil, 1, shared) })
	withRand := heapPer(10000, func(i int) any { return New(nil, 1, rand.New(rand.NewPCG(uint64(i), 1))) })
	allocs := testing.AllocsPerRun(100, func() { _ = New(nil, 1, shared) })
	t.Logf("idle pacer: %.0f B (with its own rand.Rand: %.0f B), %.0f allocs in New", idle, withRand, allocs)
	require.Less(t, idle, 2048.0)
	require.Less(t, withRand, 2048.0)

	// A pacer that just sent its full daily quota on every lane and is now
	// idle keeps only the window rings: that is its worst case.
	busy := heapPer(200, func(int) any {
		p := New(nil, 1, shared)
		now := t0
		for i := range 1500 {
			l := lane.All()[1+i%2]
			if it, _, ok, _ := p.Next(now); ok {
				p.Sent(it.Lane, now)
			}
			p.Add(Item{ID: fmt.Sprint(i), Lane: l})
			now = now.Add(time.Minute)
		}
		for id := p.firstPendingID(); id != ""; id = p.firstPendingID() {
			p.Remove(id)
		}
		if p.lanes[1].win.n != 500 || p.lanes[2].win.n != 200 {
			panic("windows not full")
		}
		return p
	})
	t.Logf("idle pacer after a full day of sends: %.0f B", busy)
	require.Less(t, busy, 20*1024.0)
}

// firstPendingID returns any pending ID ("" if none), for draining in tests.
func (p *Pacer) firstPendingID() string {
	for id := range p.pending {
		return id
	}
	return ""
}
