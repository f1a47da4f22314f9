package qrcode

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDataURL(t *testing.T) {
	code := "2@" + strings.Repeat("AbC123+/", 10) + ",key1,key2,key3"
	url, err := DataURL(code)
	require.NoError(t, err)
	b64, ok := strings.CutPrefix(url, "data:image/png;base64,")
	require.True(t, ok)
	raw, err := base64.StdEncoding.DecodeString(b64)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(raw))
	require.NoError(t, err)
	require.Equal(t, size, img.Bounds().Dx())
	require.Equal(t, size, img.Bounds().Dy())

	other, err := DataURL(code + "x")
	require.NoError(t, err)
	require.NotEqual(t, url, other, "different codes, different images")

	_, err = DataURL("")
	require.Error(t, err)
}
