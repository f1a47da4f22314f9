package pacer

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/lane"
)

var t0 = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

func newTest(sent map[lane.Lane][]time.Time) *Pacer {
	return New(sent, 1, rand.New(rand.NewPCG(1, 2)))
}

func item(id string, l lane.Lane) Item { return Item{ID: id, Lane: l} }

// pickIDs drains p at now (no sends recorded) and returns the picked IDs.
func pickIDs(t *testing.T, p *Pacer, now time.Time) []string {
	t.Helper()
	var ids []string
	for {
		it, _, ok, wakeAt := p.Next(now)
		if !ok {
			require.True(t, wakeAt.IsZero(), "nothing capped, so nothing to wait for")
			return ids
		}
		ids = append(ids, it.ID)
	}
}

func TestPriorityOrder(t *testing.T) {
	tests := []struct {
		name string
		add  []Item
		want []string
	}{
		{"interleaved", []Item{item("b1", lane.Bulk), item("n1", lane.Normal), item("u1", lane.Urgent),
			item("b2", lane.Bulk), item("n2", lane.Normal), item("u2", lane.Urgent)},
			[]string{"u1", "u2", "n1", "n2", "b1", "b2"}},
		{"bulk only", []Item{item("b1", lane.Bulk), item("b2", lane.Bulk)}, []string{"b1", "b2"}},
		{"urgent last added still first", []Item{item("n1", lane.Normal), item("b1", lane.Bulk), item("u1", lane.Urgent)},
			[]string{"u1", "n1", "b1"}},
		{"invalid lane paced as bulk, after bulk added before it", []Item{item("b1", lane.Bulk), item("x1", "bogus"), item("n1", lane.Normal)},
			[]string{"n1", "b1", "x1"}},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTest(nil)
			for _, it := range tt.add {
				p.Add(it)
			}
			require.Equal(t, tt.want, pickIDs(t, p, t0))
		})
	}
}

func TestFIFOWithinLane(t *testing.T) {
	for _, l := range lane.All() {
		t.Run(string(l), func(t *testing.T) {
			p := newTest(nil)
			var want []string
			for i := range 200 { // enough to make the queue compact and grow
				id := string(l) + "-" + string(rune('A'+i%26)) + string(rune('a'+i/26))
				p.Add(item(id, l))
				want = append(want, id)
				if i%3 == 2 { // interleave picks with adds
					it, _, ok, _ := p.Next(t0)
					require.True(t, ok)
					require.Equal(t, want[0], it.ID)
					require.Equal(t, l, it.Lane)
					want = want[1:]
				}
			}
			require.Equal(t, want, pickIDs(t, p, t0))
		})
	}
}

func TestAddDuplicateIgnored(t *testing.T) {
	p := newTest(nil)
	p.Add(item("a", lane.Normal))
	p.Add(item("a", lane.Urgent)) // redelivered with another lane: still one
	p.Add(item("a", lane.Normal))
	require.Equal(t, map[lane.Lane]int{lane.Urgent: 0, lane.Normal: 1, lane.Bulk: 0}, p.Len())
	require.Equal(t, []string{"a"}, pickIDs(t, p, t0))
	// Once picked it is no longer pending: the same ID may be queued again.
	p.Add(item("a", lane.Bulk))
	require.Equal(t, 1, p.Len()[lane.Bulk])
}

func TestRemove(t *testing.T) {
	tests := []struct {
		name   string
		remove []string
		wantOK []bool
		want   []string
	}{
		{"head", []string{"n1"}, []bool{true}, []string{"u1", "n2", "n3", "b1"}},
		{"middle", []string{"n2"}, []bool{true}, []string{"u1", "n1", "n3", "b1"}},
		{"tail", []string{"b1"}, []bool{true}, []string{"u1", "n1", "n2", "n3"}},
		{"unknown", []string{"zz"}, []bool{false}, []string{"u1", "n1", "n2", "n3", "b1"}},
		{"twice", []string{"n3", "n3"}, []bool{true, false}, []string{"u1", "n1", "n2", "b1"}},
		{"all", []string{"u1", "n1", "n2", "n3", "b1"}, []bool{true, true, true, true, true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTest(nil)
			for _, it := range []Item{item("n1", lane.Normal), item("u1", lane.Urgent), item("n2", lane.Normal),
				item("b1", lane.Bulk), item("n3", lane.Normal)} {
				p.Add(it)
			}
			for i, id := range tt.remove {
				require.Equal(t, tt.wantOK[i], p.Remove(id), id)
			}
			total := 0
			for _, n := range p.Len() {
				total += n
			}
			require.Equal(t, len(tt.want), total)
			require.Equal(t, tt.want, pickIDs(t, p, t0))
		})
	}
	t.Run("picked item is not removable", func(t *testing.T) {
		p := newTest(nil)
		p.Add(item("a", lane.Normal))
		_, _, ok, _ := p.Next(t0)
		require.True(t, ok)
		require.False(t, p.Remove("a"))
	})
	t.Run("removed then re-added goes to the tail", func(t *testing.T) {
		p := newTest(nil)
		p.Add(item("a", lane.Normal))
		p.Add(item("b", lane.Normal))
		require.True(t, p.Remove("a"))
		p.Add(item("a", lane.Normal))
		require.Equal(t, []string{"b", "a"}, pickIDs(t, p, t0))
	})
}

