package drivertest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sync"

	"github.com/wagateway/wagateway/internal/sticker"
)

// stickerSample is a real sticker, as the host hands it to the drivers:
// the phone side of a driver may check that what arrives decodes as a
// 512×512 WebP, so the sample cannot be placeholder bytes. It is made
// once, by the converter, from a small drawing with a transparent half.
var stickerSample = sync.OnceValue(func() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 32 {
			img.SetNRGBA(x, y, color.NRGBA{R: 220, G: uint8(4 * y), B: 40, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	data, err := sticker.Convert(b.Bytes())
	if err != nil {
		panic(err)
	}
	return data
})
