// Package storetest is the conformance suite of the gateway's state port.
// Every adapter (SQLite, DynamoDB) runs it, so they behave alike:
//
//   - creating a tenant, key or instance that exists is fault.ErrConflict;
//     a key or instance of a tenant that does not exist is fault.ErrNotFound;
//   - getting, updating or deleting something that does not exist is
//     fault.ErrNotFound, and a key can only be deleted by its own tenant;
//   - a message and its idempotency record are stored together: when a live
//     record for the key exists, nothing is stored and the call fails with
//     gateway.ErrIdempotencyReplay; an expired record is replaced;
//   - flushing and deleting an instance fail exactly its pending messages;
//     sent and failed messages keep their status;
//   - stats cover existing instances only, by name.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/tenant"
)

var t0 = time.Date(2026, 3, 15, 10, 30, 0, 123_000_000, time.UTC)

// Run runs every case; newStore returns a fresh, empty store each time.
func Run(t *testing.T, newStore func(t *testing.T) gateway.Store) {
	cases := map[string]func(t *testing.T, s gateway.Store){
		"tenants and keys":       tenantsAndKeys,
		"instances":              instances,
		"messages":               messages,
		"idempotency":            idempotency,
		"concurrent idempotency": concurrentIdempotency,
		"abandon":                abandon,
		"flush and delete":       flushAndDelete,
		"stats and totals":       statsAndTotals,
		"content of every kind":  contentOfEveryKind,
		"settings":               settings,
		"webhook events":         webhookEvents,
		"number checks":          numberChecks,
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { c(t, newStore(t)) })
	}
}

func mustTenant(t *testing.T, s gateway.Store, id string) {
	t.Helper()
	require.NoError(t, s.CreateTenant(context.Background(), tenant.Tenant{ID: id, CreatedAt: t0}))
}

func mustInstance(t *testing.T, s gateway.Store, name string) instance.Instance {
	t.Helper()
	n, err := instance.ParseName(name)
	require.NoError(t, err)
	in := instance.Instance{Name: n, WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef",
		State: instance.StateClose, CreatedAt: t0}
	require.NoError(t, s.CreateInstance(context.Background(), in))
	return in
}

func newMessage(tenantID, inst string, l lane.Lane) message.Message {
	return message.Message{ID: uuid.NewString(), Tenant: tenantID, Instance: inst, Lane: l, To: "5491112345678",
		Type: message.Document, Content: message.Content{MediaURL: "https://x.example/a.pdf", FileName: "a.pdf", Caption: "{hi|hello}"},
		Status: message.Pending, CreatedAt: t0}
}

func tenantsAndKeys(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	require.ErrorIs(t, s.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: t0}), fault.ErrConflict)

	_, k, err := tenant.NewKey("acme", t0)
	require.NoError(t, err)
	require.NoError(t, s.CreateKey(ctx, k))
	got, err := s.GetKey(ctx, k.ID)
	require.NoError(t, err)
	require.Equal(t, k.TenantID, got.TenantID)
	require.Equal(t, k.Hash, got.Hash)
	require.True(t, got.CreatedAt.Equal(t0.Truncate(time.Millisecond)))

	_, orphan, err := tenant.NewKey("ghost", t0)
	require.NoError(t, err)
	require.ErrorIs(t, s.CreateKey(ctx, orphan), fault.ErrNotFound)

	_, err = s.GetKey(ctx, "0000000000000000")
	require.ErrorIs(t, err, fault.ErrNotFound)

	mustTenant(t, s, "other")
	require.ErrorIs(t, s.DeleteKey(ctx, "other", k.ID), fault.ErrNotFound, "a tenant cannot delete another's key")
	require.NoError(t, s.DeleteKey(ctx, "acme", k.ID))
	_, err = s.GetKey(ctx, k.ID)
	require.ErrorIs(t, err, fault.ErrNotFound)
	require.ErrorIs(t, s.DeleteKey(ctx, "acme", k.ID), fault.ErrNotFound)
}

