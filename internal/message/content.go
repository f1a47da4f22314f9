package message

import (
	"math/rand/v2"

	"github.com/wagateway/wagateway/internal/spintax"
)

// Content holds the fields of a message, by kind: Text for text; MediaURL
// for the kinds with Media; Caption for image, document and video;
// FileName for document; Location, Contacts and Poll for their kinds.
// Text and Caption keep their spintax until send time.
//
// Stores keep Content as this JSON, so its names never change: a new kind
// adds fields (omitempty), and messages stored before read as they did.
type Content struct {
	Text     string           `json:"text,omitempty"`
	MediaURL string           `json:"mediaUrl,omitempty"`
	Caption  string           `json:"caption,omitempty"`
	FileName string           `json:"fileName,omitempty"`
	Location *LocationContent `json:"location,omitempty"`
	Contacts []ContactCard    `json:"contacts,omitempty"`
	Poll     *PollContent     `json:"poll,omitempty"`
	// Mentions are the phone numbers a text or caption mentions (as
	// "@<number>" in it, written by the client); ViewOnce is set on an
	// image or video the recipient can open once (mentions.go).
	Mentions []string `json:"mentions,omitempty"`
	ViewOnce bool     `json:"viewOnce,omitempty"`
	// Quote is the message replied to (replyTo), whatever the kind.
	Quote    *Quote           `json:"quote,omitempty"`
	Reaction *ReactionContent `json:"reaction,omitempty"`
}

// Resolve returns c with its spintax resolved: one variant for one send,
// drawn with rnd. Only text and captions take spintax (API.md): a poll's
// options, a place's name or a contact's name are sent as written.
func (c Content) Resolve(rnd *rand.Rand) Content {
	c.Text = spintax.Resolve(c.Text, rnd)
	c.Caption = spintax.Resolve(c.Caption, rnd)
	return c
}
