package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/tenant"
)

// TestSettingsOfAnOlderInstance: a row from before migration 0009 has no
// settings (NULL) and reads the defaults; a patch sets only its fields.
func TestSettingsOfAnOlderInstance(t *testing.T) {
	ctx := context.Background()
	db := openQueueDB(t)
	st := NewStore(db, nil)
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	require.NoError(t, st.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: now}))
	n, err := instance.ParseName("acme__c__old")
	require.NoError(t, err)
	require.NoError(t, st.CreateInstance(ctx, instance.Instance{Name: n, State: instance.StateClose, CreatedAt: now,
		Settings: instance.Settings{RejectCalls: true}}))
	require.NoError(t, db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE instances SET typing_simulation = NULL, receive_groups = NULL, reject_calls = NULL`)
		return err
	}))
	got, err := st.GetInstance(ctx, "acme__c__old")
	require.NoError(t, err)
	require.Equal(t, instance.DefaultSettings(), got.Settings)

	yes := true
	require.NoError(t, st.UpdateSettings(ctx, "acme__c__old", instance.SettingsPatch{ReceiveGroups: &yes}))
	got, err = st.GetInstance(ctx, "acme__c__old")
	require.NoError(t, err)
	require.Equal(t, instance.Settings{TypingSimulation: true, ReceiveGroups: true}, got.Settings)
}
