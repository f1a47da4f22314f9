package whatsapp_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/wagateway/wagateway/internal/whatsapp"
	"github.com/wagateway/wagateway/internal/whatsapp/bindingtest"
)

func TestSQLiteBindingsConformance(t *testing.T) {
	bindingtest.Run(t, func(t *testing.T) whatsapp.Bindings {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "gateway.db")+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		b, err := whatsapp.NewSQLiteBindings(context.Background(), db)
		require.NoError(t, err)
		return b
	})
}
