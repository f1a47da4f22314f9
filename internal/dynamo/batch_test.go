package dynamo

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// createPending stores n pending messages of inst, 8 at a time.
func createPending(t *testing.T, s *Store, inst string, n int) []message.Message {
	t.Helper()
	msgs := make([]message.Message, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for i := range msgs {
		msgs[i] = pendingMessage(inst)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs <- s.CreateMessage(context.Background(), msgs[i], nil)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	return msgs
}

func failedEvent(m message.Message) *outbox.Event {
	ev := testEvent(0)
	ev.ID, ev.Instance, ev.Name = "ev-"+m.ID, m.Instance, "message.failed"
	return &ev
}

// TestLargeFlushAndDelete: more pending messages than one transaction
// holds are failed over several.
func TestLargeFlushAndDelete(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	createPending(t, s, "acme__c__a", 110)
	createPending(t, s, "acme__c__b", 120)

	n, err := s.FlushPending(ctx, "acme__c__a", t0, failedEvent)
	require.NoError(t, err)
	require.Equal(t, 110, n, "three transactions of at most 49 messages and their events")
	evs, err := s.PendingEvents(ctx, 1000)
	require.NoError(t, err)
	require.Len(t, evs, 110)
	st, err := s.TenantStats(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, 110, st[0].Failed)
	require.Empty(t, st[0].Pending)

	n, err = s.DeleteInstance(ctx, "acme__c__b", t0)
	require.NoError(t, err)
	require.Equal(t, 120, n, "two transactions of at most 99 messages")
	tot, err := s.Totals(ctx)
	require.NoError(t, err)
	require.Equal(t, gateway.Totals{Tenants: 1, Instances: 1, Pending: 0}, tot)
}

// TestFlushSkipsSettledMessages: the pending index lags the table, so a
// flush may see a message that was sent meanwhile; it stays sent, with no
// event, and the rest of its batch is flushed.
func TestFlushSkipsSettledMessages(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustInstance(t, s, "acme__c__a")
	createPending(t, s, "acme__c__a", 3)
	stale := pendingMessage("acme__c__a")
	it, err := encodeMessage(stale)
	require.NoError(t, err)
	it[attrStatus], it[attrSentAt] = str(string(message.Sent)), ms(t0) // sent, index entry not yet removed
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: it})
	require.NoError(t, err)

	n, err := s.FlushPending(ctx, "acme__c__a", t0, failedEvent)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	got, err := s.GetMessage(ctx, stale.ID)
	require.NoError(t, err)
	require.Equal(t, message.Sent, got.Status)
	_, err = s.GetDelivery(ctx, "ev-"+stale.ID)
	require.ErrorIs(t, err, fault.ErrNotFound)
	st, err := s.TenantStats(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, 3, st[0].Failed)
}

// TestSettleAfterInstanceDeleted: a message still pending when its
// instance disappeared (the DeleteInstance race) is still marked, and the
// instance is not brought back by its counter.
func TestSettleAfterInstanceDeleted(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustInstance(t, s, "acme__c__a")
	msgs := createPending(t, s, "acme__c__a", 4)
	k, _ := instanceKey("acme__c__a")
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: k})
	require.NoError(t, err)

	ok, err := s.MarkSent(ctx, msgs[0].ID, "3EB0A", t0, nil)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.MarkFailed(ctx, msgs[1].ID, "bad", t0, nil)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, s.AbandonMessage(ctx, msgs[2].ID, message.ErrorNotQueued, t0, "acme", ""))
	n, err := s.FlushPending(ctx, "acme__c__a", t0, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	for i, want := range []message.Status{message.Sent, message.Failed, message.Failed, message.Failed} {
		got, err := s.GetMessage(ctx, msgs[i].ID)
		require.NoError(t, err)
		require.Equal(t, want, got.Status)
	}
	_, err = s.GetInstance(ctx, "acme__c__a")
	require.ErrorIs(t, err, fault.ErrNotFound)
	_, found, err := s.get(ctx, k)
	require.NoError(t, err)
	require.False(t, found, "no counter-only item left behind")
}

// TestConcurrentSettles: sends of one instance bump its counter in
// transactions that collide; each is retried until it lands.
func TestConcurrentSettles(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustInstance(t, s, "acme__c__a")
	msgs := createPending(t, s, "acme__c__a", 16)
	var wg sync.WaitGroup
	results := make([]error, len(msgs))
	for i, m := range msgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := testEvent(0)
			ok, err := s.MarkSent(ctx, m.ID, "3EB0"+m.ID, t0, &ev)
			if err == nil && !ok {
				err = fault.ErrConflict
			}
			results[i] = err
		}()
	}
	wg.Wait()
	for _, err := range results {
		require.NoError(t, err)
	}
	st, err := s.TenantStats(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, 16, st[0].Sent)
}
