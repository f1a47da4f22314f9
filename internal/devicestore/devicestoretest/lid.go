package devicestoretest

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

func lidMap(t *testing.T, c Container) {
	ctx := t.Context()
	l := paired(t, c, "15550070001:1@s.whatsapp.net").LIDs
	pn, lid := jid(t, "111@s.whatsapp.net"), jid(t, "222@lid")

	got, err := l.GetLIDForPN(ctx, pn)
	require.NoError(t, err)
	require.Equal(t, types.EmptyJID, got)
	got, err = l.GetPNForLID(ctx, lid)
	require.NoError(t, err)
	require.Equal(t, types.EmptyJID, got)
	_, err = l.GetLIDForPN(ctx, lid)
	require.Error(t, err, "GetLIDForPN takes a phone-number JID")
	_, err = l.GetPNForLID(ctx, pn)
	require.Error(t, err, "GetPNForLID takes a LID")
	require.Error(t, l.PutLIDMapping(ctx, pn, lid), "arguments the wrong way round")

	require.NoError(t, l.PutLIDMapping(ctx, lid, pn))
	require.NoError(t, l.PutLIDMapping(ctx, lid, pn), "again is a no-op")
	got, err = l.GetLIDForPN(ctx, jid(t, "111:5@s.whatsapp.net"))
	require.NoError(t, err)
	require.Equal(t, jid(t, "222:5@lid"), got, "the device carries over")
	got, err = l.GetPNForLID(ctx, lid)
	require.NoError(t, err)
	require.Equal(t, pn, got)

	// A second device sees the same, global map.
	other := paired(t, c, "15550070002:1@s.whatsapp.net")
	got, err = other.LIDs.GetPNForLID(ctx, jid(t, "222:3@lid"))
	require.NoError(t, err)
	require.Equal(t, jid(t, "111:3@s.whatsapp.net"), got)

	require.NoError(t, l.PutManyLIDMappings(ctx, nil))
	require.NoError(t, l.PutManyLIDMappings(ctx, []store.LIDMapping{
		{LID: jid(t, "444@lid"), PN: jid(t, "333@s.whatsapp.net")},
		{LID: jid(t, "555@s.whatsapp.net"), PN: jid(t, "666@s.whatsapp.net")}, // ignored
		{LID: jid(t, "444@lid"), PN: jid(t, "333@s.whatsapp.net")},
		{LID: lid, PN: pn},
		{LID: jid(t, "888@lid"), PN: jid(t, "777@s.whatsapp.net")},
	}))
	got, err = l.GetPNForLID(ctx, jid(t, "444@lid"))
	require.NoError(t, err)
	require.Equal(t, jid(t, "333@s.whatsapp.net"), got)
	got, err = l.GetLIDForPN(ctx, jid(t, "666@s.whatsapp.net"))
	require.NoError(t, err)
	require.Equal(t, types.EmptyJID, got)

	many, err := l.GetManyLIDsForPNs(ctx, nil)
	require.NoError(t, err)
	require.Nil(t, many)
	many, err = l.GetManyLIDsForPNs(ctx, []types.JID{
		jid(t, "111:5@s.whatsapp.net"), pn, jid(t, "777@s.whatsapp.net"), jid(t, "999@s.whatsapp.net"), lid, chatJID,
	})
	require.NoError(t, err)
	require.Equal(t, map[types.JID]types.JID{
		jid(t, "111:5@s.whatsapp.net"): jid(t, "222:5@lid"),
		pn:                             lid,
		jid(t, "777@s.whatsapp.net"):   jid(t, "888@lid"),
	}, many, "unknown and non-PN JIDs are left out")
}

func lidRemap(t *testing.T, c Container) {
	ctx := t.Context()
	l := paired(t, c, "15550070003:1@s.whatsapp.net").LIDs
	pn1, pn2 := jid(t, "111@s.whatsapp.net"), jid(t, "112@s.whatsapp.net")
	lid1, lid2 := jid(t, "221@lid"), jid(t, "222@lid")
	lidOf := func(pn types.JID) types.JID {
		got, err := l.GetLIDForPN(ctx, pn)
		require.NoError(t, err)
		return got
	}
	pnOf := func(lid types.JID) types.JID {
		got, err := l.GetPNForLID(ctx, lid)
		require.NoError(t, err)
		return got
	}

	// A phone number that gets a new LID drops the old one.
	require.NoError(t, l.PutLIDMapping(ctx, lid1, pn1))
	require.NoError(t, l.PutLIDMapping(ctx, lid2, pn1))
	require.Equal(t, lid2, lidOf(pn1))
	require.Equal(t, pn1, pnOf(lid2))
	require.Equal(t, types.EmptyJID, pnOf(lid1))

	// A LID that moves to another phone number leaves the old one unmapped.
	require.NoError(t, l.PutLIDMapping(ctx, lid2, pn2))
	require.Equal(t, pn2, pnOf(lid2))
	require.Equal(t, lid2, lidOf(pn2))
	require.Equal(t, types.EmptyJID, lidOf(pn1))

	// The same moves in one batch, applied in order.
	require.NoError(t, l.PutManyLIDMappings(ctx, []store.LIDMapping{
		{LID: lid1, PN: pn1}, {LID: lid1, PN: pn2},
	}))
	require.Equal(t, lid1, lidOf(pn2))
	require.Equal(t, pn2, pnOf(lid1))
	require.Equal(t, types.EmptyJID, lidOf(pn1))
	require.Equal(t, types.EmptyJID, pnOf(lid2))
}
