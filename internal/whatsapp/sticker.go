package whatsapp

import (
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/sticker"
)

// stickerMessage sends the host's converted sticker (internal/sticker):
// always a 512×512 WebP, uploaded under the image key domain, as WhatsApp
// Web does (whatsmeow downloads a StickerMessage as MediaImage). The size
// is declared because clients lay the sticker out before downloading it.
func stickerMessage(_ driver.Outbound, m media, _ pollBuilder) (*waE2E.Message, error) {
	return &waE2E.Message{StickerMessage: &waE2E.StickerMessage{URL: m.url(), DirectPath: m.path(),
		Mimetype: proto.String(sticker.ContentType), MediaKey: m.up.MediaKey, FileEncSHA256: m.up.FileEncSHA256,
		FileSHA256: m.up.FileSHA256, FileLength: m.length(), MediaKeyTimestamp: m.timestamp(),
		Width: proto.Uint32(sticker.Size), Height: proto.Uint32(sticker.Size)}}, nil
}
