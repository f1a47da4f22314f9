package host_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/message"
)

// TestStickerConvertedBeforeTheDriver: the host turns the fetched picture
// into the 512×512 WebP sticker, so the driver gets what it sends; a file
// that is a PNG only by its magic fails the message instead.
func TestStickerConvertedBeforeTheDriver(t *testing.T) {
	r := newLinkedRig(t)
	ctx := context.Background()
	var picture bytes.Buffer
	require.NoError(t, png.Encode(&picture, image.NewNRGBA(image.Rect(0, 0, 30, 20))))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/broken.png" {
			_, _ = w.Write(pngBytes)
			return
		}
		_, _ = w.Write(picture.Bytes())
	}))
	defer srv.Close()
	send := func(path string) string {
		acc, _, err := r.svc.Send(ctx, "acme", gateway.SendInput{InstanceName: mainInst, To: "5491100000001", Lane: "urgent",
			Type: message.Sticker, Content: message.Content{MediaURL: srv.URL + path}}, "")
		require.NoError(t, err)
		return acc.ID
	}

	send("/s.png")
	waitFor(t, "sticker sent", func() bool { return len(r.drv.sentList()) == 1 })
	out := r.drv.sentList()[0]
	require.Equal(t, message.Sticker, out.Type)
	require.Equal(t, "image/webp", out.ContentType)
	require.Equal(t, srv.URL+"/s.png", out.MediaURL)
	cfg, err := webp.DecodeConfig(bytes.NewReader(out.Media))
	require.NoError(t, err)
	require.Equal(t, [2]int{512, 512}, [2]int{cfg.Width, cfg.Height})

	id := send("/broken.png")
	waitFor(t, "broken sticker failed", func() bool { return status(t, r, id).Status == message.Failed })
	require.Equal(t, "sticker image could not be decoded", status(t, r, id).Error)
	require.Len(t, r.drv.sentList(), 1)
}
