package mediastoretest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/mediastore"
)

func deleteObject(t *testing.T, f fixture) {
	k := key("acme__a__b", "m1")
	other := key("acme__a__b", "m10") // shares a prefix with k
	mustPut(t, f, k, mediastore.Meta{}, []byte("one"))
	otherObj := mustPut(t, f, other, mediastore.Meta{}, []byte("ten"))

	require.NoError(t, f.store.Delete(f.ctx, k))
	requireNotFound(t, f, k)
	require.Equal(t, []byte("ten"), mustRead(t, f, other, otherObj))

	require.NoError(t, f.store.Delete(f.ctx, k), "deleting a missing object")
	require.NoError(t, f.store.Delete(f.ctx, key("acme__never__seen", "m1")), "deleting in an unknown instance")
}

func deleteInstance(t *testing.T, f fixture) {
	gone := []mediastore.Key{key("acme__c__x", "m1"), key("acme__c__x", "m2"), key("acme__c__x", "m3")}
	// Instances whose names extend, or are extended by, the deleted one.
	kept := []mediastore.Key{key("acme__c__xy", "m1"), key("acme__c__x-y", "m1"), key("acme__c__x_", "m2"), key("acme__c__", "m1")}
	for _, k := range gone {
		mustPut(t, f, k, mediastore.Meta{}, []byte(k.String()))
	}
	// An expired object is still the instance's data: it goes too.
	f.clk.Advance(Retention)
	keptObjs := make([]mediastore.Object, len(kept))
	for i, k := range kept {
		keptObjs[i] = mustPut(t, f, k, mediastore.Meta{}, []byte(k.String()))
	}

	n, err := f.store.DeleteInstance(f.ctx, "acme__c__x")
	require.NoError(t, err)
	require.Equal(t, len(gone), n)
	for _, k := range gone {
		requireNotFound(t, f, k)
	}
	for i, k := range kept {
		require.Equal(t, []byte(k.String()), mustRead(t, f, k, keptObjs[i]))
	}

	n, err = f.store.DeleteInstance(f.ctx, "acme__c__x")
	require.NoError(t, err)
	require.Zero(t, n, "second delete")
	n, err = f.store.DeleteInstance(f.ctx, "acme__never__seen")
	require.NoError(t, err)
	require.Zero(t, n, "unknown instance")

	// The instance can receive media again afterwards.
	obj := mustPut(t, f, gone[0], mediastore.Meta{}, []byte("again"))
	require.Equal(t, []byte("again"), mustRead(t, f, gone[0], obj))
}
