package httpapi

import (
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/phone"
	"github.com/wagateway/wagateway/internal/sandbox"
)

// The body of POST /sandbox/{name}/inbound: what a phone writes. Every
// field past caption is optional and belongs to some kinds only; the
// route refuses what WhatsApp could not carry, because the host would
// otherwise build a message.received its own schema refuses (a 500 for
// a client's mistake).
type (
	inboundBody struct {
		From        string               `json:"from"`
		PushName    string               `json:"pushName"`
		MessageType string               `json:"messageType"`
		Text        string               `json:"text"`
		Caption     string               `json:"caption"`
		Chat        string               `json:"chat"`
		MessageID   string               `json:"messageId"`
		Quoted      *inboundQuoteBody    `json:"quoted"`
		Mentions    []string             `json:"mentions"`
		Media       *inboundMediaBody    `json:"media"`
		Location    *inboundLocationBody `json:"location"`
		Contacts    []inboundContactBody `json:"contacts"`
		Poll        *inboundPollBody     `json:"poll"`
	}
	inboundQuoteBody struct {
		MessageID string `json:"messageId"`
	}
	inboundMediaBody struct {
		Base64   string `json:"base64"`
		Mimetype string `json:"mimetype"`
		FileName string `json:"fileName"`
	}
	// Latitude and longitude are pointers: 0, 0 is a place, a missing one
	// is a mistake.
	inboundLocationBody struct {
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
		Name      string   `json:"name"`
		Address   string   `json:"address"`
	}
	// inboundContactBody has the received shape (message.received's
	// contacts), not the send shape: a card as the sender's phone wrote it.
	inboundContactBody struct {
		FullName     string   `json:"fullName"`
		PhoneNumbers []string `json:"phoneNumbers"`
	}
	// selectableCount is a pointer: a missing one is 1 (a single-choice
	// poll, WhatsApp's default), while 0 means any number of options.
	inboundPollBody struct {
		Question        string   `json:"question"`
		Options         []string `json:"options"`
		SelectableCount *int     `json:"selectableCount"`
	}
)

// inboundTypeList is the messageType values, for the 400's message.
const inboundTypeList = "conversation, imageMessage, documentMessage, audioMessage, videoMessage, " +
	"stickerMessage, locationMessage, contactMessage, pollCreationMessage"

// mediaTypeList names the messageTypes that carry media.
const mediaTypeList = "imageMessage, documentMessage, audioMessage, videoMessage and stickerMessage"

// waIDPattern is what the sandbox accepts as a WhatsApp message id: the
// characters of real ones (and of the ids it makes up), within the
// length the media store can use as a key, since an inbound message's id
// names its stored file.
var waIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

const waIDMessage = "Must be 1 to 128 letters, digits, '_' or '-' (a WhatsApp message id)"

// Limits of what a sandbox phone may write: WhatsApp's own for polls, a
// sane bound elsewhere (the 1 MiB body bounds the rest).
const (
	maxInboundMentions = 50
	maxInboundContacts = 50
)

// groupMessage is the 400 of a chat that is not a group id.
const groupMessage = "Must be a group id (digits, optionally '-' and more digits, then '@g.us', " +
	"e.g. 120363025246125486@g.us); leave it out for the direct chat"

// inboundMessage checks body and makes the message a phone sends. A file
// over its type's limit is 413, the rest is one 400 with every issue.
func inboundMessage(body inboundBody) (driver.Inbound, error) {
	var is fault.Issues
	if !phone.Valid(body.From) {
		is.Add(phone.FormatMessage, "from")
	}
	known, media := sandbox.InboundType(body.MessageType)
	if !known {
		is.Add("Must be one of "+inboundTypeList, "messageType")
	}
	t := body.MessageType
	in := driver.Inbound{From: body.From, PushName: body.PushName, MessageType: t, Text: body.Text,
		Caption: body.Caption, Chat: body.Chat, MessageID: body.MessageID, Mentions: body.Mentions}
	switch {
	case t == "conversation" && body.Text == "":
		is.Add("Required for conversation", "text")
	case known && t != "conversation" && body.Text != "":
		is.Add("Only for conversation (media carry a caption)", "text")
	}
	if body.Caption != "" && known && (!media || t == "stickerMessage") {
		is.Add("Only for imageMessage, documentMessage, audioMessage and videoMessage", "caption")
	}
	if body.Chat != "" && !chat.IsGroup(body.Chat) {
		is.Add(groupMessage, "chat")
	}
	if body.MessageID != "" && !waIDPattern.MatchString(body.MessageID) {
		is.Add(waIDMessage, "messageId")
	}
	if q := body.Quoted; q != nil {
		if !waIDPattern.MatchString(q.MessageID) {
			is.Add(waIDMessage, "quoted", "messageId")
		}
		in.Quoted = &driver.InboundQuote{MessageID: q.MessageID}
	}
	if len(body.Mentions) > maxInboundMentions {
		is.Add(fmt.Sprintf("At most %d", maxInboundMentions), "mentions")
	}
	for i, m := range body.Mentions {
		if !phone.Valid(m) {
			is.Add(phone.FormatMessage, "mentions", i)
		}
	}
	data := inboundFile(&is, body, known, media)
	if known {
		in.Location = inboundPlace(&is, body)
		in.Contacts = inboundCards(&is, body)
		in.Poll = inboundPoll(&is, body)
	}
	if err := is.Err(); err != nil {
		return in, err
	}
	if data != nil {
		if limit, _ := sandbox.MediaLimit(t); int64(len(data)) > limit {
			return in, fault.New(fault.ErrTooLarge, fmt.Sprintf("Media larger than WhatsApp allows for %s (%d bytes)", t, limit))
		}
		m := body.Media
		if m.Mimetype == "" {
			m.Mimetype = http.DetectContentType(data)
		}
		in.Media = sandbox.InboundMedia(data, m.Mimetype, m.FileName)
	}
	return in, nil
}

