// Package qrcode renders WhatsApp linking codes as the PNG data URLs the
// API returns from GET /instance/{name}/qr.
package qrcode

import (
	"encoding/base64"
	"errors"
	"fmt"

	qr "github.com/skip2/go-qrcode"
)

// size is the PNG's width and height in pixels: large enough for a phone
// camera to read from a screen, small enough to poll.
const size = 256

// DataURL encodes code as a QR code PNG in a data URL. Medium error
// correction is what WhatsApp Web uses for its codes.
func DataURL(code string) (string, error) {
	if code == "" {
		return "", errors.New("qrcode: empty code")
	}
	png, err := qr.Encode(code, qr.Medium, size)
	if err != nil {
		return "", fmt.Errorf("qrcode: encode: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), nil
}
