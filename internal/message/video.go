package message

import "github.com/wagateway/wagateway/internal/fault"

// Video is a clip with an optional caption.
const Video Type = "video"

// VideoFields are the fields of a video message.
type VideoFields struct {
	VideoURL string   `json:"videoUrl"`
	Caption  string   `json:"caption"`
	Mentions []string `json:"mentions"`
	ViewOnce bool     `json:"viewOnce"`
}

// Content is what a video message stores.
func (f *VideoFields) Content() Content {
	return Content{MediaURL: f.VideoURL, Caption: f.Caption, Mentions: f.Mentions, ViewOnce: f.ViewOnce}
}

var videoKind = Kind{
	Type:   Video,
	media:  &Media{Field: "videoUrl", MaxBytes: 16 * mb, Noun: "a video", accept: typePrefix("video/")},
	fields: func() Fields { return new(VideoFields) },
	check: func(c Content, issues *fault.Issues) {
		optionalTemplate(issues, "caption", c.Caption)
		checkMentions(issues, c.Mentions)
	},
	mentions: true,
	viewOnce: true,
}
