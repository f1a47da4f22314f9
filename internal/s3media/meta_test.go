package s3media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzFileName checks that any file name survives the trip through S3
// metadata, and that what travels is a safe header value.
func FuzzFileName(f *testing.F) {
	for _, s := range []string{"", "a.jpg", "фото 1.jpg", "100%+50%.pdf", "a\r\nX-Evil: 1", "'\"<>", "UTF-8''x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v := encodeFileName(name)
		for i := 0; i < len(v); i++ {
			require.True(t, v[i] > 0x20 && v[i] < 0x7f, "byte %#x in a header value", v[i])
		}
		require.Equal(t, name, decodeFileName(v))
	})
}

func TestDecodeFileNameForeign(t *testing.T) {
	require.Empty(t, decodeFileName(""))
	require.Empty(t, decodeFileName("plain.jpg"), "a value Put did not write reads as no name")
	require.Empty(t, decodeFileName("UTF-8''%zz"))
}