// inboundFile checks the media field and returns the decoded file (nil
// when there is none, or it is wrong).
func inboundFile(is *fault.Issues, body inboundBody, known, media bool) []byte {
	m := body.Media
	switch {
	case !known:
		return nil
	case media && m == nil:
		is.Add("Required for "+body.MessageType, "media")
		return nil
	case !media && m != nil:
		is.Add("Only for "+mediaTypeList, "media")
		return nil
	case m == nil:
		return nil
	}
	if m.FileName != "" && body.MessageType != "documentMessage" {
		is.Add("Only for documentMessage", "media", "fileName")
	}
	if m.Mimetype != "" {
		if _, _, err := mime.ParseMediaType(m.Mimetype); err != nil || !strings.Contains(m.Mimetype, "/") {
			is.Add("Must be a media type, e.g. image/jpeg", "media", "mimetype")
		}
	}
	if m.Base64 == "" {
		is.Add("Required: the file, base64-encoded", "media", "base64")
		return nil
	}
	data, err := base64.StdEncoding.DecodeString(m.Base64)
	if err != nil {
		is.Add("Must be base64 (standard alphabet, padded)", "media", "base64")
		return nil
	}
	return data
}

// inboundPlace checks the location field of body.
func inboundPlace(is *fault.Issues, body inboundBody) *message.LocationContent {
	l := body.Location
	switch {
	case body.MessageType == "locationMessage" && l == nil:
		is.Add("Required for locationMessage", "location")
		return nil
	case body.MessageType != "locationMessage" && l != nil:
		is.Add("Only for locationMessage", "location")
		return nil
	case l == nil:
		return nil
	}
	out := &message.LocationContent{Name: l.Name, Address: l.Address}
	coordinate := func(v *float64, limit float64, field string) float64 {
		switch {
		case v == nil:
			is.Add("Required", "location", field)
		case *v < -limit || *v > limit:
			is.Add(fmt.Sprintf("Must be between -%g and %g", limit, limit), "location", field)
		default:
			return *v
		}
		return 0
	}
	out.Latitude = coordinate(l.Latitude, 90, "latitude")
	out.Longitude = coordinate(l.Longitude, 180, "longitude")
	return out
}

// inboundCards checks the contacts field of body.
func inboundCards(is *fault.Issues, body inboundBody) []driver.InboundContact {
	cards := body.Contacts
	switch {
	case body.MessageType == "contactMessage" && len(cards) == 0:
		is.Add("Required for contactMessage: at least one card", "contacts")
		return nil
	case body.MessageType != "contactMessage" && cards != nil:
		is.Add("Only for contactMessage", "contacts")
		return nil
	case len(cards) > maxInboundContacts:
		is.Add(fmt.Sprintf("At most %d", maxInboundContacts), "contacts")
		return nil
	}
	out := make([]driver.InboundContact, 0, len(cards))
	for i, c := range cards {
		if strings.TrimSpace(c.FullName) == "" {
			is.Add("Required", "contacts", i, "fullName")
		}
		for j, n := range c.PhoneNumbers {
			if strings.TrimSpace(n) == "" {
				is.Add("Must not be empty", "contacts", i, "phoneNumbers", j)
			}
		}
		out = append(out, driver.InboundContact{FullName: c.FullName, PhoneNumbers: c.PhoneNumbers})
	}
	return out
}

// inboundPoll checks the poll field of body against WhatsApp's limits
// (those of POST /message/poll).
func inboundPoll(is *fault.Issues, body inboundBody) *driver.InboundPoll {
	p := body.Poll
	switch {
	case body.MessageType == "pollCreationMessage" && p == nil:
		is.Add("Required for pollCreationMessage", "poll")
		return nil
	case body.MessageType != "pollCreationMessage" && p != nil:
		is.Add("Only for pollCreationMessage", "poll")
		return nil
	case p == nil:
		return nil
	}
	if strings.TrimSpace(p.Question) == "" {
		is.Add("Required", "poll", "question")
	}
	switch n := len(p.Options); {
	case p.Options == nil:
		is.Add("Required", "poll", "options")
	case n < message.MinPollOptions || n > message.MaxPollOptions:
		is.Add(fmt.Sprintf("Must have %d to %d options", message.MinPollOptions, message.MaxPollOptions), "poll", "options")
	}
	seen := map[string]bool{}
	for i, o := range p.Options {
		switch key := strings.TrimSpace(o); {
		case key == "":
			is.Add("Must not be empty", "poll", "options", i)
		case seen[key]:
			is.Add("Listed twice", "poll", "options", i)
		default:
			seen[key] = true
		}
	}
	out := &driver.InboundPoll{Question: p.Question, Options: p.Options, SelectableCount: 1}
	if c := p.SelectableCount; c != nil {
		out.SelectableCount = *c
		if *c < 0 || *c > len(p.Options) {
			is.Add(fmt.Sprintf("Must be between 0 (any number) and %d (the number of options)", len(p.Options)),
				"poll", "selectableCount")
		}
	}
	return out
}
