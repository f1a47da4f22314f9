package mediastoretest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/mediastore"
)

// badKeys are keys every store must refuse, whatever it would do with
// them: climb out of its directory or prefix, name a directory, or
// collide with its own names.
var badKeys = []struct {
	name string
	key  mediastore.Key
}{
	{"DotDotInstance", key("..", "m1")},
	{"DotDotSlashInstance", key("../x", "m1")},
	{"DotDotMessage", key("acme__a__b", "..")},
	{"DotDotSlashMessage", key("acme__a__b", "../x")},
	{"EmptyInstance", key("", "m1")},
	{"EmptyMessage", key("acme__a__b", "")},
	{"SlashInstance", key("acme/a", "m1")},
	{"SlashMessage", key("acme__a__b", "a/b")},
	{"BackslashMessage", key("acme__a__b", `a\b`)},
	{"AbsoluteMessage", key("acme__a__b", "/etc/passwd")},
	{"DotMessage", key("acme__a__b", "a.json")},
	{"UpperInstance", key("Acme__a__b", "m1")},
	{"SpaceMessage", key("acme__a__b", "a b")},
	{"NULMessage", key("acme__a__b", "a\x00b")},
	{"NonASCIIMessage", key("acme__a__b", "é")},
	{"LongInstance", key(strings.Repeat("a", mediastore.MaxInstanceLen+1), "m1")},
	{"LongMessage", key("acme__a__b", strings.Repeat("A", mediastore.MaxMessageIDLen+1))},
}

func invalidKeys(t *testing.T, f fixture) {
	for _, c := range badKeys {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.store.Put(f.ctx, c.key, mediastore.Meta{}, untouchedReader{t}, 100)
			require.ErrorIs(t, err, mediastore.ErrInvalidKey)
			rc, _, err := f.store.Open(f.ctx, c.key)
			require.Nil(t, rc)
			require.ErrorIs(t, err, mediastore.ErrInvalidKey)
			require.ErrorIs(t, f.store.Delete(f.ctx, c.key), mediastore.ErrInvalidKey)
		})
	}
	for _, name := range []string{"", "..", "../x", "a/b", "ACME", strings.Repeat("a", mediastore.MaxInstanceLen+1)} {
		_, err := f.store.DeleteInstance(f.ctx, name)
		require.ErrorIs(t, err, mediastore.ErrInvalidKey, "instance %q", name)
	}
	// The longest valid key works.
	long := key(strings.Repeat("a", mediastore.MaxInstanceLen), strings.Repeat("Z", mediastore.MaxMessageIDLen))
	obj := mustPut(t, f, long, mediastore.Meta{}, []byte("ok"))
	mustRead(t, f, long, obj)
}

func invalidMeta(t *testing.T, f fixture) {
	cases := []struct {
		name string
		meta mediastore.Meta
	}{
		{"LongFileName", mediastore.Meta{FileName: strings.Repeat("a", mediastore.MaxFileNameLen+1)}},
		{"InvalidUTF8FileName", mediastore.Meta{FileName: "a\xffb"}},
		{"NewlineInMimetype", mediastore.Meta{Mimetype: "text/plain\r\nX-Evil: 1"}},
		{"NonASCIIMimetype", mediastore.Meta{Mimetype: "text/plaîn"}},
		{"LongMimetype", mediastore.Meta{Mimetype: "a/" + strings.Repeat("b", mediastore.MaxMimetypeLen)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := key("acme__a__b", "m1")
			_, err := f.store.Put(f.ctx, k, c.meta, untouchedReader{t}, 100)
			require.ErrorIs(t, err, mediastore.ErrInvalidMeta)
			requireNotFound(t, f, k)
		})
	}
}

func openMissing(t *testing.T, f fixture) {
	requireNotFound(t, f, key("acme__never__seen", "m1"))
	mustPut(t, f, key("acme__a__b", "m1"), mediastore.Meta{}, []byte("x"))
	requireNotFound(t, f, key("acme__a__b", "m2"))
	requireNotFound(t, f, key("acme__a__bb", "m1"))
}

func expiry(t *testing.T, f fixture) {
	k := key("acme__a__b", "m1")
	data := payload(100, 1)
	obj := mustPut(t, f, k, mediastore.Meta{}, data)
	f.clk.Advance(Retention - 1)
	require.Equal(t, data, mustRead(t, f, k, obj))
	f.clk.Advance(1)
	requireNotFound(t, f, k)
	// A new Put under the key starts a new retention period.
	obj = mustPut(t, f, k, mediastore.Meta{}, data)
	require.Equal(t, data, mustRead(t, f, k, obj))
}
