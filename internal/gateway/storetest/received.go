package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

// received: AddReceived keeps a message with its event (one write); it is
// found by its instance and WhatsApp id only, until it expires
// (message.ReceivedRetention); a redelivery replaces it.
func received(t *testing.T, s SessionStore) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	r := message.Received{Instance: "acme__c__a", WAMessageID: "ABCDEF0123", Chat: "5491112345678",
		From: "5491112345678", Type: "conversation", Text: "hola 👋", ReceivedAt: t0,
		Payload: []byte(`{"from":"5491112345678","text":"hola 👋"}`)}
	ev := newEvent("acme__c__a", "message.received", 0)
	require.NoError(t, s.AddReceived(ctx, r, ev))
	_, err := s.GetDelivery(ctx, ev.ID)
	require.NoError(t, err, "the event is stored with the message")

	got, err := s.GetReceived(ctx, "acme__c__a", "ABCDEF0123", t0)
	require.NoError(t, err)
	require.Equal(t, r, got)

	_, err = s.GetReceived(ctx, "acme__c__b", "ABCDEF0123", t0)
	require.ErrorIs(t, err, fault.ErrNotFound, "another instance did not receive it")
	_, err = s.GetReceived(ctx, "acme__c__a", "UNKNOWN", t0)
	require.ErrorIs(t, err, fault.ErrNotFound)

	// Retention: found until it expires, not from then on.
	_, err = s.GetReceived(ctx, "acme__c__a", "ABCDEF0123", r.ExpiresAt().Add(-1))
	require.NoError(t, err)
	_, err = s.GetReceived(ctx, "acme__c__a", "ABCDEF0123", r.ExpiresAt())
	require.ErrorIs(t, err, fault.ErrNotFound, "expired")

	// A redelivery (same id, a new event) replaces the message kept.
	again := r
	again.Type, again.Text, again.ReceivedAt = "imageMessage", "caption", t0.Add(message.ReceivedRetention)
	again.Payload = nil // kept before payloads were
	require.NoError(t, s.AddReceived(ctx, again, newEvent("acme__c__a", "message.received", 1)))
	got, err = s.GetReceived(ctx, "acme__c__a", "ABCDEF0123", r.ExpiresAt())
	require.NoError(t, err)
	require.Equal(t, again, got)
}