func TestRequeue(t *testing.T) {
	t.Run("goes to the head", func(t *testing.T) {
		p := newTest(nil)
		for _, id := range []string{"a", "b", "c"} {
			p.Add(item(id, lane.Normal))
		}
		it, _, ok, _ := p.Next(t0)
		require.True(t, ok)
		require.Equal(t, "a", it.ID)
		p.Requeue(it)
		require.Equal(t, 3, p.Len()[lane.Normal])
		require.Equal(t, []string{"a", "b", "c"}, pickIDs(t, p, t0))
	})
	t.Run("head when the queue has no room in front", func(t *testing.T) {
		p := newTest(nil)
		p.Add(item("b", lane.Bulk))
		p.Add(item("c", lane.Bulk))
		p.Requeue(item("a", lane.Bulk))
		require.Equal(t, []string{"a", "b", "c"}, pickIDs(t, p, t0))
	})
	t.Run("still behind a higher lane", func(t *testing.T) {
		p := newTest(nil)
		p.Add(item("n", lane.Normal))
		it, _, _, _ := p.Next(t0)
		p.Add(item("u", lane.Urgent))
		p.Requeue(it)
		require.Equal(t, []string{"u", "n"}, pickIDs(t, p, t0))
	})
	t.Run("re-added meanwhile: one copy, at the head", func(t *testing.T) {
		p := newTest(nil)
		p.Add(item("a", lane.Normal))
		p.Add(item("b", lane.Normal))
		it, _, _, _ := p.Next(t0)
		p.Add(item("a", lane.Normal)) // queue redelivery while in flight
		p.Requeue(it)
		require.Equal(t, 2, p.Len()[lane.Normal])
		require.Equal(t, []string{"a", "b"}, pickIDs(t, p, t0))
	})
}

func TestIdleReleasesMemory(t *testing.T) {
	p := newTest(nil)
	for i := range 5000 {
		p.Add(item(string(rune(0x4e00+i)), lane.All()[i%3]))
	}
	require.True(t, p.Remove(string(rune(0x4e00+7))))
	require.Len(t, pickIDs(t, p, t0), 4999)
	require.Nil(t, p.pending)
	for i := range p.lanes {
		require.Nil(t, p.lanes[i].q.q, "lane %d keeps its buffer", i)
	}
}

func TestPreempts(t *testing.T) {
	capped := map[lane.Lane][]time.Time{}
	for i := range 80 { // normal's hourly cap, reached
		capped[lane.Normal] = append(capped[lane.Normal], t0.Add(-time.Duration(i)*time.Second))
	}
	tests := []struct {
		name   string
		sent   map[lane.Lane][]time.Time
		add    []Item
		picked lane.Lane
		want   bool
	}{
		{"nothing waiting", nil, nil, lane.Bulk, false},
		{"urgent waits, bulk picked", nil, []Item{item("u", lane.Urgent)}, lane.Bulk, true},
		{"normal waits, bulk picked", nil, []Item{item("n", lane.Normal)}, lane.Bulk, true},
		{"urgent picked: nothing is higher", nil, []Item{item("u", lane.Urgent)}, lane.Urgent, false},
		{"lower lanes never preempt", nil, []Item{item("b", lane.Bulk), item("n", lane.Normal)}, lane.Normal, false},
		{"a capped higher lane does not preempt", capped, []Item{item("n", lane.Normal)}, lane.Bulk, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newTest(tc.sent)
			for _, it := range tc.add {
				p.Add(it)
			}
			require.Equal(t, tc.want, p.Preempts(tc.picked, t0))
		})
	}
}
