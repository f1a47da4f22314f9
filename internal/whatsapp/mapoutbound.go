package whatsapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// Outbound mapping: the port's messages as WhatsApp's protobufs, under
// WhatsApp ids derived from ours.

// MessageID derives the WhatsApp message id of one of our messages: "3EB0"
// (what WhatsApp Web's ids start with) and 18 upper-case hex characters of
// SHA-256 of our id. A resend after a crash reuses the id, and WhatsApp
// drops the duplicate. It is the same derivation as host.WAMessageID.
func MessageID(ours string) string {
	sum := sha256.Sum256([]byte(ours))
	return "3EB0" + strings.ToUpper(hex.EncodeToString(sum[:9]))
}

// validMessageID reports whether id has MessageID's shape.
func validMessageID(id string) bool {
	if len(id) != 22 || !strings.HasPrefix(id, "3EB0") {
		return false
	}
	for _, c := range id[4:] {
		if (c < '0' || c > '9') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// outboundID is the WhatsApp id to send out under: the one the host
// derived, or derived here if the host sent none.
func outboundID(out driver.Outbound) string {
	if validMessageID(out.WAMessageID) {
		return out.WAMessageID
	}
	return MessageID(out.MessageID)
}

// uploader stores encrypted media on WhatsApp's media servers
// (*whatsmeow.Client).
type uploader interface {
	Upload(ctx context.Context, plaintext []byte, kind whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
}

// opusVoice is the content type internal/media gives Ogg/Opus, the only
// audio WhatsApp plays as a voice note.
const opusVoice = "audio/ogg; codecs=opus"

// defaultFileName names a document that came without one.
const defaultFileName = "document"

// pollBuilder makes a poll's protobuf (*whatsmeow.Client). whatsmeow
// gives the poll a random message secret; votes come back encrypted with
// it, and SendMessage stores it so that they can be decrypted.
type pollBuilder interface {
	BuildPollCreation(name string, optionNames []string, selectableOptionCount int) *waE2E.Message
}

// messageClient is what building a message needs of the client.
type messageClient interface {
	uploader
	pollBuilder
}

// builder makes the protobuf of one kind. upload is the key domain its
// file is uploaded under; "" for a kind without one.
type builder struct {
	upload whatsmeow.MediaType
	build  func(out driver.Outbound, m media, cli pollBuilder) (*waE2E.Message, error)
}

// builders has one entry for every kind of message.Kinds()
// (TestBuildersCoverEveryKind): a new kind is a new entry.
var builders = map[message.Type]builder{
	message.Text:     {build: textMessage},
	message.Image:    {upload: whatsmeow.MediaImage, build: imageMessage},
	message.Document: {upload: whatsmeow.MediaDocument, build: documentMessage},
	message.Audio:    {upload: whatsmeow.MediaAudio, build: audioMessage},
	message.Video:    {upload: whatsmeow.MediaVideo, build: videoMessage},
	message.Location: {build: locationMessage},
	message.Contact:  {build: contactMessage},
	message.Sticker:  {upload: whatsmeow.MediaImage, build: stickerMessage},
	message.Poll:     {build: pollMessage},
	message.Reaction: {build: reactionMessage},
}

// outboundMessage builds the protobuf of out, uploading its media first.
func outboundMessage(ctx context.Context, cli messageClient, out driver.Outbound, now time.Time) (*waE2E.Message, error) {
	b, ok := builders[out.Type]
	if !ok {
		return nil, &driver.SendError{Reason: fmt.Sprintf("unsupported message type %q", out.Type)}
	}
	if b.upload == "" {
		return b.build(out, media{}, cli)
	}
	if len(out.Media) == 0 {
		return nil, &driver.SendError{Reason: "empty media"}
	}
	res, err := cli.Upload(ctx, out.Media, b.upload)
	if err != nil {
		return nil, fmt.Errorf("upload %s: %w", out.Type, err)
	}
	return b.build(out, media{mimetype: out.ContentType, up: res, at: now.Unix()}, cli)
}

func textMessage(out driver.Outbound, _ media, _ pollBuilder) (*waE2E.Message, error) {
	if out.Text == "" {
		return nil, &driver.SendError{Reason: "empty text"}
	}
	if ci := mentionContext(out); ci != nil {
		// Mentions need the extended form; a plain text stays a
		// Conversation, as WhatsApp's own clients send it.
		return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(out.Text), ContextInfo: ci}}, nil
	}
	return &waE2E.Message{Conversation: proto.String(out.Text)}, nil
}

func imageMessage(out driver.Outbound, m media, _ pollBuilder) (*waE2E.Message, error) {
	return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{URL: m.url(), DirectPath: m.path(),
		Mimetype: m.mime(), Caption: optional(out.Caption), MediaKey: m.up.MediaKey, FileEncSHA256: m.up.FileEncSHA256,
		FileSHA256: m.up.FileSHA256, FileLength: m.length(), MediaKeyTimestamp: m.timestamp(),
		ViewOnce: viewOnce(out), ContextInfo: mentionContext(out)}}, nil
}

func videoMessage(out driver.Outbound, m media, _ pollBuilder) (*waE2E.Message, error) {
	return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{URL: m.url(), DirectPath: m.path(),
		Mimetype: m.mime(), Caption: optional(out.Caption), MediaKey: m.up.MediaKey, FileEncSHA256: m.up.FileEncSHA256,
		FileSHA256: m.up.FileSHA256, FileLength: m.length(), MediaKeyTimestamp: m.timestamp(),
		ViewOnce: viewOnce(out), ContextInfo: mentionContext(out)}}, nil
}

// audioMessage sends Ogg/Opus as a voice note (PTT), anything else as a
// file to play.
func audioMessage(out driver.Outbound, m media, _ pollBuilder) (*waE2E.Message, error) {
	return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{URL: m.url(), DirectPath: m.path(),
		Mimetype: m.mime(), PTT: proto.Bool(out.ContentType == opusVoice), MediaKey: m.up.MediaKey,
		FileEncSHA256: m.up.FileEncSHA256, FileSHA256: m.up.FileSHA256, FileLength: m.length(),
		MediaKeyTimestamp: m.timestamp()}}, nil
}

func documentMessage(out driver.Outbound, m media, _ pollBuilder) (*waE2E.Message, error) {
	name := out.FileName
	if name == "" {
		name = defaultFileName
	}
	caption := optional(out.Caption)
	doc := &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{URL: m.url(), DirectPath: m.path(),
		Mimetype: m.mime(), FileName: proto.String(name), Title: proto.String(name), Caption: caption,
		MediaKey: m.up.MediaKey, FileEncSHA256: m.up.FileEncSHA256, FileSHA256: m.up.FileSHA256,
		FileLength: m.length(), MediaKeyTimestamp: m.timestamp(), ContextInfo: mentionContext(out)}}
	if caption != nil {
		// How WhatsApp's own clients send a captioned document.
		return &waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: doc}}, nil
	}
	return doc, nil
}

// media is an uploaded file as the message fields want it.
type media struct {
	mimetype string
	up       whatsmeow.UploadResponse
	at       int64
}

func (m media) url() *string      { return proto.String(m.up.URL) }
func (m media) path() *string     { return proto.String(m.up.DirectPath) }
func (m media) mime() *string     { return proto.String(m.mimetype) }
func (m media) length() *uint64   { return proto.Uint64(m.up.FileLength) }
func (m media) timestamp() *int64 { return proto.Int64(m.at) }

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return proto.String(s)
}
