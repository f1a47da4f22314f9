package devicestoretest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func identities(t *testing.T, c Container) {
	ctx := t.Context()
	ids := paired(t, c, "15550010001:1@s.whatsapp.net").Identities

	trusted, err := ids.IsTrustedIdentity(ctx, "111:1", key32(1))
	require.NoError(t, err)
	require.True(t, trusted, "an unknown identity is trusted")

	require.NoError(t, ids.PutIdentity(ctx, "111:1", key32(1)))
	trusted, err = ids.IsTrustedIdentity(ctx, "111:1", key32(1))
	require.NoError(t, err)
	require.True(t, trusted)
	trusted, err = ids.IsTrustedIdentity(ctx, "111:1", key32(2))
	require.NoError(t, err)
	require.False(t, trusted)

	require.NoError(t, ids.PutIdentity(ctx, "111:1", key32(2)))
	trusted, err = ids.IsTrustedIdentity(ctx, "111:1", key32(2))
	require.NoError(t, err)
	require.True(t, trusted, "PutIdentity replaces")

	for _, addr := range []string{"111:2", "1112:1", "222:1", "111_1:1"} {
		require.NoError(t, ids.PutIdentity(ctx, addr, key32(3)))
	}
	require.NoError(t, ids.DeleteAllIdentities(ctx, "111"))
	known := func(addr string) bool {
		trusted, err := ids.IsTrustedIdentity(ctx, addr, key32(9))
		require.NoError(t, err)
		return !trusted
	}
	require.False(t, known("111:1"))
	require.False(t, known("111:2"))
	require.True(t, known("1112:1"), "only the phone's own addresses go")
	require.True(t, known("111_1:1"))
	require.True(t, known("222:1"))

	require.NoError(t, ids.DeleteIdentity(ctx, "222:1"))
	require.False(t, known("222:1"))
	require.True(t, known("1112:1"))
}

func sessions(t *testing.T, c Container) {
	ctx := t.Context()
	s := paired(t, c, "15550010002:1@s.whatsapp.net").Sessions

	got, err := s.GetSession(ctx, "111:1")
	require.NoError(t, err)
	require.Nil(t, got)
	has, err := s.HasSession(ctx, "111:1")
	require.NoError(t, err)
	require.False(t, has)

	require.NoError(t, s.PutSession(ctx, "111:1", []byte("one")))
	require.NoError(t, s.PutSession(ctx, "111:1", []byte("two")))
	got, err = s.GetSession(ctx, "111:1")
	require.NoError(t, err)
	require.Equal(t, []byte("two"), got)
	has, err = s.HasSession(ctx, "111:1")
	require.NoError(t, err)
	require.True(t, has)

	many, err := s.GetManySessions(ctx, nil)
	require.NoError(t, err)
	require.Nil(t, many)
	require.NoError(t, s.PutManySessions(ctx, map[string][]byte{
		"111:2": []byte("a"), "1112:0": []byte("b"), "222:0": []byte("c"),
	}))
	many, err = s.GetManySessions(ctx, []string{"111:1", "111:2", "333:0"})
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"111:1": []byte("two"), "111:2": []byte("a"), "333:0": nil}, many)

	require.NoError(t, s.DeleteSession(ctx, "222:0"))
	require.NoError(t, s.DeleteSession(ctx, "404:0"), "deleting nothing is fine")
	require.NoError(t, s.DeleteAllSessions(ctx, "111"))
	many, err = s.GetManySessions(ctx, []string{"111:1", "111:2", "1112:0", "222:0"})
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"111:1": nil, "111:2": nil, "1112:0": []byte("b"), "222:0": nil}, many)
}

func migratePNToLID(t *testing.T, c Container) {
	ctx := t.Context()
	d := paired(t, c, "15550010003:1@s.whatsapp.net")
	pn, lid := jid(t, "111@s.whatsapp.net"), jid(t, "222@lid")
	group := "120363000000000009@g.us"

	require.NoError(t, d.Sessions.PutSession(ctx, "111:0", []byte("s0")))
	require.NoError(t, d.Sessions.PutSession(ctx, "111:5", []byte("s5")))
	require.NoError(t, d.Sessions.PutSession(ctx, "222_1:0", []byte("stale")))
	require.NoError(t, d.Sessions.PutSession(ctx, "333:0", []byte("other")))
	require.NoError(t, d.Identities.PutIdentity(ctx, "111:0", key32(1)))
	require.NoError(t, d.SenderKeys.PutSenderKey(ctx, group, "111:0", []byte("gk")))
	require.NoError(t, d.SenderKeys.PutSenderKey(ctx, chatJID.String(), "111:5", []byte("gk5")))

	require.NoError(t, d.Sessions.MigratePNToLID(ctx, pn, lid))

	many, err := d.Sessions.GetManySessions(ctx, []string{"111:0", "111:5", "222_1:0", "222_1:5", "333:0"})
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{
		"111:0": nil, "111:5": nil, "222_1:0": []byte("s0"), "222_1:5": []byte("s5"), "333:0": []byte("other"),
	}, many, "sessions move to the LID address, replacing what was there")
	trusted, err := d.Identities.IsTrustedIdentity(ctx, "222_1:0", key32(2))
	require.NoError(t, err)
	require.False(t, trusted, "identity moved")
	trusted, err = d.Identities.IsTrustedIdentity(ctx, "111:0", key32(2))
	require.NoError(t, err)
	require.True(t, trusted, "old identity gone")
	for _, k := range []struct{ group, sender, want string }{
		{group, "222_1:0", "gk"}, {chatJID.String(), "222_1:5", "gk5"}, {group, "111:0", ""}, {chatJID.String(), "111:5", ""},
	} {
		got, err := d.SenderKeys.GetSenderKey(ctx, k.group, k.sender)
		require.NoError(t, err)
		if k.want == "" {
			require.Nil(t, got, k.sender)
		} else {
			require.Equal(t, []byte(k.want), got, k.sender)
		}
	}

	// A phone number is migrated once per store instance.
	require.NoError(t, d.Sessions.PutSession(ctx, "111:7", []byte("late")))
	require.NoError(t, d.Sessions.MigratePNToLID(ctx, pn, lid))
	got, err := d.Sessions.GetSession(ctx, "111:7")
	require.NoError(t, err)
	require.Equal(t, []byte("late"), got)
}
