package message

import "github.com/wagateway/wagateway/internal/fault"

// Sticker is a picture sent as a WhatsApp sticker. It takes no caption.
// The host converts the file into a 512×512 WebP before any driver sees it
// (internal/sticker), so the kind accepts the formats it can convert.
const Sticker Type = "sticker"

// StickerFields are the fields of a sticker message.
type StickerFields struct {
	StickerURL string `json:"stickerUrl"`
}

// Content is what a sticker message stores.
func (f *StickerFields) Content() Content { return Content{MediaURL: f.StickerURL} }

var stickerKind = Kind{
	Type: Sticker,
	// The limit is on the file at stickerUrl (API.md); what is sent is
	// the converted sticker, at most 100 KB.
	media: &Media{Field: "stickerUrl", MaxBytes: 1 * mb, Noun: "a sticker",
		accept:  func(ct string) bool { return ct == "image/webp" || ct == "image/png" || ct == "image/jpeg" },
		refusal: "sticker must be WebP, PNG or JPEG (got %s)"},
	fields: func() Fields { return new(StickerFields) },
	check:  func(Content, *fault.Issues) {},
}
