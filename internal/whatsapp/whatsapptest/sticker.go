package whatsapptest

import (
	"bytes"
	"fmt"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"golang.org/x/image/webp"
)

// stickerSize is the width and height of every static sticker WhatsApp's
// clients send.
const stickerSize = 512

// CheckSticker is what a phone needs of a sticker to show it: declared
// as a 512×512 WebP, and data, the decrypted file, decoding as one. A
// sticker the phone could not lay out or draw is an error, so a send that
// gets it wrong fails where it is checked rather than reaching a tenant's
// recipient as a broken bubble.
func CheckSticker(x *waE2E.StickerMessage, data []byte) error {
	if x.GetMimetype() != "image/webp" {
		return fmt.Errorf("sticker declared as %q, want image/webp", x.GetMimetype())
	}
	if x.GetWidth() != stickerSize || x.GetHeight() != stickerSize {
		return fmt.Errorf("sticker declared %d×%d, want %d×%d", x.GetWidth(), x.GetHeight(), stickerSize, stickerSize)
	}
	img, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("sticker file is no WebP: %w", err)
	}
	if b := img.Bounds(); b.Dx() != stickerSize || b.Dy() != stickerSize {
		return fmt.Errorf("sticker file is %d×%d, want %d×%d", b.Dx(), b.Dy(), stickerSize, stickerSize)
	}
	return nil
}
