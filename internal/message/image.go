package message

import "github.com/wagateway/wagateway/internal/fault"

// Image is a picture with an optional caption.
const Image Type = "image"

// ImageFields are the fields of an image message.
type ImageFields struct {
	ImageURL string   `json:"imageUrl"`
	Caption  string   `json:"caption"`
	Mentions []string `json:"mentions"`
	ViewOnce bool     `json:"viewOnce"`
}

// Content is what an image message stores.
func (f *ImageFields) Content() Content {
	return Content{MediaURL: f.ImageURL, Caption: f.Caption, Mentions: f.Mentions, ViewOnce: f.ViewOnce}
}

var imageKind = Kind{
	Type:   Image,
	media:  &Media{Field: "imageUrl", MaxBytes: 5 * mb, Noun: "an image", accept: typePrefix("image/")},
	fields: func() Fields { return new(ImageFields) },
	check: func(c Content, issues *fault.Issues) {
		optionalTemplate(issues, "caption", c.Caption)
		checkMentions(issues, c.Mentions)
	},
	mentions: true,
	viewOnce: true,
}
