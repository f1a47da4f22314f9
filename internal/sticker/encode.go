package sticker

import (
	"bytes"
	"fmt"
	"image"

	"github.com/gen2brain/webp"
	"golang.org/x/image/draw"
)

// qualities are the lossy qualities tried, best first, once lossless
// encoding is over MaxBytes. Photos usually fit at the first; the steps
// get coarser because each costs a whole encode.
var qualities = []int{90, 80, 70, 55, 40, 25, 10}

// fit scales img to fit Size×Size keeping its aspect ratio, up or down,
// and centres it on a transparent canvas: WhatsApp shows a sticker on the
// chat's background, so the margins must be see-through, not black.
func fit(img image.Image) *image.NRGBA {
	b := img.Bounds()
	w, h := Size, Size
	if b.Dx() >= b.Dy() {
		h = max(1, (b.Dy()*Size+b.Dx()/2)/b.Dx())
	} else {
		w = max(1, (b.Dx()*Size+b.Dy()/2)/b.Dy())
	}
	dst := image.NewNRGBA(image.Rect(0, 0, Size, Size))
	at := image.Rect((Size-w)/2, (Size-h)/2, (Size-w)/2+w, (Size-h)/2+h)
	draw.CatmullRom.Scale(dst, at, img, b, draw.Src, nil)
	return dst
}

// encode writes img as WebP within MaxBytes: lossless first, which keeps
// drawings and text sharp and is often small for them, then lossy at
// falling quality, which photos need.
func encode(img *image.NRGBA) ([]byte, error) {
	var buf bytes.Buffer
	if err := webp.Encode(&buf, img, webp.Options{Lossless: true}); err != nil {
		return nil, fmt.Errorf("encode sticker: %w", err)
	}
	if buf.Len() <= MaxBytes {
		return buf.Bytes(), nil
	}
	for _, q := range qualities {
		buf.Reset()
		if err := webp.Encode(&buf, img, webp.Options{Quality: q}); err != nil {
			return nil, fmt.Errorf("encode sticker: %w", err)
		}
		if buf.Len() <= MaxBytes {
			return buf.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("sticker does not fit in %d KB even at the lowest quality", MaxBytes>>10)
}
