package devicestore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/devicestore"
	"github.com/wagateway/wagateway/internal/lease"
)

// leaseTokens is a lease store reduced to each instance's current token.
type leaseTokens struct {
	mu     sync.Mutex
	tokens map[string]int64
	checks int
}

func (l *leaseTokens) Check(_ context.Context, f lease.Fence) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checks++
	if l.tokens[f.Instance] != f.Token {
		return fmt.Errorf("token %d superseded: %w", f.Token, lease.ErrLost)
	}
	return nil
}

func (l *leaseTokens) set(inst string, token int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tokens[inst] = token
}

// TestFencedDeviceWrites: once a device is fenced with its instance's
// lease, its writes of every kind (single puts, batches, transactions,
// deletions) go through while the token is current and are refused with
// lease.ErrLost, writing nothing, once another host holds the lease;
// another device and a device no longer fenced are not checked.
func TestFencedDeviceWrites(t *testing.T) {
	ctx := context.Background()
	cli := client(t)
	leases := &leaseTokens{tokens: map[string]int64{"acme__c__main": 1}}
	c := devicestore.New(cli, newTable(t, cli), nil, devicestore.WithFences(leases))
	d := pairedDevice(t, c, "5491100000001.0:1@s.whatsapp.net")
	other := pairedDevice(t, c, "5491100000002.0:1@s.whatsapp.net")
	c.Fence(*d.ID, lease.Fence{Instance: "acme__c__main", Token: 1})

	preKeys := uint32(0)
	writes := map[string]func(*store.Device) error{
		"identity (put)": func(x *store.Device) error { return x.Identities.PutIdentity(ctx, "5491112345678.0:0", [32]byte{1}) },
		"session (put)":  func(x *store.Device) error { return x.Sessions.PutSession(ctx, "5491112345678.0:0", []byte("s")) },
		"pre-keys (batch)": func(x *store.Device) error {
			preKeys += 30
			_, err := x.PreKeys.GetOrGenPreKeys(ctx, preKeys)
			return err
		},
		"sessions (deletion)": func(x *store.Device) error { return x.Sessions.DeleteSession(ctx, "5491112345678.0:0") },
	}
	for name, w := range writes {
		require.NoError(t, w(d), "%s under the current token", name)
	}
	require.Positive(t, leases.checks)

	leases.set("acme__c__main", 2) // another host took the instance
	for name, w := range writes {
		err := w(d)
		require.ErrorIs(t, err, lease.ErrLost, "%s under a superseded token", name)
		require.NoError(t, w(other), "%s of a device not fenced", name)
	}
	has, err := d.Sessions.HasSession(ctx, "5491112345679.0:0")
	require.NoError(t, err, "reads are not fenced")
	require.False(t, has)
	require.ErrorIs(t, d.Sessions.PutSession(ctx, "5491112345679.0:0", []byte("late")), lease.ErrLost)
	has, err = d.Sessions.HasSession(ctx, "5491112345679.0:0")
	require.NoError(t, err)
	require.False(t, has, "a refused write writes nothing")

	c.Unfence(*d.ID)
	require.NoError(t, d.Sessions.PutSession(ctx, "5491112345679.0:0", []byte("after")))
	_ = types.EmptyJID
}
