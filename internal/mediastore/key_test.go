package mediastore_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/mediastore"
)

var (
	refInstance  = regexp.MustCompile(`^[a-z0-9_-]{1,128}$`)
	refMessageID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
)

func TestNewKey(t *testing.T) {
	for _, c := range []struct{ instance, id string }{
		{"acme__support__main", "3EB0C767D9B1A2F3E4C5"},
		{"acme__support__main", "0b5c5e5e-3f7a-4c2b-9a53-0e6f1f0a9d11"},
		{"a", "B"},
		{"t-1__c_2__l-3", "wamid_HBgLMTIzNDU2Nzg5MBUCABIYFjNFQjA"},
	} {
		k, err := mediastore.NewKey(c.instance, c.id)
		require.NoError(t, err)
		require.Equal(t, c.instance+"/"+c.id, k.String())
	}
	for _, c := range []struct{ instance, id string }{
		{"", "m"}, {"a", ""}, {"../x", "m"}, {"a", "../x"}, {"a/b", "m"}, {"a", "a/b"},
		{"A", "m"}, {"a", "a.b"}, {"a", strings.Repeat("x", 129)}, {strings.Repeat("x", 129), "m"},
	} {
		_, err := mediastore.NewKey(c.instance, c.id)
		require.ErrorIs(t, err, mediastore.ErrInvalidKey, "%q %q", c.instance, c.id)
	}
}

// FuzzNewKey checks the key parser against a reference grammar, and that
// whatever it accepts stays inside the directory and S3 prefix it names.
func FuzzNewKey(f *testing.F) {
	for _, s := range [][2]string{
		{"acme__support__main", "3EB0C767D9B1A2F3E4C5"}, {"..", "x"}, {"a", ".."}, {"a/b", "c"},
		{"", ""}, {"a", "b\x00"}, {"a", "é"}, {"a\\b", "c"}, {"a", "b.c"}, {"a-_", "A_-"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, instance, id string) {
		k, err := mediastore.NewKey(instance, id)
		want := refInstance.MatchString(instance) && refMessageID.MatchString(id)
		if !want {
			require.ErrorIs(t, err, mediastore.ErrInvalidKey)
			require.NotContains(t, err.Error(), instance+"/"+id, "errors must not echo the rejected key")
			return
		}
		require.NoError(t, err)
		require.Equal(t, mediastore.Key{Instance: instance, MessageID: id}, k)
		require.NoError(t, mediastore.ValidateInstance(instance))

		root := filepath.FromSlash("/data/media")
		p := filepath.Join(root, k.Instance, k.MessageID)
		require.Equal(t, filepath.Join(root, k.Instance), filepath.Dir(p), "the file must sit directly in its instance's directory")
		require.Equal(t, k.MessageID, filepath.Base(p))
		require.Equal(t, 1, strings.Count(k.String(), "/"), "an S3 key must have exactly the segments it names")
		require.NotContains(t, k.String(), ".")
	})
}