func instances(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustTenant(t, s, "beta")
	a := mustInstance(t, s, "acme__soporte__main")
	mustInstance(t, s, "acme__soporte__b")
	mustInstance(t, s, "acme__ventas__main")
	mustInstance(t, s, "beta__soporte__main")
	require.ErrorIs(t, s.CreateInstance(ctx, a), fault.ErrConflict)

	ghost := a
	ghost.Name = instance.Name{Tenant: "ghost", Client: "x", Label: "y"}
	require.ErrorIs(t, s.CreateInstance(ctx, ghost), fault.ErrNotFound)

	got, err := s.GetInstance(ctx, "acme__soporte__main")
	require.NoError(t, err)
	require.Equal(t, a.Name, got.Name)
	require.Equal(t, instance.StateClose, got.State)
	require.Equal(t, a.WebhookURL, got.WebhookURL)
	require.Equal(t, a.WebhookSecret, got.WebhookSecret)
	require.Empty(t, got.PhoneNumber)
	require.True(t, got.ConnectedAt.IsZero())

	_, err = s.GetInstance(ctx, "acme__nope__main")
	require.ErrorIs(t, err, fault.ErrNotFound)

	all, err := s.ListInstances(ctx, "acme", "")
	require.NoError(t, err)
	require.Equal(t, []string{"acme__soporte__b", "acme__soporte__main", "acme__ventas__main"}, names(all))
	sop, err := s.ListInstances(ctx, "acme", "soporte")
	require.NoError(t, err)
	require.Equal(t, []string{"acme__soporte__b", "acme__soporte__main"}, names(sop))
	none, err := s.ListInstances(ctx, "nobody", "")
	require.NoError(t, err)
	require.NotNil(t, none)
	require.Empty(t, none)

	require.NoError(t, s.UpdateWebhook(ctx, "acme__soporte__main", "https://new.example/h", "fedcba9876543210", nil))
	got, err = s.GetInstance(ctx, "acme__soporte__main")
	require.NoError(t, err)
	require.Equal(t, "https://new.example/h", got.WebhookURL)
	require.Equal(t, "fedcba9876543210", got.WebhookSecret)
	require.ErrorIs(t, s.UpdateWebhook(ctx, "acme__x__y", "https://a.example", "0123456789abcdef", nil), fault.ErrNotFound)
}

func names(list []instance.Instance) []string {
	out := make([]string, 0, len(list))
	for _, in := range list {
		out = append(out, in.Name.String())
	}
	return out
}

func messages(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__l")
	m := newMessage("acme", "acme__c__l", lane.Bulk)
	require.NoError(t, s.CreateMessage(ctx, m, nil))
	require.ErrorIs(t, s.CreateMessage(ctx, m, nil), fault.ErrConflict)
	got, err := s.GetMessage(ctx, m.ID)
	require.NoError(t, err)
	m.CreatedAt = m.CreatedAt.Truncate(time.Millisecond)
	require.Equal(t, m, got)
	_, err = s.GetMessage(ctx, uuid.NewString())
	require.ErrorIs(t, err, fault.ErrNotFound)

	orphan := newMessage("acme", "acme__c__gone", lane.Bulk)
	require.ErrorIs(t, s.CreateMessage(ctx, orphan, nil), fault.ErrNotFound, "no message for a missing instance")
	_, err = s.GetMessage(ctx, orphan.ID)
	require.ErrorIs(t, err, fault.ErrNotFound)

	byLane, err := s.PendingByLane(ctx, "acme__c__l")
	require.NoError(t, err)
	require.Equal(t, 1, byLane[lane.Bulk])
	require.Equal(t, 0, byLane[lane.Urgent])
}

func idempotency(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__l")
	rec := &gateway.Idempotency{TenantID: "acme", Key: "k1", Status: 202, Body: []byte(`{"id":"1"}`), ExpiresAt: t0.Add(24 * time.Hour)}
	first := newMessage("acme", "acme__c__l", lane.Normal)
	require.NoError(t, s.CreateMessage(ctx, first, rec))

	got, ok, err := s.GetIdempotency(ctx, "acme", "k1", t0.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 202, got.Status)
	require.JSONEq(t, `{"id":"1"}`, string(got.Body))

	_, ok, err = s.GetIdempotency(ctx, "other", "k1", t0)
	require.NoError(t, err)
	require.False(t, ok, "keys are per tenant")

	second := newMessage("acme", "acme__c__l", lane.Normal)
	require.ErrorIs(t, s.CreateMessage(ctx, second, rec), gateway.ErrIdempotencyReplay)
	_, err = s.GetMessage(ctx, second.ID)
	require.ErrorIs(t, err, fault.ErrNotFound, "a replayed send stores nothing")

	// After expiry the key is free again.
	_, ok, err = s.GetIdempotency(ctx, "acme", "k1", t0.Add(25*time.Hour))
	require.NoError(t, err)
	require.False(t, ok)
	later := newMessage("acme", "acme__c__l", lane.Normal)
	later.CreatedAt = t0.Add(25 * time.Hour)
	rec2 := &gateway.Idempotency{TenantID: "acme", Key: "k1", Status: 202, Body: []byte(`{"id":"2"}`), ExpiresAt: later.CreatedAt.Add(24 * time.Hour)}
	require.NoError(t, s.CreateMessage(ctx, later, rec2))
	got, ok, err = s.GetIdempotency(ctx, "acme", "k1", later.CreatedAt)
	require.NoError(t, err)
	require.True(t, ok)
	require.JSONEq(t, `{"id":"2"}`, string(got.Body))
}

func concurrentIdempotency(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__l")
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := &gateway.Idempotency{TenantID: "acme", Key: "race", Status: 202, Body: fmt.Appendf(nil, `{"i":%d}`, i), ExpiresAt: t0.Add(time.Hour)}
			errs[i] = s.CreateMessage(ctx, newMessage("acme", "acme__c__l", lane.Normal), rec)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			require.ErrorIs(t, err, gateway.ErrIdempotencyReplay)
		}
	}
	require.Equal(t, 1, won, "exactly one concurrent send with a key is stored")
	byLane, err := s.PendingByLane(ctx, "acme__c__l")
	require.NoError(t, err)
	require.Equal(t, 1, byLane[lane.Normal])
}

