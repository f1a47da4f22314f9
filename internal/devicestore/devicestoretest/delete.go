package devicestoretest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

func deleteDevice(t *testing.T, c Container) {
	ctx := t.Context()
	const gone, kept = "15550004444:1@s.whatsapp.net", "15550005555:1@s.whatsapp.net"
	a := paired(t, c, gone)
	b := paired(t, c, kept)
	populate(t, a, 1)
	populate(t, b, 2)
	lid, pn := jid(t, "777@lid"), jid(t, "15550009999@s.whatsapp.net")
	require.NoError(t, a.LIDs.PutLIDMapping(ctx, lid, pn))

	require.NoError(t, a.Delete(ctx))
	require.True(t, a.Deleted)
	require.Nil(t, a.ID)
	_, err := a.Sessions.GetSession(ctx, "100:1")
	require.ErrorIs(t, err, store.ErrDeviceDeleted, "a deleted device's stores refuse use")

	got, err := c.GetDevice(ctx, jid(t, gone))
	require.NoError(t, err)
	require.Nil(t, got)
	all, err := c.GetAllDevices(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	require.Equal(t, jid(t, kept), *all[0].ID)

	// Paired again under the same JID, the device starts from nothing.
	again := paired(t, c, gone)
	requireEmpty(t, again)
	requirePopulated(t, b, 2)
	loaded, err := c.GetDevice(ctx, jid(t, kept))
	require.NoError(t, err)
	requirePopulated(t, loaded, 2)

	// The LID map is global: it outlives the device.
	got2, err := again.LIDs.GetLIDForPN(ctx, pn)
	require.NoError(t, err)
	require.Equal(t, lid, got2)

	// Deleting a device that was never stored is fine; one without a JID is not.
	never := c.NewDevice()
	nid := jid(t, "15550006666:1@s.whatsapp.net")
	never.ID = &nid
	require.NoError(t, c.DeleteDevice(ctx, never))
	require.Error(t, c.DeleteDevice(ctx, c.NewDevice()))
}

var chatJID = types.JID{User: "120363000000000001", Server: types.GroupServer}

// populate writes one or more entries into every session-specific store.
func populate(t *testing.T, d *store.Device, seed byte) {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, d.Identities.PutIdentity(ctx, "100:1", key32(seed)))
	require.NoError(t, d.Sessions.PutSession(ctx, "100:1", bs(seed, 10)))
	_, err := d.PreKeys.GetOrGenPreKeys(ctx, 3)
	require.NoError(t, err)
	require.NoError(t, d.PreKeys.MarkPreKeysAsUploaded(ctx, 2))
	require.NoError(t, d.SenderKeys.PutSenderKey(ctx, chatJID.String(), "100:1", bs(seed, 5)))
	require.NoError(t, d.AppStateKeys.PutAppStateSyncKey(ctx, []byte{seed}, store.AppStateSyncKey{Data: bs(seed, 3), Fingerprint: []byte{9}, Timestamp: 10}))
	var hash [128]byte
	hash[0] = seed
	require.NoError(t, d.AppState.PutAppStateVersion(ctx, "regular", 5, hash))
	k := key32(seed)
	require.NoError(t, d.AppState.PutAppStateMutationMACs(ctx, "regular", 5, []store.AppStateMutationMAC{{IndexMAC: k[:], ValueMAC: k[:]}}))
	_, _, err = d.Contacts.PutPushName(ctx, types.NewJID("100", types.DefaultUserServer), "Push")
	require.NoError(t, err)
	require.NoError(t, d.ChatSettings.PutPinned(ctx, chatJID, true))
	require.NoError(t, d.MsgSecrets.PutMessageSecret(ctx, chatJID, types.NewJID("100", types.DefaultUserServer), "MSG1", bs(seed, 32)))
	require.NoError(t, d.NCTSalt.PutNCTSalt(ctx, bs(seed, 16)))
	require.NoError(t, d.EventBuffer.PutBufferedEvent(ctx, key32(seed), []byte("plain"), time.Unix(1000, 0)))
	require.NoError(t, d.EventBuffer.AddOutgoingEvent(ctx, chatJID, "MSG2", "proto", []byte("out")))
}

