package devicestoretest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

func devices(t *testing.T, c Container) {
	ctx := t.Context()

	fresh := c.NewDevice()
	require.Nil(t, fresh.ID)
	require.False(t, fresh.Initialized)
	require.NotNil(t, fresh.NoiseKey)
	require.NotNil(t, fresh.IdentityKey)
	require.Len(t, fresh.AdvSecretKey, 32)
	require.EqualValues(t, 1, fresh.SignedPreKey.KeyID)
	require.True(t, fresh.Container == store.DeviceContainer(c), "new device belongs to its container")
	require.Error(t, fresh.Save(ctx), "a device without a JID cannot be stored")

	got, err := c.GetDevice(ctx, jid(t, "15550001111:7@s.whatsapp.net"))
	require.NoError(t, err)
	require.Nil(t, got, "absent device")
	all, err := c.GetAllDevices(ctx)
	require.NoError(t, err)
	require.Empty(t, all)
	first, err := c.GetFirstDevice(ctx)
	require.NoError(t, err)
	require.Nil(t, first.ID, "with no device, GetFirstDevice makes a new unsaved one")

	d := c.NewDevice()
	id := jid(t, "15550001111:7@s.whatsapp.net")
	d.ID = &id
	d.LID = jid(t, "99887766:7@lid")
	d.Account = account()
	d.Platform = "android"
	d.BusinessName = "Shop"
	d.PushName = "Alice"
	d.FacebookUUID = uuid.MustParse("6f1c1a3e-0000-4000-8000-000000000001")
	d.LIDMigrationTimestamp = 1700000000
	d.CompanionMetaNonce = "nonce"
	require.NoError(t, d.Save(ctx))
	require.True(t, d.Initialized)
	require.NotNil(t, d.Sessions)
	require.NotNil(t, d.LIDs)

	got, err = c.GetDevice(ctx, id)
	require.NoError(t, err)
	requireSameDevice(t, d, got)
	require.True(t, got.Initialized)
	require.True(t, got.Container == store.DeviceContainer(c))

	// A second device without the optional fields.
	other := paired(t, c, "15550002222:3@s.whatsapp.net")
	got, err = c.GetDevice(ctx, *other.ID)
	require.NoError(t, err)
	requireSameDevice(t, other, got)
	require.Equal(t, types.EmptyJID, got.LID)
	require.Equal(t, uuid.Nil, got.FacebookUUID)

	all, err = c.GetAllDevices(ctx)
	require.NoError(t, err)
	ids := make([]types.JID, 0, len(all))
	for _, dev := range all {
		ids = append(ids, *dev.ID)
		require.True(t, dev.Initialized)
	}
	require.ElementsMatch(t, []types.JID{id, *other.ID}, ids)
	first, err = c.GetFirstDevice(ctx)
	require.NoError(t, err)
	require.Contains(t, ids, *first.ID)

	// Stores of a loaded device reach the same data as the saving one's.
	require.NoError(t, d.Sessions.PutSession(ctx, "123:1", []byte("s")))
	got, err = c.GetDevice(ctx, id)
	require.NoError(t, err)
	sess, err := got.Sessions.GetSession(ctx, "123:1")
	require.NoError(t, err)
	require.Equal(t, []byte("s"), sess)
}

func deviceUpdate(t *testing.T, c Container) {
	ctx := t.Context()
	d := paired(t, c, "15550003333:2@s.whatsapp.net")
	want := *d
	want.NoiseKey, want.IdentityKey, want.SignedPreKey = d.NoiseKey, d.IdentityKey, d.SignedPreKey
	want.Account = proto.Clone(d.Account).(*waAdv.ADVSignedDeviceIdentity)
	want.AdvSecretKey = append([]byte(nil), d.AdvSecretKey...)

	// Pairing data is written once; only the profile-like fields change.
	changed := c.NewDevice()
	changed.ID = d.ID
	changed.Account = account()
	changed.Account.Details = []byte("other details")
	changed.FacebookUUID = uuid.MustParse("6f1c1a3e-0000-4000-8000-000000000002")
	changed.LID = jid(t, "4455:2@lid")
	changed.Platform = "ios"
	changed.BusinessName = "Biz"
	changed.PushName = "Bob"
	changed.LIDMigrationTimestamp = 42
	changed.CompanionMetaNonce = "n2"
	require.NoError(t, changed.Save(ctx))

	got, err := c.GetDevice(ctx, *d.ID)
	require.NoError(t, err)
	want.LID, want.Platform, want.BusinessName, want.PushName = changed.LID, "ios", "Biz", "Bob"
	want.LIDMigrationTimestamp, want.CompanionMetaNonce = 42, "n2"
	requireSameDevice(t, &want, got)
}

// requireSameDevice compares everything PutDevice stores.
func requireSameDevice(t *testing.T, want, got *store.Device) {
	t.Helper()
	require.NotNil(t, got)
	require.Equal(t, *want.ID, *got.ID)
	require.Equal(t, want.LID, got.LID)
	require.Equal(t, want.RegistrationID, got.RegistrationID)
	require.Equal(t, *want.NoiseKey.Priv, *got.NoiseKey.Priv)
	require.Equal(t, *want.NoiseKey.Pub, *got.NoiseKey.Pub)
	require.Equal(t, *want.IdentityKey.Priv, *got.IdentityKey.Priv)
	require.Equal(t, *want.IdentityKey.Pub, *got.IdentityKey.Pub)
	require.Equal(t, want.SignedPreKey.KeyID, got.SignedPreKey.KeyID)
	require.Equal(t, *want.SignedPreKey.Priv, *got.SignedPreKey.Priv)
	require.Equal(t, *want.SignedPreKey.Pub, *got.SignedPreKey.Pub)
	require.Equal(t, *want.SignedPreKey.Signature, *got.SignedPreKey.Signature)
	require.Equal(t, want.AdvSecretKey, got.AdvSecretKey)
	require.True(t, proto.Equal(want.Account, got.Account), "account: %v != %v", want.Account, got.Account)
	require.Equal(t, want.Platform, got.Platform)
	require.Equal(t, want.BusinessName, got.BusinessName)
	require.Equal(t, want.PushName, got.PushName)
	require.Equal(t, want.FacebookUUID, got.FacebookUUID)
	require.Equal(t, want.LIDMigrationTimestamp, got.LIDMigrationTimestamp)
	require.Equal(t, want.CompanionMetaNonce, got.CompanionMetaNonce)
}
