package message

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/spintax"
)

// Type is what kind of WhatsApp message is sent: the `type` of the API,
// the last element of its send route (POST /message/<type>), and what is
// stored with the message.
type Type string

// Kind is the one definition of a kind of message: its request fields and
// their rules, and whether it carries a file fetched at send time. Every
// layer works from it (the routes, the use cases, the host, the drivers),
// so none of them has to assume that "not text" means media.
//
// A new kind is a file like image.go and an entry in kinds; then tests
// that walk Kinds() fail until the rest is there: its whatsmeow builder
// (internal/whatsapp TestBuildersCoverEveryKind), a sample that both
// drivers send and the phone side records (drivertest, every kind of
// message), its routes in the OpenAPI document (internal/httpapi
// TestEveryKindIsRouted) and its type in the webhook schemas (events
// TestSchemasListEveryKind). The routes themselves follow from the kind.
type Kind struct {
	Type Type

	media  *Media // nil for kinds without a file
	fields func() Fields
	check  func(c Content, issues *fault.Issues)
	// mentions and viewOnce say whether the kind takes those fields
	// (mentions.go).
	mentions, viewOnce bool
}

// Fields are the request fields of one kind, as its send route and POST
// /message/send take them: the json tags are the API's names. Content
// turns them into what is stored.
type Fields interface {
	Content() Content
}

// Media says how a kind carries a file.
type Media struct {
	// Field is the request field of the URL (imageUrl), where issues
	// with it are reported.
	Field string
	// MaxBytes is WhatsApp's own limit for the kind, so that a file
	// accepted by the gateway is not refused later for its size.
	MaxBytes int64
	// Noun names what the file should be ("an image"), for the error of
	// a file that is something else.
	Noun string
	// accept says whether a file of a (sniffed, parameterless) content
	// type may go as this kind; nil takes any file.
	accept func(contentType string) bool
	// refusal, when set, is the error for a file of another type, with
	// %s for its sniffed type: a kind that takes a few formats names them.
	refusal string
}

// Accepts reports whether a file of contentType (without parameters) may
// be sent as this kind.
func (m Media) Accepts(contentType string) bool {
	return m.accept == nil || m.accept(contentType)
}

// Refusal is the error for a file of contentType that the kind does not
// accept, safe to store on the message.
func (m Media) Refusal(contentType string) string {
	if m.refusal != "" {
		return fmt.Sprintf(m.refusal, contentType)
	}
	return fmt.Sprintf("media is not %s (got %s)", m.Noun, contentType)
}

// kinds lists every kind, in the order the API documents them.
var kinds = []Kind{textKind, imageKind, documentKind, audioKind, videoKind, locationKind, contactKind, stickerKind, pollKind, reactionKind}

// Kinds returns every kind, in the order the API documents them.
func Kinds() []Kind { return slices.Clone(kinds) }

// KindOf returns the kind of t; false for a type that is none.
func KindOf(t Type) (Kind, bool) {
	for _, k := range kinds {
		if k.Type == t {
			return k, true
		}
	}
	return Kind{}, false
}

// Valid reports whether t is one of the known types.
func (t Type) Valid() bool {
	_, ok := KindOf(t)
	return ok
}

// Media says how the kind carries a file; false for kinds that carry
// none. A file's URL is Content.MediaURL, always required, and the file is
// fetched at send time.
func (k Kind) Media() (Media, bool) {
	if k.media == nil {
		return Media{}, false
	}
	return *k.media, true
}

// NewFields returns the kind's request fields, empty, to decode into.
func (k Kind) NewFields() Fields { return k.fields() }

// Validate checks the kind's own fields of c and reports each problem at
// its request field. The media URL is the caller's to check (required,
// and allowed by the deployment's URL policy), at Media().Field.
func (k Kind) Validate(c Content, issues *fault.Issues) { k.check(c, issues) }

// Limits on fields. WhatsApp itself caps text at 65,536 characters;
// spintax is checked before resolution, so the cap applies to the
// template.
const (
	MaxTextLen     = 65536
	MaxFileNameLen = 255
)

const mb = 1 << 20

// typePrefix accepts the content types that start with prefix (image/).
func typePrefix(prefix string) func(string) bool {
	return func(contentType string) bool { return strings.HasPrefix(contentType, prefix) }
}

// requiredTemplate checks a field that must hold spintax text.
func requiredTemplate(issues *fault.Issues, field, text string) {
	if text == "" {
		issues.Add("Required", field)
		return
	}
	checkTemplate(issues, field, text)
}

// optionalTemplate checks a field that may hold spintax text (a caption).
func optionalTemplate(issues *fault.Issues, field, text string) {
	if text != "" {
		checkTemplate(issues, field, text)
	}
}

func checkTemplate(issues *fault.Issues, field, text string) {
	if utf8.RuneCountInString(text) > MaxTextLen {
		issues.Add(fmt.Sprintf("Must be at most %d characters", MaxTextLen), field)
	} else if err := spintax.Validate(text); err != nil {
		issues.Add(err.Error(), field)
	}
}

// checkLen reports a value longer than limit characters at path.
func checkLen(issues *fault.Issues, value string, limit int, path ...any) {
	if tooLong(value, limit) {
		issues.Add(fmt.Sprintf("Must be at most %d characters", limit), path...)
	}
}

// tooLong reports whether s has more than limit characters.
func tooLong(s string, limit int) bool { return utf8.RuneCountInString(s) > limit }
