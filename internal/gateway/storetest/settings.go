package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
)

// settings: an instance keeps the settings it was created with; a patch
// changes exactly the fields it sets; an unknown instance is
// fault.ErrNotFound.
func settings(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	n, err := instance.ParseName("acme__c__set")
	require.NoError(t, err)
	created := instance.Settings{TypingSimulation: true, ReceiveGroups: false, RejectCalls: true}
	require.NoError(t, s.CreateInstance(ctx, instance.Instance{Name: n, WebhookURL: "https://hooks.example.com/x",
		WebhookSecret: "0123456789abcdef", State: instance.StateClose, CreatedAt: t0, Settings: created}))
	requireSettings(t, s, "acme__c__set", created)

	yes, no := true, false
	want := created
	for _, p := range []instance.SettingsPatch{
		{},
		{TypingSimulation: &no},
		{ReceiveGroups: &yes, RejectCalls: &no},
		{TypingSimulation: &yes, ReceiveGroups: &no, RejectCalls: &yes},
	} {
		require.NoError(t, s.UpdateSettings(ctx, "acme__c__set", p))
		want = p.Apply(want)
		requireSettings(t, s, "acme__c__set", want)
	}
	list, err := s.ListInstances(ctx, "acme", "c")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, want, list[0].Settings)

	require.ErrorIs(t, s.UpdateSettings(ctx, "acme__c__nope", instance.SettingsPatch{TypingSimulation: &no}), fault.ErrNotFound)
	require.ErrorIs(t, s.UpdateSettings(ctx, "acme__c__nope", instance.SettingsPatch{}), fault.ErrNotFound)
}

func requireSettings(t *testing.T, s gateway.Store, name string, want instance.Settings) {
	t.Helper()
	got, err := s.GetInstance(context.Background(), name)
	require.NoError(t, err)
	require.Equal(t, want, got.Settings)
}
