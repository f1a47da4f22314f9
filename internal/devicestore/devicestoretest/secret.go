package devicestoretest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

func messageSecrets(t *testing.T, c Container) {
	ctx := t.Context()
	d := paired(t, c, "15550050001:1@s.whatsapp.net")
	m := d.MsgSecrets
	senderPN, senderLID := jid(t, "111@s.whatsapp.net"), jid(t, "222@lid")

	secret, sender, err := m.GetMessageSecret(ctx, chatJID, senderPN, "ID1")
	require.NoError(t, err)
	require.Nil(t, secret)
	require.Equal(t, types.EmptyJID, sender)

	require.NoError(t, m.PutMessageSecret(ctx, chatJID, jid(t, "111:5@s.whatsapp.net"), "ID1", []byte("first")))
	require.NoError(t, m.PutMessageSecret(ctx, chatJID, senderPN, "ID1", []byte("second")))
	secret, sender, err = m.GetMessageSecret(ctx, chatJID, jid(t, "111:9@s.whatsapp.net"), "ID1")
	require.NoError(t, err)
	require.Equal(t, []byte("first"), secret, "a secret is written once; devices are ignored")
	require.Equal(t, senderPN, sender)

	// Through the LID map, either side of a mapping finds the secret.
	secret, _, err = m.GetMessageSecret(ctx, chatJID, senderLID, "ID1")
	require.NoError(t, err)
	require.Nil(t, secret, "no mapping yet")
	require.NoError(t, d.LIDs.PutLIDMapping(ctx, senderLID, senderPN))
	secret, sender, err = m.GetMessageSecret(ctx, chatJID, senderLID, "ID1")
	require.NoError(t, err)
	require.Equal(t, []byte("first"), secret)
	require.Equal(t, senderPN, sender, "the stored sender is returned")
	require.NoError(t, m.PutMessageSecret(ctx, senderLID, senderLID, "ID2", []byte("dm")))
	secret, sender, err = m.GetMessageSecret(ctx, senderPN, senderPN, "ID2")
	require.NoError(t, err)
	require.Equal(t, []byte("dm"), secret, "chat and sender both resolved")
	require.Equal(t, senderLID, sender)

	require.NoError(t, m.PutMessageSecrets(ctx, nil))
	require.NoError(t, m.PutMessageSecrets(ctx, []store.MessageSecretInsert{
		{Chat: chatJID, Sender: senderPN, ID: "ID3", Secret: []byte("three")},
		{Chat: chatJID, Sender: senderPN, ID: "ID4", Secret: nil},
		{Chat: types.EmptyJID, Sender: senderPN, ID: "ID5", Secret: []byte("x")},
		{Chat: chatJID, Sender: senderPN, ID: "", Secret: []byte("x")},
		{Chat: chatJID, Sender: senderPN, ID: "ID1", Secret: []byte("again")},
	}))
	for id, want := range map[types.MessageID][]byte{"ID1": []byte("first"), "ID3": []byte("three"), "ID4": nil, "ID5": nil} {
		secret, _, err = m.GetMessageSecret(ctx, chatJID, senderPN, id)
		require.NoError(t, err)
		require.Equal(t, want, secret, id)
	}
}

func privacyTokens(t *testing.T, c Container) {
	ctx := t.Context()
	d := paired(t, c, "15550050002:1@s.whatsapp.net")
	p := d.PrivacyTokens
	pn, lid, other := jid(t, "111@s.whatsapp.net"), jid(t, "222@lid"), jid(t, "333@s.whatsapp.net")

	got, err := p.GetPrivacyToken(ctx, pn)
	require.NoError(t, err)
	require.Nil(t, got)

	require.NoError(t, p.PutPrivacyTokens(ctx,
		store.PrivacyToken{User: jid(t, "111:4@s.whatsapp.net"), Token: []byte("t1"), Timestamp: time.Unix(1000, 0)},
		store.PrivacyToken{User: other, Token: []byte("o1"), Timestamp: time.Unix(3000, 0), SenderTimestamp: time.Unix(3100, 0)},
	))
	got, err = p.GetPrivacyToken(ctx, jid(t, "111:2@s.whatsapp.net"))
	require.NoError(t, err)
	require.Equal(t, &store.PrivacyToken{User: pn, Token: []byte("t1"), Timestamp: time.Unix(1000, 0)}, got)

	put := func(user types.JID, token string, ts, senderTS int64) {
		tok := store.PrivacyToken{User: user, Token: []byte(token), Timestamp: time.Unix(ts, 0)}
		if senderTS != 0 {
			tok.SenderTimestamp = time.Unix(senderTS, 0)
		}
		require.NoError(t, p.PutPrivacyTokens(ctx, tok))
	}
	token := func(user types.JID) *store.PrivacyToken {
		got, err := p.GetPrivacyToken(ctx, user)
		require.NoError(t, err)
		require.NotNil(t, got)
		return got
	}
	put(pn, "t0", 900, 0)
	require.Equal(t, "t1", string(token(pn).Token), "an older token is ignored")
	put(pn, "t2", 1000, 1500)
	require.Equal(t, &store.PrivacyToken{User: pn, Token: []byte("t2"), Timestamp: time.Unix(1000, 0), SenderTimestamp: time.Unix(1500, 0)}, token(pn), "same age replaces")
	put(pn, "t3", 1100, 0)
	require.Equal(t, &store.PrivacyToken{User: pn, Token: []byte("t3"), Timestamp: time.Unix(1100, 0), SenderTimestamp: time.Unix(1500, 0)}, token(pn), "a missing sender timestamp keeps the old one")

	// Through the LID map the newest token of either JID is found.
	got, err = p.GetPrivacyToken(ctx, lid)
	require.NoError(t, err)
	require.Nil(t, got)
	require.NoError(t, d.LIDs.PutLIDMapping(ctx, lid, pn))
	got = token(lid)
	require.Equal(t, "t3", string(got.Token))
	require.Equal(t, lid, got.User, "the asked-for JID is returned")
	put(lid, "l1", 2000, 0)
	require.Equal(t, "l1", string(token(pn).Token))
	put(pn, "t4", 2500, 0)
	require.Equal(t, "t4", string(token(lid).Token))

	deleted, err := p.DeleteExpiredPrivacyTokens(ctx, time.Unix(2600, 0))
	require.NoError(t, err)
	require.EqualValues(t, 2, deleted)
	got, err = p.GetPrivacyToken(ctx, pn)
	require.NoError(t, err)
	require.Nil(t, got)
	require.Equal(t, "o1", string(token(other).Token))
	deleted, err = p.DeleteExpiredPrivacyTokens(ctx, time.Unix(2600, 0))
	require.NoError(t, err)
	require.Zero(t, deleted)
}

func nctSalt(t *testing.T, c Container) {
	ctx := t.Context()
	s := paired(t, c, "15550050003:1@s.whatsapp.net").NCTSalt

	got, err := s.GetNCTSalt(ctx)
	require.NoError(t, err)
	require.Nil(t, got)
	require.NoError(t, s.PutNCTSalt(ctx, []byte("salt1")))
	require.NoError(t, s.PutNCTSalt(ctx, []byte("salt2")))
	got, err = s.GetNCTSalt(ctx)
	require.NoError(t, err)
	require.Equal(t, []byte("salt2"), got)
	require.NoError(t, s.DeleteNCTSalt(ctx))
	got, err = s.GetNCTSalt(ctx)
	require.NoError(t, err)
	require.Nil(t, got)
	require.NoError(t, s.DeleteNCTSalt(ctx))
}
