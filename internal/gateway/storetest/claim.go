package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// sendClaims holds adapters to message.SendClaim: a claim is taken only on
// a pending message; flushes and instance deletions fail exactly the
// messages message.Withdrawable allows (pending, no running claim) and
// leave a claimed one to its send; a released or run-out claim withdraws
// like no claim.
func sendClaims(t *testing.T, s SessionStore) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	create := func(inst string) message.Message {
		m := newMessage("acme", inst, "normal")
		require.NoError(t, s.CreateMessage(ctx, m, nil))
		return m
	}
	claim := func(m message.Message, until time.Time) bool {
		ok, err := s.ClaimSend(ctx, m.ID, until)
		require.NoError(t, err)
		return ok
	}
	get := func(m message.Message) message.Message {
		got, err := s.GetMessage(ctx, m.ID)
		require.NoError(t, err)
		return got
	}
	until := t0.Add(message.SendClaim)
	sending, queued, expired := create("acme__c__a"), create("acme__c__a"), create("acme__c__a")
	require.True(t, claim(sending, until))
	require.True(t, claim(expired, t0.Add(-time.Second)))
	require.Equal(t, until, get(sending).SendingUntil)
	require.False(t, get(sending).Withdrawable(t0))
	require.True(t, get(expired).Withdrawable(t0))

	n, err := s.FlushPending(ctx, "acme__c__a", t0, func(m message.Message) *outbox.Event {
		return &outbox.Event{ID: "ev-" + m.ID, TenantID: m.Tenant, Instance: m.Instance, Name: "message.failed",
			Body: []byte(`{}`), CreatedAt: t0}
	})
	require.NoError(t, err)
	require.Equal(t, 2, n, "the queued message and the one whose claim ran out")
	evs, err := s.ListDeliveries(ctx, "acme__c__a", outbox.Retrying, 10)
	require.NoError(t, err)
	var stored []string
	for _, d := range evs {
		stored = append(stored, d.Event.ID)
	}
	require.ElementsMatch(t, []string{"ev-" + queued.ID, "ev-" + expired.ID}, stored, "events only for what was flushed")
	require.Equal(t, message.Pending, get(sending).Status, "a message being sent is left to its send")
	require.Equal(t, message.ErrorFlushed, get(queued).Error)
	require.False(t, claim(queued, until), "a flushed message can never be claimed, so never sent")

	require.NoError(t, s.ReleaseSend(ctx, sending.ID))
	require.True(t, get(sending).Withdrawable(t0), "the send did not happen: it can be flushed again")
	n, err = s.FlushPending(ctx, "acme__c__a", t0, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, s.ReleaseSend(ctx, sending.ID), "releasing a message that is no longer pending changes nothing")
	require.Equal(t, message.Failed, get(sending).Status)

	onB := create("acme__c__b")
	require.True(t, claim(onB, until))
	n, err = s.DeleteInstance(ctx, "acme__c__b", t0)
	require.NoError(t, err)
	require.Zero(t, n, "deleting the instance leaves the message being sent to its send")
	ok, err := s.MarkSent(ctx, onB.ID, host.WAMessageID(onB.ID), t0, nil)
	require.NoError(t, err)
	require.True(t, ok, "a claimed message is recorded as sent")

	ok, err = s.ClaimSend(ctx, uuid.NewString(), until)
	require.NoError(t, err)
	require.False(t, ok, "an unknown message is not pending")
}
