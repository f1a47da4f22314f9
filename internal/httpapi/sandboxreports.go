package httpapi

import (
	"errors"
	"fmt"
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

// SandboxReports is what the sandbox's far side does besides writing
// (Sandbox.Inbound): a recipient's phone acknowledging one of our
// messages, and someone reacting, editing, deleting or voting. It is a
// separate interface so that a Sandbox without it still serves the other
// routes; these then answer 404.
type SandboxReports interface {
	// Receipt: messageID is our id of a message the network received
	// from the instance (sandbox.ErrUnknownMessage otherwise).
	Receipt(instance, messageID string, status driver.ReceiptStatus) error
	Update(instance string, u driver.Update) error
}

type (
	sandboxReceiptBody struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	// updateBody is what the reaction, edit, revoke and vote routes
	// read, each from a body type of its own (decodeUpdate), so that a
	// field of another kind is refused as unknown.
	updateBody struct {
		From, MessageID, Chat string
		Emoji                 *string   // reaction: "" removes it, missing is a mistake
		Text                  string    // edit
		Options               *[]string // vote: [] withdraws it, missing is a mistake
	}
	sandboxReactionBody struct {
		From      string  `json:"from"`
		MessageID string  `json:"messageId"`
		Chat      string  `json:"chat"`
		Emoji     *string `json:"emoji"`
	}
	sandboxEditBody struct {
		From      string `json:"from"`
		MessageID string `json:"messageId"`
		Chat      string `json:"chat"`
		Text      string `json:"text"`
	}
	sandboxRevokeBody struct {
		From      string `json:"from"`
		MessageID string `json:"messageId"`
		Chat      string `json:"chat"`
	}
	sandboxVoteBody struct {
		From      string    `json:"from"`
		MessageID string    `json:"messageId"`
		Chat      string    `json:"chat"`
		Options   *[]string `json:"options"`
	}
)

// emptyView is the 200 of the report routes: an object, so that fields
// can be added later without breaking clients.
type emptyView struct{}

// ourIDPattern is the gateway's message ids (UUIDs), as OpenAPI's
// MessageId has them.
var ourIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (a *api) sandboxReportRoutes() {
	a.handle("POST /sandbox/{name}/receipt", a.authed(a.sandboxReceipt))
	for _, kind := range []driver.UpdateKind{driver.Reacted, driver.Edited, driver.Revoked, driver.Voted} {
		a.handle("POST /sandbox/{name}/"+string(kind), a.authed(a.sandboxUpdate(kind)))
	}
}

// reports is the network's far side, or 404 when it has none.
func (a *api) reports() (SandboxReports, error) {
	if rep, ok := a.sandbox.(SandboxReports); ok {
		return rep, nil
	}
	return nil, fault.New(fault.ErrNotFound, "Not found")
}

func (a *api) sandboxReceipt(w http.ResponseWriter, r *http.Request, tenantID string) error {
	rep, err := a.reports()
	if err != nil {
		return err
	}
	var body sandboxReceiptBody
	if err := decode(r, &body); err != nil {
		return err
	}
	var is fault.Issues
	switch {
	case body.ID == "":
		is.Add("Required: the id the send returned", "id")
	case !ourIDPattern.MatchString(body.ID):
		is.Add("Must be a message id the gateway returned (a UUID)", "id")
	}
	status := driver.ReceiptStatus(body.Status)
	if status != driver.Delivered && status != driver.Read {
		is.Add("Must be one of delivered, read", "status")
	}
	if err := is.Err(); err != nil {
		return err
	}
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	if err := rep.Receipt(inst.Name.String(), strings.ToLower(body.ID), status); err != nil {
		return sandboxError(err)
	}
	writeJSON(w, http.StatusOK, emptyView{})
	return nil
}

// sandboxUpdate serves the route of one kind of update. Each kind decodes
// its own body type, so a field of another kind is an unknown field.
func (a *api) sandboxUpdate(kind driver.UpdateKind) tenantHandler {
	return func(w http.ResponseWriter, r *http.Request, tenantID string) error {
		rep, err := a.reports()
		if err != nil {
			return err
		}
		body, err := decodeUpdate(r, kind)
		if err != nil {
			return err
		}
		u, err := updateOf(kind, body)
		if err != nil {
			return err
		}
		inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
		if err != nil {
			return err
		}
		u.Timestamp = a.clock.Now()
		if err := rep.Update(inst.Name.String(), u); err != nil {
			return sandboxError(err)
		}
		writeJSON(w, http.StatusOK, emptyView{})
		return nil
	}
}

// decodeUpdate reads the body of kind's route into the common shape.
func decodeUpdate(r *http.Request, kind driver.UpdateKind) (updateBody, error) {
	var u updateBody
	var err error
	switch kind {
	case driver.Reacted:
		var b sandboxReactionBody
		err = decode(r, &b)
		u = updateBody{From: b.From, MessageID: b.MessageID, Chat: b.Chat, Emoji: b.Emoji}
	case driver.Edited:
		var b sandboxEditBody
		err = decode(r, &b)
		u = updateBody{From: b.From, MessageID: b.MessageID, Chat: b.Chat, Text: b.Text}
	case driver.Revoked:
		var b sandboxRevokeBody
		err = decode(r, &b)
		u = updateBody{From: b.From, MessageID: b.MessageID, Chat: b.Chat}
	case driver.Voted:
		var b sandboxVoteBody
		err = decode(r, &b)
		u = updateBody{From: b.From, MessageID: b.MessageID, Chat: b.Chat, Options: b.Options}
	}
	return u, err
}

// updateOf checks body and makes the update of kind, every issue in one
// 400.
func updateOf(kind driver.UpdateKind, body updateBody) (driver.Update, error) {
	var is fault.Issues
	if !phone.Valid(body.From) {
		is.Add(phone.FormatMessage, "from")
	}
	if !waIDPattern.MatchString(body.MessageID) {
		is.Add(waIDMessage, "messageId")
	}
	if body.Chat != "" && !chat.IsGroup(body.Chat) {
		is.Add(groupMessage, "chat")
	}
	u := driver.Update{Kind: kind, From: body.From, Chat: body.Chat, MessageID: body.MessageID, Text: body.Text}
	switch kind {
	case driver.Reacted:
		switch e := body.Emoji; {
		case e == nil:
			is.Add(`Required ("" removes the reaction)`, "emoji")
		case *e != "" && !message.IsEmoji(*e):
			is.Add(`Must be one emoji, or "" to remove the reaction`, "emoji")
		default:
			u.Emoji = *e
		}
	case driver.Edited:
		if body.Text == "" {
			is.Add("Required: the new text", "text")
		}
	case driver.Voted:
		if body.Options == nil {
			is.Add("Required ([] withdraws the vote)", "options")
			break
		}
		u.SelectedOptions = make([]string, 0, len(*body.Options))
		seen := map[string]bool{}
		for i, o := range *body.Options {
			switch {
			case o == "":
				is.Add("Must not be empty", "options", i)
			case seen[o]:
				is.Add("Listed twice", "options", i)
			}
			seen[o] = true
			u.SelectedOptions = append(u.SelectedOptions, o)
		}
		if len(*body.Options) > message.MaxPollOptions {
			is.Add(fmt.Sprintf("At most %d: no poll has more options", message.MaxPollOptions), "options")
		}
	}
	return u, is.Err()
}

// sandboxError maps what the network refuses to the API's answers; the
// same texts for every sandbox route that reports to the host.
func sandboxError(err error) error {
	switch {
	case errors.Is(err, driver.ErrNotConnected):
		return fault.New(fault.ErrConflict, "Instance is not open")
	case errors.Is(err, sandbox.ErrUnknownMessage):
		return fault.New(fault.ErrNotFound, "No message with this id was sent from this instance (see GET /sandbox/{name}/sent)")
	case errors.Is(err, sandbox.ErrMediaTooLarge):
		return fault.New(fault.ErrTooLarge, "Media larger than WhatsApp allows for its type")
	}
	return err
}
