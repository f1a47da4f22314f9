package message

import (
	"fmt"
	"unicode/utf8"

	"github.com/wagateway/wagateway/internal/fault"
)

// Document is any file, shown with its name and an optional caption.
const Document Type = "document"

// DocumentFields are the fields of a document message.
type DocumentFields struct {
	DocumentURL string   `json:"documentUrl"`
	FileName    string   `json:"fileName"`
	Caption     string   `json:"caption"`
	Mentions    []string `json:"mentions"`
}

// Content is what a document message stores.
func (f *DocumentFields) Content() Content {
	return Content{MediaURL: f.DocumentURL, FileName: f.FileName, Caption: f.Caption, Mentions: f.Mentions}
}

var documentKind = Kind{
	Type: Document,
	// A document message is how arbitrary files are sent: any content
	// type goes.
	media:  &Media{Field: "documentUrl", MaxBytes: 100 * mb, Noun: "a document"},
	fields: func() Fields { return new(DocumentFields) },
	check: func(c Content, issues *fault.Issues) {
		switch {
		case c.FileName == "":
			issues.Add("Required", "fileName")
		case utf8.RuneCountInString(c.FileName) > MaxFileNameLen:
			issues.Add(fmt.Sprintf("Must be at most %d characters", MaxFileNameLen), "fileName")
		}
		optionalTemplate(issues, "caption", c.Caption)
		checkMentions(issues, c.Mentions)
	},
	mentions: true,
}
