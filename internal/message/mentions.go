package message

import (
	"fmt"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/phone"
)

// MaxMentions is the most numbers one message mentions (API.md).
const MaxMentions = 50

// Mentions and viewOnce are fields of some kinds only: mentions of those
// with a text or caption (a mention is shown in it), viewOnce of image and
// video (WhatsApp has view-once photos and videos, nothing else). A kind
// that does not take one has no such request field, so it is an unknown
// field on its route, and the sandbox shows it as null.

// TakesMentions reports whether the kind's text or caption may mention
// numbers.
func (k Kind) TakesMentions() bool { return k.mentions }

// TakesViewOnce reports whether the kind may be sent view-once.
func (k Kind) TakesViewOnce() bool { return k.viewOnce }

// checkMentions reports, at ["mentions", i], an entry that is not a phone
// number or repeats an earlier one, and too many entries at ["mentions"].
// The text is not searched for "@<number>": the client writes it, and
// the gateway neither inserts nor requires it (API.md).
func checkMentions(issues *fault.Issues, mentions []string) {
	if len(mentions) > MaxMentions {
		issues.Add(fmt.Sprintf("Must be at most %d numbers", MaxMentions), "mentions")
		return
	}
	seen := make(map[string]bool, len(mentions))
	for i, n := range mentions {
		switch {
		case !phone.Valid(n):
			issues.Add(phone.FormatMessage, "mentions", i)
		case seen[n]:
			issues.Add("Must not repeat a number", "mentions", i)
		}
		seen[n] = true
	}
}
