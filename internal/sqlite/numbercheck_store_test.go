package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestNumberChecksSurviveRestart: the checks counted before the database
// is closed still count after it is opened again on the same file.
func TestNumberChecksSurviveRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gateway.db")
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

	db, err := Open(ctx, path)
	require.NoError(t, err)
	_, ok, err := NewStore(db, nil).ReserveNumberChecks(ctx, "acme__c__main", 500, now)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, db.Close())

	db, err = Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	wait, ok, err := NewStore(db, nil).ReserveNumberChecks(ctx, "acme__c__main", 1, now.Add(10*time.Minute))
	require.NoError(t, err)
	require.False(t, ok, "a restart reset the limit")
	require.Equal(t, 50*time.Minute, wait)
}

// TestNumberChecksPurged: a reservation deletes the rows whose uses have
// all left the window, so instances that stopped checking leave nothing.
func TestNumberChecksPurged(t *testing.T) {
	ctx := context.Background()
	db := openQueueDB(t)
	st := NewStore(db, nil)
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	for i, inst := range []string{"acme__c__a", "acme__c__b", "acme__c__c"} {
		_, ok, err := st.ReserveNumberChecks(ctx, inst, 1, now.Add(time.Duration(i)*time.Minute))
		require.NoError(t, err)
		require.True(t, ok)
	}
	_, ok, err := st.ReserveNumberChecks(ctx, "acme__c__c", 1, now.Add(time.Hour+30*time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	var names []string
	rows, err := db.Read().QueryContext(ctx, `SELECT instance_name FROM number_checks ORDER BY instance_name`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		names = append(names, n)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"acme__c__b", "acme__c__c"}, names, "a expired at 11:00; b, at 11:01, not yet")
}