func abandon(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__l")
	m := newMessage("acme", "acme__c__l", lane.Urgent)
	rec := &gateway.Idempotency{TenantID: "acme", Key: "k", Status: 202, Body: []byte(`{}`), ExpiresAt: t0.Add(time.Hour)}
	require.NoError(t, s.CreateMessage(ctx, m, rec))
	require.NoError(t, s.AbandonMessage(ctx, m.ID, message.ErrorNotQueued, t0, "acme", "k"))
	got, err := s.GetMessage(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, message.Failed, got.Status)
	require.Equal(t, message.ErrorNotQueued, got.Error)
	_, ok, err := s.GetIdempotency(ctx, "acme", "k", t0)
	require.NoError(t, err)
	require.False(t, ok, "an abandoned send frees its key for a retry")
}

func flushAndDelete(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	var aIDs []string
	for _, l := range []lane.Lane{lane.Urgent, lane.Normal, lane.Normal, lane.Bulk} {
		m := newMessage("acme", "acme__c__a", l)
		aIDs = append(aIDs, m.ID)
		require.NoError(t, s.CreateMessage(ctx, m, nil))
		require.NoError(t, s.CreateMessage(ctx, newMessage("acme", "acme__c__b", l), nil))
	}
	var built int
	n, err := s.FlushPending(ctx, "acme__c__a", t0, func(m message.Message) *outbox.Event {
		built++
		require.Equal(t, "acme__c__a", m.Instance)
		return &outbox.Event{ID: "ev-" + m.ID, TenantID: m.Tenant, Instance: m.Instance, Name: "message.failed",
			Body: []byte(`{}`), CreatedAt: t0}
	})
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Equal(t, 4, built, "one event per flushed message")
	evs, err := s.ListDeliveries(ctx, "acme__c__a", outbox.Retrying, 10)
	require.NoError(t, err)
	require.Len(t, evs, 4, "stored with the flush")
	for _, id := range aIDs {
		m, err := s.GetMessage(ctx, id)
		require.NoError(t, err)
		require.Equal(t, message.Failed, m.Status)
		require.Equal(t, message.ErrorFlushed, m.Error)
	}
	n, err = s.FlushPending(ctx, "acme__c__a", t0, nil)
	require.NoError(t, err)
	require.Zero(t, n, "flushed messages are not pending any more")
	byLane, err := s.PendingByLane(ctx, "acme__c__b")
	require.NoError(t, err)
	require.Equal(t, map[lane.Lane]int{lane.Urgent: 1, lane.Normal: 2, lane.Bulk: 1}, byLane, "other instances untouched")

	n, err = s.DeleteInstance(ctx, "acme__c__b", t0)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	_, err = s.GetInstance(ctx, "acme__c__b")
	require.ErrorIs(t, err, fault.ErrNotFound)
	_, err = s.DeleteInstance(ctx, "acme__c__b", t0)
	require.ErrorIs(t, err, fault.ErrNotFound)
	byLane, err = s.PendingByLane(ctx, "acme__c__b")
	require.NoError(t, err)
	require.Empty(t, byLane)
}

func statsAndTotals(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustTenant(t, s, "beta")
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	mustInstance(t, s, "beta__c__a")
	for _, l := range []lane.Lane{lane.Normal, lane.Normal, lane.Bulk} {
		require.NoError(t, s.CreateMessage(ctx, newMessage("acme", "acme__c__a", l), nil))
	}
	require.NoError(t, s.CreateMessage(ctx, newMessage("beta", "beta__c__a", lane.Urgent), nil))
	flushed := newMessage("acme", "acme__c__b", lane.Urgent)
	require.NoError(t, s.CreateMessage(ctx, flushed, nil))
	_, err := s.FlushPending(ctx, "acme__c__b", t0, nil)
	require.NoError(t, err)

	st, err := s.TenantStats(ctx, "acme")
	require.NoError(t, err)
	require.Len(t, st, 2)
	require.Equal(t, "acme__c__a", st[0].InstanceName)
	require.Equal(t, 2, st[0].Pending[lane.Normal])
	require.Equal(t, 1, st[0].Pending[lane.Bulk])
	require.Zero(t, st[0].Failed)
	require.Equal(t, "acme__c__b", st[1].InstanceName)
	require.Equal(t, 1, st[1].Failed)
	require.Zero(t, st[1].Pending[lane.Urgent])

	empty, err := s.TenantStats(ctx, "nobody")
	require.NoError(t, err)
	require.Empty(t, empty)

	tot, err := s.Totals(ctx)
	require.NoError(t, err)
	require.Equal(t, gateway.Totals{Tenants: 2, Instances: 3, Pending: 4}, tot)
}
