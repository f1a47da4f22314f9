// Package bindingtest is the conformance suite of the whatsmeow driver's
// Bindings port (which device an instance uses), run against the SQLite
// bindings locally and the DynamoDB ones of internal/devicestore.
package bindingtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/whatsapp"
)

// Run checks b, a fresh and empty Bindings.
func Run(t *testing.T, newBindings func(t *testing.T) whatsapp.Bindings) {
	ctx := context.Background()
	const (
		inst  = "acme__sales__main"
		other = "acme__sales__b"
		jid1  = "5491100000001.0:12@s.whatsapp.net"
		jid2  = "5491100000001.0:13@s.whatsapp.net"
	)
	t.Run("absent", func(t *testing.T) {
		b := newBindings(t)
		got, err := b.Device(ctx, inst)
		require.NoError(t, err)
		require.Empty(t, got)
		require.NoError(t, b.Unbind(ctx, inst, jid1), "unbinding nothing is no error")
	})
	t.Run("bind, rebind, per instance", func(t *testing.T) {
		b := newBindings(t)
		require.NoError(t, b.Bind(ctx, inst, jid1))
		require.NoError(t, b.Bind(ctx, other, jid1))
		got, err := b.Device(ctx, inst)
		require.NoError(t, err)
		require.Equal(t, jid1, got)
		require.NoError(t, b.Bind(ctx, inst, jid2))
		got, err = b.Device(ctx, inst)
		require.NoError(t, err)
		require.Equal(t, jid2, got, "a new pairing replaces the binding")
		got, err = b.Device(ctx, other)
		require.NoError(t, err)
		require.Equal(t, jid1, got, "other instances keep theirs")
	})
	t.Run("unbind only the same device", func(t *testing.T) {
		b := newBindings(t)
		require.NoError(t, b.Bind(ctx, inst, jid2))
		require.NoError(t, b.Unbind(ctx, inst, jid1), "a late logout of an old device")
		got, err := b.Device(ctx, inst)
		require.NoError(t, err)
		require.Equal(t, jid2, got)
		require.NoError(t, b.Unbind(ctx, inst, jid2))
		got, err = b.Device(ctx, inst)
		require.NoError(t, err)
		require.Empty(t, got)
	})
}
