package sticker

import (
	"image"
	"testing"
)

// FuzzConvert feeds arbitrary bytes, seeded with small valid pictures of
// each format, to Convert: it must return a sticker or an error, never
// panic, and anything it returns must be a valid sticker.
func FuzzConvert(f *testing.F) {
	f.Add(encodePNG(f, picture(7, 5, false)))
	f.Add(encodeJPEG(f, picture(9, 4, true)))
	f.Add(encodeWebP(f, picture(6, 6, false), true))
	f.Add(encodeWebP(f, picture(6, 6, true), false))
	f.Add(encodePNG(f, image.NewGray(image.Rect(0, 0, 1, 1))))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8L"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Convert(data)
		if err != nil {
			return
		}
		checkSticker(t, out)
	})
}
