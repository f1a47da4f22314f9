package message

import (
	"strings"

	"github.com/wagateway/wagateway/internal/fault"
)

// Audio is a sound file or a voice note; it takes no caption.
const Audio Type = "audio"

// AudioFields are the fields of an audio message.
type AudioFields struct {
	AudioURL string `json:"audioUrl"`
}

// Content is what an audio message stores.
func (f *AudioFields) Content() Content { return Content{MediaURL: f.AudioURL} }

var audioKind = Kind{
	Type: Audio,
	media: &Media{Field: "audioUrl", MaxBytes: 16 * mb, Noun: "audio",
		// Ogg without a codec is sniffed as application/ogg; voice notes are Ogg.
		accept: func(ct string) bool { return strings.HasPrefix(ct, "audio/") || ct == "application/ogg" }},
	fields: func() Fields { return new(AudioFields) },
	check:  func(Content, *fault.Issues) {},
}
