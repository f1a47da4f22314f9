package devicestoretest

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/util/keys"
)

func keyIDs(ks []*keys.PreKey) []uint32 {
	out := make([]uint32, len(ks))
	for i, k := range ks {
		out[i] = k.KeyID
	}
	return out
}

func preKeys(t *testing.T, c Container) {
	ctx := t.Context()
	p := paired(t, c, "15550020001:1@s.whatsapp.net").PreKeys

	missing, err := p.GetPreKey(ctx, 1)
	require.NoError(t, err)
	require.Nil(t, missing)

	first, err := p.GetOrGenPreKeys(ctx, 5)
	require.NoError(t, err)
	require.Equal(t, []uint32{1, 2, 3, 4, 5}, keyIDs(first))
	again, err := p.GetOrGenPreKeys(ctx, 3)
	require.NoError(t, err)
	require.Equal(t, []uint32{1, 2, 3}, keyIDs(again), "unuploaded keys are handed out again, lowest first")
	require.Equal(t, *first[2].Priv, *again[2].Priv)
	more, err := p.GetOrGenPreKeys(ctx, 7)
	require.NoError(t, err)
	require.Equal(t, []uint32{1, 2, 3, 4, 5, 6, 7}, keyIDs(more))

	n, err := p.UploadedPreKeyCount(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	require.NoError(t, p.MarkPreKeysAsUploaded(ctx, 5))
	n, err = p.UploadedPreKeyCount(ctx)
	require.NoError(t, err)
	require.Equal(t, 5, n)
	rest, err := p.GetOrGenPreKeys(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, []uint32{6, 7}, keyIDs(rest))

	one, err := p.GenOnePreKey(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 8, one.KeyID)
	n, err = p.UploadedPreKeyCount(ctx)
	require.NoError(t, err)
	require.Equal(t, 6, n, "GenOnePreKey stores the key as uploaded")

	got, err := p.GetPreKey(ctx, 3)
	require.NoError(t, err)
	require.EqualValues(t, 3, got.KeyID)
	require.Equal(t, *first[2].Priv, *got.Priv)
	require.Equal(t, *first[2].Pub, *got.Pub)

	require.NoError(t, p.RemovePreKey(ctx, 8))
	require.NoError(t, p.RemovePreKey(ctx, 3))
	require.NoError(t, p.RemovePreKey(ctx, 99), "removing nothing is fine")
	got, err = p.GetPreKey(ctx, 3)
	require.NoError(t, err)
	require.Nil(t, got)
	n, err = p.UploadedPreKeyCount(ctx)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	next, err := p.GenOnePreKey(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 8, next.KeyID, "ids continue after the highest remaining key")

	// Marking is by id: it reaches keys above the ones handed out, not removed ones.
	require.NoError(t, p.MarkPreKeysAsUploaded(ctx, 100))
	n, err = p.UploadedPreKeyCount(ctx)
	require.NoError(t, err)
	require.Equal(t, 7, n)
	fresh, err := p.GetOrGenPreKeys(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, []uint32{9, 10}, keyIDs(fresh))
}

func senderKeys(t *testing.T, c Container) {
	ctx := t.Context()
	s := paired(t, c, "15550020002:1@s.whatsapp.net").SenderKeys
	group := chatJID.String()

	got, err := s.GetSenderKey(ctx, group, "111:1")
	require.NoError(t, err)
	require.Nil(t, got)
	require.NoError(t, s.PutSenderKey(ctx, group, "111:1", []byte("k1")))
	require.NoError(t, s.PutSenderKey(ctx, group, "111:2", []byte("k2")))
	require.NoError(t, s.PutSenderKey(ctx, "120363000000000002@g.us", "111:1", []byte("other group")))
	require.NoError(t, s.PutSenderKey(ctx, group, "111:1", []byte("k1b")))
	got, err = s.GetSenderKey(ctx, group, "111:1")
	require.NoError(t, err)
	require.Equal(t, []byte("k1b"), got)
	got, err = s.GetSenderKey(ctx, "120363000000000002@g.us", "111:1")
	require.NoError(t, err)
	require.Equal(t, []byte("other group"), got)
}

func appStateSyncKeys(t *testing.T, c Container) {
	ctx := t.Context()
	k := paired(t, c, "15550020003:1@s.whatsapp.net").AppStateKeys

	latest, err := k.GetLatestAppStateSyncKeyID(ctx)
	require.NoError(t, err)
	require.Nil(t, latest)
	all, err := k.GetAllAppStateSyncKeys(ctx)
	require.NoError(t, err)
	require.Empty(t, all)
	missing, err := k.GetAppStateSyncKey(ctx, []byte{1})
	require.NoError(t, err)
	require.Nil(t, missing)

	put := func(id byte, data string, ts int64) {
		require.NoError(t, k.PutAppStateSyncKey(ctx, []byte{id, 0xff}, store.AppStateSyncKey{Data: []byte(data), Fingerprint: []byte{id}, Timestamp: ts}))
	}
	put(1, "one", 100)
	put(2, "two", 300)
	put(3, "three", 200)
	got, err := k.GetAppStateSyncKey(ctx, []byte{2, 0xff})
	require.NoError(t, err)
	require.Equal(t, &store.AppStateSyncKey{Data: []byte("two"), Fingerprint: []byte{2}, Timestamp: 300}, got)
	latest, err = k.GetLatestAppStateSyncKeyID(ctx)
	require.NoError(t, err)
	require.Equal(t, []byte{2, 0xff}, latest)
	all, err = k.GetAllAppStateSyncKeys(ctx)
	require.NoError(t, err)
	require.Len(t, all, 3)
	require.Equal(t, []string{"two", "three", "one"}, []string{string(all[0].Data), string(all[1].Data), string(all[2].Data)}, "newest first")

	put(1, "older", 50)
	put(1, "same age", 100)
	got, err = k.GetAppStateSyncKey(ctx, []byte{1, 0xff})
	require.NoError(t, err)
	require.Equal(t, "one", string(got.Data), "only a newer key replaces")
	put(1, "newer", 400)
	got, err = k.GetAppStateSyncKey(ctx, []byte{1, 0xff})
	require.NoError(t, err)
	require.Equal(t, &store.AppStateSyncKey{Data: []byte("newer"), Fingerprint: []byte{1}, Timestamp: 400}, got)
	latest, err = k.GetLatestAppStateSyncKeyID(ctx)
	require.NoError(t, err)
	require.Equal(t, []byte{1, 0xff}, latest)
}
