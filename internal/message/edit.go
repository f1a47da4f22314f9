package message

import (
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/lane"
)

// EditWindow is how long after it was sent a message may still be edited:
// WhatsApp's own limit, past which phones ignore the edit.
const EditWindow = 15 * time.Minute

// ChangeLane is the lane edits and deletions of sent messages go out on.
// They take its delay like any send, but they are not sends: the lane
// caps count sent messages (a change adds none), so they count toward no
// cap, and on the urgent lane they never wait behind the message traffic.
const ChangeLane = lane.Urgent

// ErrorCancelled is the error of a pending message withdrawn with DELETE
// /message/{id}.
const ErrorCancelled = "cancelled"

// Change is what a lane work item does to a message already sent.
type Change string

// The changes; the empty Change is the send of the message itself.
const (
	ChangeEdit   Change = "edit"
	ChangeRevoke Change = "revoke"
)

// Editable reports whether m, once sent, may still be edited at now: sent
// less than EditWindow ago and not deleted for everyone.
func (m Message) Editable(now time.Time) bool {
	return m.Status == Sent && m.RevokedAt.IsZero() && now.Before(m.SentAt.Add(EditWindow))
}

// editFields names the field an edit changes, per kind: the text of a
// text, the caption of the kinds that have one. Other kinds cannot be
// edited.
var editFields = map[Type]string{Text: "text", Image: "caption", Document: "caption", Video: "caption"}

// EditField returns the field an edit of a message of type t changes, or
// false if such a message cannot be edited.
func EditField(t Type) (string, bool) {
	f, ok := editFields[t]
	return f, ok
}

// EditedText is the field of c that an edit of a message of type t
// replaces: its text or its caption.
func (c Content) EditedText(t Type) string {
	if f, _ := EditField(t); f == "caption" {
		return c.Caption
	}
	return c.Text
}

// Edit is a PATCH body: the new text or caption, nil when not given.
type Edit struct {
	Text    *string
	Caption *string
}

// Apply checks e against a message of type t and returns c with the edit
// applied. The field given must be the kind's own: the other one, or
// either for a kind that has neither, is an issue at that field.
func (e Edit) Apply(t Type, c Content, issues *fault.Issues) Content {
	field, _ := EditField(t)
	given := false
	for _, f := range []struct {
		name string
		v    *string
	}{{"text", e.Text}, {"caption", e.Caption}} {
		switch {
		case f.v == nil:
		case f.name != field:
			issues.Add("Not allowed for type "+string(t), f.name)
		default:
			given = true
		}
	}
	switch {
	case field == "text" && e.Text != nil:
		requiredTemplate(issues, field, *e.Text)
		c.Text = *e.Text
	case field == "caption" && e.Caption != nil:
		optionalTemplate(issues, field, *e.Caption)
		c.Caption = *e.Caption
	}
	if !given && field != "" && issues.Err() == nil {
		issues.Add("Required", field)
	}
	return c
}
