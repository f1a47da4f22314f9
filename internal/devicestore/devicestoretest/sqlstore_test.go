package devicestoretest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store/sqlstore"
	_ "modernc.org/sqlite"

	"github.com/wagateway/wagateway/internal/devicestore/devicestoretest"
)

// The suite against its reference, whatsmeow's own SQL store on a SQLite
// file opened the way the gateway opens its database: every case must hold
// for sqlstore before another store is held to it.
func TestSQLStore(t *testing.T) {
	devicestoretest.Run(t, func(t *testing.T) devicestoretest.Container {
		path := filepath.Join(t.TempDir(), "gateway.db")
		dsn := fmt.Sprintf("file:%s?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)", path)
		c, err := sqlstore.New(context.Background(), "sqlite", dsn, nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		return c
	})
}
