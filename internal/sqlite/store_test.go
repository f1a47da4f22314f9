package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/gateway/storetest"
)

func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "gateway.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) gateway.Store { return NewStore(openTestDB(t), nil) })
}
