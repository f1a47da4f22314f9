// Package sticker turns a picture into what WhatsApp shows as a static
// sticker: a 512×512 WebP of at most 100 KB, the picture scaled to fit
// and centred on a transparent canvas. It does no I/O: the host fetches
// the file (internal/media, under the sticker kind's limits) and converts
// it here before any driver sees it, so every driver sends the same bytes.
package sticker

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

const (
	// Size is a sticker's width and height in pixels.
	Size = 512
	// MaxBytes is the largest static sticker WhatsApp accepts.
	MaxBytes = 100 << 10
	// ContentType is what every sticker is sent as.
	ContentType = "image/webp"
)

// maxPixels bounds the decoded picture: a 1 MB PNG of one colour can
// claim 100 million pixels, which would take gigabytes to decode. 16
// million (4096×4096) is well beyond any photo worth making a sticker of.
const maxPixels = 16 << 20

// ErrFormat is a file that is not a WebP, PNG or JPEG picture, or is a
// broken one.
var ErrFormat = errors.New("sticker: not a decodable WebP, PNG or JPEG image")

// Convert returns data as a sticker. A WebP that already is one (512×512,
// at most 100 KB) is returned unchanged, so a sticker made for WhatsApp
// keeps its exact bytes; anything else is decoded, fitted and re-encoded.
// Errors for input that cannot be decoded wrap ErrFormat; every error's
// text is fit to show through the API.
func Convert(data []byte) ([]byte, error) {
	f, ok := formatOf(data)
	if !ok {
		return nil, fmt.Errorf("%w: unknown format", ErrFormat)
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %s header: %v", ErrFormat, f.name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %s image is empty", ErrFormat, f.name)
	}
	if cfg.Width > maxPixels/cfg.Height {
		return nil, fmt.Errorf("sticker image is too large (%d×%d pixels)", cfg.Width, cfg.Height)
	}
	img, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFormat, f.name, err)
	}
	if b := img.Bounds(); b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, fmt.Errorf("%w: %s image is empty", ErrFormat, f.name)
	}
	if f.name == "webp" && cfg.Width == Size && cfg.Height == Size && len(data) <= MaxBytes {
		return data, nil
	}
	return encode(fit(img))
}

// format is one accepted kind of picture.
type format struct {
	name   string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

// formatOf picks the decoder by the file's magic bytes rather than through
// image.Decode, whose registry other packages add formats to (GIF, or a
// second WebP decoder) that stickers must not take.
func formatOf(data []byte) (format, bool) {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return format{"png", png.DecodeConfig, png.Decode}, true
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return format{"jpeg", jpeg.DecodeConfig, jpeg.Decode}, true
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return format{"webp", webp.DecodeConfig, webp.Decode}, true
	}
	return format{}, false
}
