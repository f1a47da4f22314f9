package gateway_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
)

// TestWebhookFilter: the filter given at creation and by SetWebhook is
// what Webhook and the dispatchers (through Instance) read back, nil kept
// apart from empty; SetWebhook without one removes it; bad names are all
// reported at once, at their index, and nothing is stored.
func TestWebhookFilter(t *testing.T) {
	svc, _, _, _ := newService(t, true)
	ctx := context.Background()
	const url, secret = "https://hooks.example.com/x", "0123456789abcdef"
	list := func(names ...string) *[]string { return &names }

	in := list("message.received")
	_, err := svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__f",
		WebhookURL: url, WebhookSecret: secret, Events: in})
	require.NoError(t, err)
	(*in)[0] = "message.sent" // the service keeps its own copy
	cfg, err := svc.Webhook(ctx, "acme", "acme__c__f")
	require.NoError(t, err)
	require.Equal(t, gateway.WebhookConfig{URL: url, Events: []string{"message.received"}}, cfg)

	for _, c := range []struct {
		name   string
		events *[]string
		want   []string
	}{
		{"empty: no event", list(), []string{}},
		{"absent: every event", nil, nil},
		{"a list, in the caller's order", list("message.sent", "instance.connected"), []string{"message.sent", "instance.connected"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			inst, err := svc.SetWebhook(ctx, "acme", "acme__c__f", gateway.WebhookInput{WebhookURL: url, WebhookSecret: secret, Events: c.events})
			require.NoError(t, err)
			require.Equal(t, c.want, inst.WebhookEvents)
			require.Equal(t, c.want == nil, inst.WebhookEvents == nil, "nil and [] are different filters")
			cfg, err := svc.Webhook(ctx, "acme", "acme__c__f")
			require.NoError(t, err)
			require.Equal(t, c.want, cfg.Events)
		})
	}

	_, err = svc.SetWebhook(ctx, "acme", "acme__c__f", gateway.WebhookInput{WebhookURL: url, WebhookSecret: secret,
		Events: list("message.sent", "nope", "message.sent", "")})
	var v *fault.ValidationError
	require.ErrorAs(t, err, &v)
	var paths [][]any
	for _, is := range v.Issues {
		paths = append(paths, is.Path)
	}
	require.Equal(t, [][]any{{"events", 1}, {"events", 2}, {"events", 3}}, paths, "every bad element, at its index")
	require.Contains(t, v.Issues[0].Message, "allowed: instance.connected, ")
	cfg, err = svc.Webhook(ctx, "acme", "acme__c__f")
	require.NoError(t, err)
	require.Equal(t, []string{"message.sent", "instance.connected"}, cfg.Events, "a refused update changes nothing")

	_, err = svc.Webhook(ctx, "acme", "acme__c__nope")
	require.ErrorIs(t, err, fault.ErrNotFound)
}