// requirePopulated checks what populate wrote.
func requirePopulated(t *testing.T, d *store.Device, seed byte) {
	t.Helper()
	ctx := t.Context()
	trusted, err := d.Identities.IsTrustedIdentity(ctx, "100:1", key32(seed+1))
	require.NoError(t, err)
	require.False(t, trusted)
	sess, err := d.Sessions.GetSession(ctx, "100:1")
	require.NoError(t, err)
	require.Equal(t, bs(seed, 10), sess)
	n, err := d.PreKeys.UploadedPreKeyCount(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	sk, err := d.SenderKeys.GetSenderKey(ctx, chatJID.String(), "100:1")
	require.NoError(t, err)
	require.Equal(t, bs(seed, 5), sk)
	latest, err := d.AppStateKeys.GetLatestAppStateSyncKeyID(ctx)
	require.NoError(t, err)
	require.Equal(t, []byte{seed}, latest)
	version, hash, err := d.AppState.GetAppStateVersion(ctx, "regular")
	require.NoError(t, err)
	require.EqualValues(t, 5, version)
	require.Equal(t, seed, hash[0])
	k := key32(seed)
	mac, err := d.AppState.GetAppStateMutationMAC(ctx, "regular", k[:])
	require.NoError(t, err)
	require.Equal(t, k[:], mac)
	contact, err := d.Contacts.GetContact(ctx, types.NewJID("100", types.DefaultUserServer))
	require.NoError(t, err)
	require.Equal(t, "Push", contact.PushName)
	settings, err := d.ChatSettings.GetChatSettings(ctx, chatJID)
	require.NoError(t, err)
	require.True(t, settings.Pinned)
	secret, _, err := d.MsgSecrets.GetMessageSecret(ctx, chatJID, types.NewJID("100", types.DefaultUserServer), "MSG1")
	require.NoError(t, err)
	require.Equal(t, bs(seed, 32), secret)
	salt, err := d.NCTSalt.GetNCTSalt(ctx)
	require.NoError(t, err)
	require.Equal(t, bs(seed, 16), salt)
	ev, err := d.EventBuffer.GetBufferedEvent(ctx, key32(seed))
	require.NoError(t, err)
	require.NotNil(t, ev)
	format, _, err := d.EventBuffer.GetOutgoingEvent(ctx, chatJID, types.EmptyJID, "MSG2")
	require.NoError(t, err)
	require.Equal(t, "proto", format)
}

// requireEmpty checks that nothing populate could have written is there.
// Privacy tokens are left out: sqlstore keeps them past the device (its
// table has no foreign key to the device), the DynamoDB store does not.
func requireEmpty(t *testing.T, d *store.Device) {
	t.Helper()
	ctx := t.Context()
	trusted, err := d.Identities.IsTrustedIdentity(ctx, "100:1", key32(200))
	require.NoError(t, err)
	require.True(t, trusted, "no identity is known")
	sess, err := d.Sessions.GetSession(ctx, "100:1")
	require.NoError(t, err)
	require.Nil(t, sess)
	n, err := d.PreKeys.UploadedPreKeyCount(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	pk, err := d.PreKeys.GetPreKey(ctx, 3)
	require.NoError(t, err)
	require.Nil(t, pk)
	sk, err := d.SenderKeys.GetSenderKey(ctx, chatJID.String(), "100:1")
	require.NoError(t, err)
	require.Nil(t, sk)
	latest, err := d.AppStateKeys.GetLatestAppStateSyncKeyID(ctx)
	require.NoError(t, err)
	require.Nil(t, latest)
	version, _, err := d.AppState.GetAppStateVersion(ctx, "regular")
	require.NoError(t, err)
	require.Zero(t, version)
	k := key32(1)
	mac, err := d.AppState.GetAppStateMutationMAC(ctx, "regular", k[:])
	require.NoError(t, err)
	require.Nil(t, mac)
	contacts, err := d.Contacts.GetAllContacts(ctx)
	require.NoError(t, err)
	require.Empty(t, contacts)
	settings, err := d.ChatSettings.GetChatSettings(ctx, chatJID)
	require.NoError(t, err)
	require.False(t, settings.Found)
	secret, _, err := d.MsgSecrets.GetMessageSecret(ctx, chatJID, types.NewJID("100", types.DefaultUserServer), "MSG1")
	require.NoError(t, err)
	require.Nil(t, secret)
	salt, err := d.NCTSalt.GetNCTSalt(ctx)
	require.NoError(t, err)
	require.Nil(t, salt)
	ev, err := d.EventBuffer.GetBufferedEvent(ctx, key32(1))
	require.NoError(t, err)
	require.Nil(t, ev)
	_, _, err = d.EventBuffer.GetOutgoingEvent(ctx, chatJID, types.EmptyJID, "MSG2")
	require.Error(t, err)
	// The prekey id sequence starts over.
	keys, err := d.PreKeys.GetOrGenPreKeys(ctx, 1)
	require.NoError(t, err)
	require.EqualValues(t, 1, keys[0].KeyID)
}
