package message

import "github.com/wagateway/wagateway/internal/fault"

// Text is a plain text message.
const Text Type = "text"

// TextFields are the fields of a text message.
type TextFields struct {
	Text     string   `json:"text"`
	Mentions []string `json:"mentions"`
}

// Content is what a text message stores.
func (f *TextFields) Content() Content { return Content{Text: f.Text, Mentions: f.Mentions} }

var textKind = Kind{
	Type:     Text,
	mentions: true,
	fields:   func() Fields { return new(TextFields) },
	check: func(c Content, issues *fault.Issues) {
		requiredTemplate(issues, "text", c.Text)
		checkMentions(issues, c.Mentions)
	},
}
