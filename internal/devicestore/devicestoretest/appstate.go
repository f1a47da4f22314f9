package devicestoretest

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store"
)

func appState(t *testing.T, c Container) {
	ctx := t.Context()
	a := paired(t, c, "15550030001:1@s.whatsapp.net").AppState

	version, hash, err := a.GetAppStateVersion(ctx, "regular")
	require.NoError(t, err)
	require.Zero(t, version)
	require.Equal(t, [128]byte{}, hash)

	var h3, h4 [128]byte
	h3[0], h3[127] = 3, 33
	h4[0] = 4
	require.NoError(t, a.PutAppStateVersion(ctx, "regular", 3, h3))
	require.NoError(t, a.PutAppStateVersion(ctx, "critical_block", 9, h4))
	version, hash, err = a.GetAppStateVersion(ctx, "regular")
	require.NoError(t, err)
	require.EqualValues(t, 3, version)
	require.Equal(t, h3, hash)

	idxA, idxB, idxC := key32(0xa), key32(0xb), key32(0xc)
	val := func(b byte) []byte { v := key32(b); return v[:] }
	require.NoError(t, a.PutAppStateMutationMACs(ctx, "regular", 3, nil), "nothing to store")
	require.NoError(t, a.PutAppStateMutationMACs(ctx, "regular", 3, []store.AppStateMutationMAC{
		{IndexMAC: idxA[:], ValueMAC: val(0x31)}, {IndexMAC: idxB[:], ValueMAC: val(0x32)},
	}))
	require.NoError(t, a.PutAppStateVersion(ctx, "regular", 4, h4))
	require.NoError(t, a.PutAppStateMutationMACs(ctx, "regular", 4, []store.AppStateMutationMAC{
		{IndexMAC: idxA[:], ValueMAC: val(0x41)},
	}))
	require.NoError(t, a.PutAppStateMutationMACs(ctx, "critical_block", 9, []store.AppStateMutationMAC{
		{IndexMAC: idxA[:], ValueMAC: val(0x91)},
	}))
	require.Error(t, a.PutAppStateMutationMACs(ctx, "regular", 4, []store.AppStateMutationMAC{
		{IndexMAC: idxA[:], ValueMAC: val(0x42)},
	}), "a MAC is written once per version")
	require.Error(t, a.PutAppStateMutationMACs(ctx, "regular_low", 1, []store.AppStateMutationMAC{
		{IndexMAC: idxA[:], ValueMAC: val(0x11)},
	}), "MACs need their collection's version")

	mac := func(name string, idx [32]byte) []byte {
		v, err := a.GetAppStateMutationMAC(ctx, name, idx[:])
		require.NoError(t, err)
		return v
	}
	require.Equal(t, val(0x41), mac("regular", idxA), "the highest version wins")
	require.Equal(t, val(0x32), mac("regular", idxB))
	require.Nil(t, mac("regular", idxC))
	require.Equal(t, val(0x91), mac("critical_block", idxA))

	require.NoError(t, a.DeleteAppStateMutationMACs(ctx, "regular", nil))
	require.NoError(t, a.DeleteAppStateMutationMACs(ctx, "regular", [][]byte{idxA[:], idxC[:]}))
	require.Nil(t, mac("regular", idxA), "every version of the index goes")
	require.Equal(t, val(0x32), mac("regular", idxB))
	require.Equal(t, val(0x91), mac("critical_block", idxA), "other collections keep theirs")

	require.NoError(t, a.DeleteAppStateVersion(ctx, "regular"))
	version, _, err = a.GetAppStateVersion(ctx, "regular")
	require.NoError(t, err)
	require.Zero(t, version)
	require.Nil(t, mac("regular", idxB), "a collection's MACs go with its version")
	require.Equal(t, val(0x91), mac("critical_block", idxA))
	require.NoError(t, a.DeleteAppStateVersion(ctx, "regular"), "deleting nothing is fine")

	// A large patch, well past one write batch.
	require.NoError(t, a.PutAppStateVersion(ctx, "regular_high", 1, h3))
	big := make([]store.AppStateMutationMAC, 260)
	for i := range big {
		idx := key32(byte(i))
		idx[1] = byte(i >> 8)
		big[i] = store.AppStateMutationMAC{IndexMAC: idx[:], ValueMAC: val(byte(i))}
	}
	require.NoError(t, a.PutAppStateMutationMACs(ctx, "regular_high", 1, big))
	lastMAC := big[len(big)-1]
	last := [32]byte(lastMAC.IndexMAC)
	require.Equal(t, lastMAC.ValueMAC, mac("regular_high", last))
	require.NoError(t, a.DeleteAppStateVersion(ctx, "regular_high"))
	require.Nil(t, mac("regular_high", last))
}
