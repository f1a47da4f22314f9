// Package message describes an outbound message: its type, the fields each
// type carries, and its status through the send path.
package message

import (
	"time"

	"github.com/wagateway/wagateway/internal/lane"
)

// Type is what kind of WhatsApp message is sent.
type Type string

// The five types of API.md.
const (
	Text     Type = "text"
	Image    Type = "image"
	Document Type = "document"
	Audio    Type = "audio"
	Video    Type = "video"
)

// Valid reports whether t is one of the known types.
func (t Type) Valid() bool {
	switch t {
	case Text, Image, Document, Audio, Video:
		return true
	}
	return false
}

// Status is where a message is on the send path.
type Status string

// pending → sent, or pending → failed (with Error).
const (
	Pending Status = "pending"
	Sent    Status = "sent"
	Failed  Status = "failed"
)

// Reasons a pending message is failed without being sent.
const (
	ErrorFlushed         = "flushed"
	ErrorInstanceDeleted = "instance deleted"
	ErrorNotQueued       = "not queued"
)

// Content holds the fields of a message, by type: Text for text; MediaURL
// for the media types; Caption for image, document and video; FileName for
// document. Text and Caption keep their spintax until send time.
type Content struct {
	Text     string `json:"text,omitempty"`
	MediaURL string `json:"mediaUrl,omitempty"`
	Caption  string `json:"caption,omitempty"`
	FileName string `json:"fileName,omitempty"`
}

// Message is one message a tenant asked to send.
type Message struct {
	ID        string
	Tenant    string
	Instance  string
	Lane      lane.Lane
	To        string
	Type      Type
	Content   Content
	Status    Status
	Error     string
	CreatedAt time.Time
	SentAt    time.Time // zero unless sent
	// DeliveredAt and ReadAt come from the recipient's receipts (zero
	// until one arrives). They add to status sent rather than replace it,
	// so clients that know only pending, sent and failed keep working.
	DeliveredAt time.Time
	ReadAt      time.Time
}
