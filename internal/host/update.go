package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

var _ driver.UpdateEvents = (*Host)(nil)

// Updated implements driver.UpdateEvents: a reaction, an edit, a deletion
// for everyone or a poll vote by someone else becomes its event, stored
// before the driver acknowledges it (an error leaves it unacknowledged,
// and WhatsApp sends it again). In groups it follows receiveGroups, as
// group messages do.
func (h *Host) Updated(inst string, u driver.Update) error {
	ctx, cancel := h.own.callContext(receiptTimeout)
	defer cancel()
	ctx, herr := h.holding(ctx, inst)
	if herr != nil {
		return herr
	}
	if u.IsGroup {
		set, err := h.settingsOf(ctx, inst)
		if err != nil {
			return fmt.Errorf("%s update: read settings: %w", u.Kind, err)
		}
		if !set.ReceiveGroups {
			return nil
		}
	}
	ours, err := h.cfg.Store.SentByWAID(ctx, inst, u.MessageID)
	if err != nil && !errors.Is(err, fault.ErrNotFound) {
		return fmt.Errorf("%s update: look up message: %w", u.Kind, err)
	}
	var id *string
	if err == nil {
		id = &ours.ID
	}
	chat := u.Chat
	if chat == "" {
		chat = u.From
	}
	ts := u.Timestamp.Unix()
	var name events.Name
	var data any
	switch u.Kind {
	case driver.Reacted:
		name, data = events.MessageReaction, events.Reaction{From: u.From, Chat: chat, MessageID: u.MessageID, ID: id,
			Emoji: u.Emoji, Timestamp: ts}
	case driver.Edited:
		name, data = events.MessageEdited, events.Edited{From: u.From, Chat: chat, MessageID: u.MessageID, Text: u.Text, Timestamp: ts}
	case driver.Revoked:
		name, data = events.MessageRevoked, events.Revoked{From: u.From, Chat: chat, MessageID: u.MessageID, Timestamp: ts}
	case driver.Voted:
		selected := u.SelectedOptions
		if len(u.OptionHashes) > 0 {
			selected = message.PollSelected(h.pollOptions(ctx, inst, u.MessageID, ours, id != nil), u.OptionHashes)
		}
		name, data = events.PollVote, events.Vote{From: u.From, Chat: chat, MessageID: u.MessageID, ID: id,
			SelectedOptions: selected, Timestamp: ts}
	default:
		h.log.Warn("update of unknown kind ignored", "instance", inst, "kind", string(u.Kind))
		return nil
	}
	return h.addEvent(inst, name, data)
}

// pollOptions are the options of the poll a vote is for: ours as we sent
// it, or one received and kept. A poll the gateway does not know has none,
// and its vote names no option.
func (h *Host) pollOptions(ctx context.Context, inst, waID string, ours message.Message, isOurs bool) []string {
	if isOurs {
		if p := ours.Content.Poll; p != nil {
			return p.Options
		}
		return nil
	}
	r, err := h.cfg.Store.GetReceived(ctx, inst, waID, h.cfg.Clock.Now())
	if err != nil || len(r.Payload) == 0 {
		return nil
	}
	var data events.Received
	if err := json.Unmarshal(r.Payload, &data); err != nil || data.Poll == nil {
		return nil
	}
	return data.Poll.Options
}
