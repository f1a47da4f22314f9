package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/tenant"
)

// TestOpenExistingBesideOwner: a tool opens the database the gateway has
// open, without its lock: both see each other's writes, and the owner
// keeps its lock throughout.
func TestOpenExistingBesideOwner(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gateway.db")
	owner, err := Open(ctx, path)
	require.NoError(t, err)
	defer owner.Close()
	require.True(t, InUse(path))

	tool, err := OpenExisting(ctx, path)
	require.NoError(t, err)
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	require.NoError(t, NewStore(tool, nil).CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: now}))
	_, k, err := tenant.NewKey("acme", now)
	require.NoError(t, err)
	require.NoError(t, NewStore(tool, nil).CreateKey(ctx, k))
	require.NoError(t, NewStore(tool, nil).PutSetting(ctx, "s", []byte("v")))

	got, err := NewStore(owner, nil).GetKey(ctx, k.ID)
	require.NoError(t, err, "the owner sees the tool's write at once")
	require.Equal(t, "acme", got.TenantID)
	ok, err := NewStore(owner, nil).HasTenant(ctx, "acme")
	require.NoError(t, err)
	require.True(t, ok)
	v, ok, err := NewStore(owner, nil).Setting(ctx, "s")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []byte("v"), v)

	require.NoError(t, NewStore(owner, nil).DeleteKey(ctx, "acme", k.ID))
	_, err = NewStore(tool, nil).GetKey(ctx, k.ID)
	require.Error(t, err, "and the tool the owner's")

	require.NoError(t, tool.Close())
	_, err = Open(ctx, path)
	require.ErrorIs(t, err, ErrInUse, "closing the tool leaves the owner's lock alone")
	require.True(t, InUse(path))
	require.NoError(t, owner.Close())
	require.False(t, InUse(path))
}

// TestOpenExistingRefuses: OpenExisting never creates or migrates a
// database; it refuses a missing or foreign one and a schema of another
// build.
func TestOpenExistingRefuses(t *testing.T) {
	ctx := context.Background()
	latest, err := latestSchema()
	require.NoError(t, err)
	setVersion := func(v int) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			db, err := Open(ctx, path)
			require.NoError(t, err)
			require.NoError(t, db.Close())
			raw, err := sql.Open("sqlite", "file:"+path)
			require.NoError(t, err)
			defer raw.Close()
			_, err = raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", v))
			require.NoError(t, err)
		}
	}
	cases := []struct {
		name    string
		prepare func(t *testing.T, path string)
		is      error
		says    string
	}{
		{"no file", func(*testing.T, string) {}, ErrNoDatabase, "no gateway database"},
		{"empty file", func(t *testing.T, path string) { require.NoError(t, os.WriteFile(path, nil, 0o600)) },
			ErrNoDatabase, "no gateway database"},
		{"older schema", setVersion(latest - 1), ErrSchema, "start the gateway of this build"},
		{"newer schema", setVersion(latest + 1), ErrSchema, "newer build"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gateway.db")
			tc.prepare(t, path)
			before, statErr := os.Stat(path)
			_, err := OpenExisting(ctx, path)
			require.ErrorIs(t, err, tc.is)
			require.ErrorContains(t, err, tc.says)
			after, err := os.Stat(path)
			if statErr != nil {
				require.ErrorIs(t, err, os.ErrNotExist, "not created")
				return
			}
			require.NoError(t, err)
			require.Equal(t, before.Size(), after.Size(), "not migrated")
			require.False(t, InUse(path))
		})
	}
}
