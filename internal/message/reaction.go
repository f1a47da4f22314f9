package message

import "github.com/wagateway/wagateway/internal/fault"

// Reaction reacts with an emoji to a message of the chat, or removes the
// reaction ("").
const Reaction Type = "reaction"

// ReactionFields are the fields of a reaction. emoji is a pointer: ""
// removes the reaction, a missing one is an error.
type ReactionFields struct {
	MessageID string  `json:"messageId"`
	Emoji     *string `json:"emoji"`
}

// ReactionContent is what a reaction stores and sends. MessageID is the
// client's (one of our ids or a WhatsApp id) until the send is accepted,
// which resolves it (internal/gateway) to the WhatsApp id of the message
// reacted to, with From its sender ("" for ours): what WhatsApp's key of
// the message needs.
type ReactionContent struct {
	MessageID string `json:"messageId"`
	From      string `json:"from,omitempty"`
	Emoji     string `json:"emoji"`
	// noEmoji: the request had none (only validation reads it).
	noEmoji bool
}

// Content is what a reaction stores.
func (f *ReactionFields) Content() Content {
	r := &ReactionContent{MessageID: f.MessageID, noEmoji: f.Emoji == nil}
	if f.Emoji != nil {
		r.Emoji = *f.Emoji
	}
	return Content{Reaction: r}
}

var reactionKind = Kind{
	Type:   Reaction,
	fields: func() Fields { return new(ReactionFields) },
	check: func(c Content, issues *fault.Issues) {
		r := c.Reaction
		if r == nil {
			r = &ReactionContent{noEmoji: true}
		}
		if r.MessageID == "" {
			issues.Add("Required", "messageId")
		}
		switch {
		case r.noEmoji:
			issues.Add("Required (\"\" removes the reaction)", "emoji")
		case r.Emoji != "" && !IsEmoji(r.Emoji):
			issues.Add("Must be one emoji, or \"\" to remove the reaction", "emoji")
		}
	},
}
