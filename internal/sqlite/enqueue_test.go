package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/tenant"
)

// send is one CreateAndEnqueue in a grouped-enqueue case.
type send struct {
	id, inst string
	lane     lane.Lane
	want     error
}

// enqueueOps builds the writes CreateAndEnqueue would submit for sends,
// answering into the returned channels.
func enqueueOps(t *testing.T, st *Store, now time.Time, sends []send) ([]writeOp, []chan error) {
	ops := make([]writeOp, len(sends))
	errc := make([]chan error, len(sends))
	for i, s := range sends {
		m := message.Message{ID: s.id, Tenant: "acme", Instance: s.inst, Lane: s.lane, To: "5491112345678",
			Type: message.Text, Content: message.Content{Text: fmt.Sprint("hello ", i)}, Status: message.Pending, CreatedAt: now}
		row, err := newMessageRow(m)
		require.NoError(t, err)
		q := st.queues[s.lane]
		body := []byte(`{"messageId":"` + s.id + `"}`)
		errc[i] = make(chan error, 1)
		ops[i] = writeOp{errc: errc[i], group: st.enqueues, item: enqueueItem{row: row, q: q, body: body},
			fn: func(tx *Tx) error {
				if err := insertMessage(tx, row, nil); err != nil {
					return err
				}
				_, err := q.sendTx(tx, m.Instance, m.ID, body, false)
				return err
			}}
	}
	return ops, errc
}

// TestGroupedEnqueue: a batch of sends written together leaves what the
// sends one by one would — every message stored and queued in send order,
// each group's oldest entry its head — and a send that fails (instance
// gone, id taken) fails alone.
func TestGroupedEnqueue(t *testing.T) {
	ids := make([]string, 80)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	cases := []struct {
		name  string
		sends []send
	}{
		{"one group", []send{{ids[0], "acme__c__a", lane.Normal, nil}, {ids[1], "acme__c__a", lane.Normal, nil},
			{ids[2], "acme__c__a", lane.Normal, nil}}},
		{"groups and lanes interleaved", []send{{ids[3], "acme__c__a", lane.Normal, nil}, {ids[4], "acme__c__b", lane.Normal, nil},
			{ids[5], "acme__c__a", lane.Urgent, nil}, {ids[6], "acme__c__b", lane.Normal, nil}, {ids[7], "acme__c__a", lane.Normal, nil}}},
		{"instance gone", []send{{ids[8], "acme__c__a", lane.Normal, nil}, {ids[9], "acme__c__gone", lane.Normal, fault.ErrNotFound},
			{ids[10], "acme__c__b", lane.Normal, nil}}},
		{"id taken", []send{{ids[11], "acme__c__a", lane.Normal, nil}, {ids[0], "acme__c__b", lane.Normal, fault.ErrConflict},
			{ids[12], "acme__c__b", lane.Normal, nil}}},
		{"more than one chunk", func() []send {
			var out []send
			for i := 13; i < 13+maxRows+7; i++ {
				out = append(out, send{ids[i], []string{"acme__c__a", "acme__c__b", "acme__c__c"}[i%3], lane.Normal, nil})
			}
			return out
		}()},
	}
	ctx := context.Background()
	db := openQueueDB(t)
	clk := clock.NewFake(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC))
	queues := map[lane.Lane]*Queue{}
	for _, l := range lane.All() {
		queues[l] = NewQueue(db, "lane-"+string(l), clk)
	}
	st := NewStore(db, queues)
	require.NoError(t, st.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: clk.Now()}))
	for _, inst := range []string{"acme__c__a", "acme__c__b", "acme__c__c"} {
		n, err := instance.ParseName(inst)
		require.NoError(t, err)
		require.NoError(t, st.CreateInstance(ctx, instance.Instance{Name: n, State: instance.StateClose, CreatedAt: clk.Now()}))
	}
	var queued []send // every send that succeeded, in order
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ops, errc := enqueueOps(t, st, clk.Now(), c.sends)
			// The writer is idle between writes, so the batch can be
			// committed here as the writer would commit it.
			db.commit(ops)
			for i, s := range c.sends {
				err := <-errc[i]
				if s.want != nil {
					require.ErrorIs(t, err, s.want, s.id)
					continue
				}
				require.NoError(t, err, s.id)
				queued = append(queued, s)
				m, err := st.GetMessage(ctx, s.id)
				require.NoError(t, err)
				require.Equal(t, s.inst, m.Instance)
				require.Equal(t, message.Pending, m.Status)
			}
			requireQueueOrder(t, db, queued)
		})
	}
}

// requireQueueOrder checks that the queue holds exactly sends, in order
// within each group, with each group's oldest entry, and only it, its head.
func requireQueueOrder(t *testing.T, db *DB, sends []send) {
	t.Helper()
	rows, err := db.Read().Query(`SELECT queue, group_id, dedup_id, is_head FROM queue_messages ORDER BY seq`)
	require.NoError(t, err)
	defer rows.Close()
	type entry struct {
		id   string
		head bool
	}
	got := map[string][]entry{}
	for rows.Next() {
		var q, g, id string
		var head bool
		require.NoError(t, rows.Scan(&q, &g, &id, &head))
		got[q+"/"+g] = append(got[q+"/"+g], entry{id, head})
	}
	require.NoError(t, rows.Err())
	want := map[string][]entry{}
	for _, s := range sends {
		key := "lane-" + string(s.lane) + "/" + s.inst
		want[key] = append(want[key], entry{s.id, len(want[key]) == 0})
	}
	require.Equal(t, want, got)
}

// TestConcurrentEnqueue: sends from many goroutines (grouped whenever the
// writer batches them) are all stored and queued once.
func TestConcurrentEnqueue(t *testing.T) {
	ctx := context.Background()
	db := openQueueDB(t)
	q := NewQueue(db, "lane-normal", clock.Real{})
	st := NewStore(db, map[lane.Lane]*Queue{lane.Normal: q})
	now := time.Now()
	require.NoError(t, st.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: now}))
	n, err := instance.ParseName("acme__c__a")
	require.NoError(t, err)
	require.NoError(t, st.CreateInstance(ctx, instance.Instance{Name: n, State: instance.StateClose, CreatedAt: now}))
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				m := message.Message{ID: uuid.NewString(), Tenant: "acme", Instance: "acme__c__a", Lane: lane.Normal,
					To: "5491112345678", Type: message.Text, Content: message.Content{Text: fmt.Sprint(g, i)},
					Status: message.Pending, CreatedAt: now}
				require.NoError(t, st.CreateAndEnqueue(ctx, m, nil, []byte(m.ID)))
			}
		}()
	}
	wg.Wait()
	size, err := q.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, 16*25, size)
	var heads int
	require.NoError(t, db.Read().QueryRow(`SELECT count(*) FROM queue_messages WHERE is_head = 1 AND seq =
		(SELECT min(seq) FROM queue_messages)`).Scan(&heads))
	require.Equal(t, 1, heads, "the oldest entry is the head")
	require.NoError(t, db.Read().QueryRow(`SELECT count(*) FROM queue_messages WHERE is_head = 1`).Scan(&heads))
	require.Equal(t, 1, heads, "and the only one")
}
