package tenant

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNewKeyRoundTrip(t *testing.T) {
	plain, k, err := NewKey("acme", time.Unix(0, 0))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(plain, "wgk_"))
	id, err := KeyID(plain)
	require.NoError(t, err)
	require.Equal(t, k.ID, id)
	require.True(t, k.Matches(plain))
	require.False(t, k.Matches(plain+"x"))
	require.NotContains(t, string(k.Hash), plain)
}

func TestKeyID(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{
		{"wgk_0123456789abcdef_secret", true},
		{"", false},
		{"wgk_", false},
		{"wgk_0123456789abcdef", false},
		{"wgk_0123456789abcdef_", false},
		{"wgk_0123456789abcdeg_s", false},
		{"xyz_0123456789abcdef_s", false},
		{"wgk_" + strings.Repeat("a", 200), false},
	}
	for _, c := range cases {
		_, err := KeyID(c.in)
		require.Equal(t, c.ok, err == nil, c.in)
	}
}

func FuzzKeyID(f *testing.F) {
	f.Add("wgk_0123456789abcdef_secret")
	f.Add("wgk__")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := KeyID(s)
		if err == nil {
			require.Len(t, id, 16)
			require.True(t, strings.HasPrefix(s, "wgk_"+id+"_"))
		}
	})
}

func TestAdminKeyMatches(t *testing.T) {
	k, err := NewAdminKey()
	require.NoError(t, err)
	require.True(t, AdminKeyMatches(k, Hash(k)))
	require.False(t, AdminKeyMatches(k+"a", Hash(k)))
	require.False(t, AdminKeyMatches("", Hash("")))
	require.False(t, AdminKeyMatches(k, nil))
}
