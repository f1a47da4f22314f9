package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
)

// webhookEvents: an instance keeps the webhook event filter it was created
// with, and UpdateWebhook replaces it with the target and secret, leaving
// every other field as it was. nil (no filter: every event), [] (no event)
// and a list read back as they were written: the dispatchers deliver
// nothing for [] and everything for nil, so a store that turned one into
// the other would deliver the wrong events.
func webhookEvents(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	settings := instance.Settings{TypingSimulation: true, ReceiveGroups: false, RejectCalls: true}
	create := func(name string, events []string) instance.Instance {
		t.Helper()
		n, err := instance.ParseName(name)
		require.NoError(t, err)
		in := instance.Instance{Name: n, WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef",
			WebhookEvents: events, State: instance.StateClose, CreatedAt: t0, Settings: settings}
		require.NoError(t, s.CreateInstance(ctx, in))
		return in
	}
	for _, c := range []struct {
		name   string
		events []string
	}{
		{"acme__c__all", nil},
		{"acme__c__none", []string{}},
		{"acme__c__some", []string{"message.received", "instance.connected"}},
	} {
		create(c.name, c.events)
		requireEvents(t, s, c.name, c.events)
	}
	list, err := s.ListInstances(ctx, "acme", "c")
	require.NoError(t, err)
	got := map[string][]string{}
	for _, in := range list {
		got[in.Name.String()] = in.WebhookEvents
	}
	require.Equal(t, map[string][]string{"acme__c__all": nil, "acme__c__none": {},
		"acme__c__some": {"message.received", "instance.connected"}}, got, "listing reads the filter as getting does")

	// Each update replaces the filter, from every state to every other.
	const name = "acme__c__some"
	before, err := s.GetInstance(ctx, name)
	require.NoError(t, err)
	for i, events := range [][]string{nil, {"message.sent"}, {}, {"message.failed", "message.sent"}, nil, {}} {
		url, secret := "https://new.example/h", "fedcba9876543210"
		if i%2 == 1 {
			url, secret = "https://hooks.example.com/x", "0123456789abcdef"
		}
		require.NoError(t, s.UpdateWebhook(ctx, name, url, secret, events))
		got, err := s.GetInstance(ctx, name)
		require.NoError(t, err)
		require.Equal(t, url, got.WebhookURL)
		require.Equal(t, secret, got.WebhookSecret)
		require.Equal(t, events, got.WebhookEvents, "update %d", i)
		got.WebhookURL, got.WebhookSecret, got.WebhookEvents = before.WebhookURL, before.WebhookSecret, before.WebhookEvents
		require.Equal(t, before, got, "update %d changes the webhook only", i)
	}
	requireEvents(t, s, "acme__c__all", nil)
	requireEvents(t, s, "acme__c__none", []string{})

	require.ErrorIs(t, s.UpdateWebhook(ctx, "acme__c__nope", "https://a.example", "0123456789abcdef", []string{}), fault.ErrNotFound)
}

// requireEvents checks the stored filter, telling nil from empty.
func requireEvents(t *testing.T, s gateway.Store, name string, want []string) {
	t.Helper()
	got, err := s.GetInstance(context.Background(), name)
	require.NoError(t, err)
	require.Equal(t, want == nil, got.WebhookEvents == nil, "nil (every event) and [] (none) are distinct: got %#v", got.WebhookEvents)
	require.Equal(t, want, got.WebhookEvents)
}
