package devicestoretest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/types"
)

func eventBuffer(t *testing.T, c Container) {
	ctx := t.Context()
	e := paired(t, c, "15550060001:1@s.whatsapp.net").EventBuffer
	hash := key32(7)

	got, err := e.GetBufferedEvent(ctx, hash)
	require.NoError(t, err)
	require.Nil(t, got)

	before := time.Now().Truncate(time.Millisecond)
	require.NoError(t, e.PutBufferedEvent(ctx, hash, []byte("plain"), time.Unix(1700000000, 999)))
	after := time.Now()
	got, err = e.GetBufferedEvent(ctx, hash)
	require.NoError(t, err)
	require.Equal(t, []byte("plain"), got.Plaintext)
	require.Equal(t, int64(1700000000), got.ServerTime.Unix())
	require.False(t, got.InsertTime.Before(before), "insert time %v before %v", got.InsertTime, before)
	require.False(t, got.InsertTime.After(after))

	require.Error(t, e.PutBufferedEvent(ctx, hash, []byte("again"), time.Unix(1, 0)), "an event is buffered once")

	require.NoError(t, e.ClearBufferedEventPlaintext(ctx, hash))
	got, err = e.GetBufferedEvent(ctx, hash)
	require.NoError(t, err)
	require.NotNil(t, got, "the hash stays to recognise the event")
	require.Nil(t, got.Plaintext)
	require.NoError(t, e.ClearBufferedEventPlaintext(ctx, key32(8)), "clearing nothing is fine")
	got, err = e.GetBufferedEvent(ctx, key32(8))
	require.NoError(t, err)
	require.Nil(t, got)

	require.NoError(t, e.DeleteOldBufferedHashes(ctx))
	got, err = e.GetBufferedEvent(ctx, hash)
	require.NoError(t, err)
	require.NotNil(t, got, "recent hashes are kept")
}

func decryptionTxn(t *testing.T, c Container) {
	ctx := t.Context()
	d := paired(t, c, "15550060002:1@s.whatsapp.net")
	require.NoError(t, d.Sessions.PutSession(ctx, "111:1", []byte("v1")))
	_, err := d.PreKeys.GetOrGenPreKeys(ctx, 2)
	require.NoError(t, err)

	// What decryption writes commits together with the buffered plaintext…
	require.NoError(t, d.EventBuffer.DoDecryptionTxn(ctx, func(ctx context.Context) error {
		if err := d.Sessions.PutSession(ctx, "111:1", []byte("v2")); err != nil {
			return err
		}
		got, err := d.Sessions.GetSession(ctx, "111:1")
		require.NoError(t, err)
		require.Equal(t, []byte("v2"), got, "reads see the transaction's writes")
		if err := d.Identities.PutIdentity(ctx, "111:1", key32(1)); err != nil {
			return err
		}
		if err := d.PreKeys.RemovePreKey(ctx, 1); err != nil {
			return err
		}
		if err := d.SenderKeys.PutSenderKey(ctx, chatJID.String(), "111:1", []byte("sk")); err != nil {
			return err
		}
		return d.EventBuffer.PutBufferedEvent(ctx, key32(1), []byte("p1"), time.Unix(5, 0))
	}))
	sess, err := d.Sessions.GetSession(ctx, "111:1")
	require.NoError(t, err)
	require.Equal(t, []byte("v2"), sess)
	trusted, err := d.Identities.IsTrustedIdentity(ctx, "111:1", key32(2))
	require.NoError(t, err)
	require.False(t, trusted)
	pk, err := d.PreKeys.GetPreKey(ctx, 1)
	require.NoError(t, err)
	require.Nil(t, pk)
	sk, err := d.SenderKeys.GetSenderKey(ctx, chatJID.String(), "111:1")
	require.NoError(t, err)
	require.Equal(t, []byte("sk"), sk)
	ev, err := d.EventBuffer.GetBufferedEvent(ctx, key32(1))
	require.NoError(t, err)
	require.Equal(t, []byte("p1"), ev.Plaintext)

	// …and none of it survives a failed decryption.
	boom := errors.New("boom")
	err = d.EventBuffer.DoDecryptionTxn(ctx, func(ctx context.Context) error {
		require.NoError(t, d.Sessions.PutSession(ctx, "111:1", []byte("v3")))
		require.NoError(t, d.PreKeys.RemovePreKey(ctx, 2))
		require.NoError(t, d.EventBuffer.PutBufferedEvent(ctx, key32(2), []byte("p2"), time.Unix(6, 0)))
		return boom
	})
	require.ErrorIs(t, err, boom)
	sess, err = d.Sessions.GetSession(ctx, "111:1")
	require.NoError(t, err)
	require.Equal(t, []byte("v2"), sess)
	pk, err = d.PreKeys.GetPreKey(ctx, 2)
	require.NoError(t, err)
	require.NotNil(t, pk)
	ev, err = d.EventBuffer.GetBufferedEvent(ctx, key32(2))
	require.NoError(t, err)
	require.Nil(t, ev)

	// A second decryption of a buffered event fails as a whole.
	err = d.EventBuffer.DoDecryptionTxn(ctx, func(ctx context.Context) error {
		require.NoError(t, d.Sessions.PutSession(ctx, "111:1", []byte("v4")))
		return d.EventBuffer.PutBufferedEvent(ctx, key32(1), []byte("dup"), time.Unix(7, 0))
	})
	require.Error(t, err)
	sess, err = d.Sessions.GetSession(ctx, "111:1")
	require.NoError(t, err)
	require.Equal(t, []byte("v2"), sess)
}

func outgoingEvents(t *testing.T, c Container) {
	ctx := t.Context()
	d := paired(t, c, "15550060003:1@s.whatsapp.net")
	e := d.EventBuffer
	pn, lid := jid(t, "111@s.whatsapp.net"), jid(t, "222@lid")

	_, _, err := e.GetOutgoingEvent(ctx, pn, types.EmptyJID, "ID1")
	require.Error(t, err, "sqlstore reports a missing event as an error")

	require.NoError(t, e.AddOutgoingEvent(ctx, pn, "ID1", "proto", []byte("v1")))
	require.NoError(t, e.AddOutgoingEvent(ctx, pn, "ID1", "fb", []byte("v2")))
	require.NoError(t, e.AddOutgoingEvent(ctx, chatJID, "ID2", "proto", []byte("group")))
	format, buf, err := e.GetOutgoingEvent(ctx, pn, types.EmptyJID, "ID1")
	require.NoError(t, err)
	require.Equal(t, "fb", format, "adding again replaces")
	require.Equal(t, []byte("v2"), buf)
	format, buf, err = e.GetOutgoingEvent(ctx, lid, pn, "ID1")
	require.NoError(t, err, "found under the alternate chat")
	require.Equal(t, "fb", format)
	require.Equal(t, []byte("v2"), buf)
	_, _, err = e.GetOutgoingEvent(ctx, lid, types.EmptyJID, "ID1")
	require.Error(t, err)
	_, buf, err = e.GetOutgoingEvent(ctx, chatJID, types.EmptyJID, "ID2")
	require.NoError(t, err)
	require.Equal(t, []byte("group"), buf)

	require.NoError(t, e.DeleteOldOutgoingEvents(ctx))
	_, _, err = e.GetOutgoingEvent(ctx, pn, types.EmptyJID, "ID1")
	require.NoError(t, err, "recent events are kept")
}
