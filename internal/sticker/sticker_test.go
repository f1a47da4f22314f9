package sticker

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/gen2brain/webp"
	xwebp "golang.org/x/image/webp"
)

// picture is a w×h test image: a gradient with noise (so it does not
// compress to nothing, like a photo) whose left half is opaque and right
// half fully transparent.
func picture(w, h int, noisy bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(x * 255 / max(1, w)), uint8(y * 255 / max(1, h)), 128, 255}
			if noisy {
				c.B = uint8(r.IntN(256))
			}
			if x >= w/2 && w > 1 {
				c.A = 0
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeWebP(t testing.TB, img image.Image, lossless bool) []byte {
	var b bytes.Buffer
	if err := webp.Encode(&b, img, webp.Options{Lossless: lossless, Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is the start of a PNG of w×h pixels, as far as its header:
// enough to claim a size without the cost of making the picture.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8-bit grey, no interlace
	chunk := append([]byte("IHDR"), ihdr...)
	b := append([]byte("\x89PNG\r\n\x1a\n"), binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))...)
	b = append(b, chunk...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
}

// checkSticker decodes out as WhatsApp's clients would and returns it.
func checkSticker(t *testing.T, out []byte) image.Image {
	t.Helper()
	if len(out) > MaxBytes {
		t.Fatalf("sticker is %d bytes, over %d", len(out), MaxBytes)
	}
	img, err := xwebp.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("sticker does not decode as WebP: %v", err)
	}
	if b := img.Bounds(); b.Dx() != Size || b.Dy() != Size {
		t.Fatalf("sticker is %dx%d, want %dx%d", b.Dx(), b.Dy(), Size, Size)
	}
	return img
}

func alphaAt(img image.Image, x, y int) uint32 {
	_, _, _, a := img.At(x, y).RGBA()
	return a
}

func TestConvert(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		// opaque and clear are points of the sticker expected to be
		// fully opaque and fully transparent.
		opaque, clear image.Point
	}{
		// Wide: scaled to 512×256, centred vertically (rows 128–383); the
		// left half of the picture is opaque, the right half clear.
		{"png wide", encodePNG(t, picture(1000, 500, false)), image.Pt(100, 256), image.Pt(400, 256)},
		{"png tall odd", encodePNG(t, picture(101, 333, false)), image.Pt(230, 256), image.Pt(10, 256)},
		{"png tiny", encodePNG(t, picture(3, 2, false)), image.Pt(50, 256), image.Pt(256, 10)},
		{"png one pixel", encodePNG(t, image.NewNRGBA(image.Rect(0, 0, 1, 1))), image.Point{-1, -1}, image.Pt(0, 0)},
		{"png large photo", encodePNG(t, picture(1200, 900, true)), image.Pt(100, 256), image.Pt(500, 256)},
		// JPEG has no alpha: the picture is opaque, the margins clear.
		{"jpeg", encodeJPEG(t, picture(640, 480, true)), image.Pt(400, 256), image.Pt(256, 5)},
		{"webp lossy small", encodeWebP(t, picture(200, 100, true), false), image.Pt(100, 256), image.Pt(256, 50)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Convert(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			img := checkSticker(t, out)
			if tc.opaque.X >= 0 {
				if a := alphaAt(img, tc.opaque.X, tc.opaque.Y); a != 0xffff {
					t.Errorf("alpha at %v = %#x, want opaque", tc.opaque, a)
				}
			}
			if a := alphaAt(img, tc.clear.X, tc.clear.Y); a != 0 {
				t.Errorf("alpha at %v = %#x, want transparent", tc.clear, a)
			}
		})
	}
}

// A WebP that already is a sticker goes out byte for byte.
func TestConvertPassesStickerThrough(t *testing.T) {
	in := encodeWebP(t, picture(Size, Size, false), true)
	if len(in) > MaxBytes {
		t.Fatalf("fixture is %d bytes", len(in))
	}
	out, err := Convert(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, in) {
		t.Error("a 512×512 WebP under 100 KB was re-encoded")
	}

	// The same size over 100 KB (noise does not compress losslessly) is
	// re-encoded, lossy, to fit.
	big := encodeWebP(t, picture(Size, Size, true), true)
	if len(big) <= MaxBytes {
		t.Fatalf("fixture is only %d bytes", len(big))
	}
	out, err = Convert(big)
	if err != nil {
		t.Fatal(err)
	}
	img := checkSticker(t, out)
	if a := alphaAt(img, 400, 100); a != 0 {
		t.Errorf("alpha at the transparent half = %#x", a)
	}
}

func TestConvertRefuses(t *testing.T) {
	png := encodePNG(t, picture(20, 20, false))
	huge := pngHeader(5000, 5000)
	tests := []struct {
		name   string
		in     []byte
		format bool // wraps ErrFormat
	}{
		{"empty", nil, true},
		{"text", []byte("hello, this is not a picture"), true},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), true},
		{"truncated png", png[:len(png)/2], true},
		{"png magic only", png[:8], true},
		{"riff not webp", []byte("RIFF\x04\x00\x00\x00WAVE"), true},
		{"webp header only", []byte("RIFF\x04\x00\x00\x00WEBPVP8 "), true},
		{"too many pixels", huge, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Convert(tc.in)
			if err == nil {
				t.Fatalf("converted to %d bytes", len(out))
			}
			if errors.Is(err, ErrFormat) != tc.format {
				t.Errorf("error %q: wraps ErrFormat = %v, want %v", err, !tc.format, tc.format)
			}
		})
	}
}
