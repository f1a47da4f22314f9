package whatsapp

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSQLiteBindings(t *testing.T) {
	ctx := context.Background()
	b := sqliteBindings(t)
	const a, other = "acme__soporte__main", "acme__ventas__main"
	const dev1, dev2 = "5491112345678:12@s.whatsapp.net", "5491112345678:13@s.whatsapp.net"

	jid, err := b.Device(ctx, a)
	require.NoError(t, err)
	require.Empty(t, jid, "never bound")

	require.NoError(t, b.Bind(ctx, a, dev1))
	require.NoError(t, b.Bind(ctx, other, dev2))
	jid, err = b.Device(ctx, a)
	require.NoError(t, err)
	require.Equal(t, dev1, jid)

	require.NoError(t, b.Bind(ctx, a, dev2), "linking again replaces the binding")
	jid, _ = b.Device(ctx, a)
	require.Equal(t, dev2, jid)

	require.NoError(t, b.Unbind(ctx, a, dev1), "a late logout of the old device")
	jid, _ = b.Device(ctx, a)
	require.Equal(t, dev2, jid, "does not unbind the new one")

	require.NoError(t, b.Unbind(ctx, a, dev2))
	jid, _ = b.Device(ctx, a)
	require.Empty(t, jid)
	jid, _ = b.Device(ctx, other)
	require.Equal(t, dev2, jid, "other instances keep theirs")

	again, err := NewSQLiteBindings(ctx, b.db)
	require.NoError(t, err, "opening the same file again")
	jid, _ = again.Device(ctx, other)
	require.Equal(t, dev2, jid)

	require.NoError(t, b.db.Close())
	_, err = b.Device(ctx, other)
	require.Error(t, err)
	require.Error(t, b.Bind(ctx, a, dev1))
	require.Error(t, b.Unbind(ctx, a, dev1))
}
