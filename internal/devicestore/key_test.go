package devicestore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Key parts escape so that '#' only separates parts, decoding gives the
// part back, and escaping keeps prefixes (the prefix deletes of
// DeleteAllSessions and MigratePNToLID depend on it).
func FuzzEsc(f *testing.F) {
	for _, seed := range [][2]string{
		{"15550001111:7@s.whatsapp.net", ""}, {"a#b", "%23"}, {"%", "#"}, {"123_1", ":0"}, {"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		require.Equal(t, a, unesc(esc(a)))
		require.NotContains(t, esc(a), "#")
		require.Equal(t, esc(a)+esc(b), esc(a+b))
		require.True(t, strings.HasPrefix(esc(a+b), esc(a)))
	})
}

func TestKeyParts(t *testing.T) {
	cases := []struct{ in, want string }{
		{"123:4", "123:4"},
		{"a#b", "a%23b"},
		{"50%", "50%25"},
		{"%23", "%2523"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, esc(c.in))
		require.Equal(t, c.in, unesc(c.want))
	}
	require.Equal(t, "prekey#00000042", preKeySK(42))
	require.Less(t, preKeySK(9), preKeySK(10), "ids sort numerically")
}
