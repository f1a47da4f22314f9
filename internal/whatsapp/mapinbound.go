package whatsapp

import (
	"context"
	"errors"
	"fmt"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

// Inbound mapping: what whatsmeow receives, as the host forwards it.

// lidResolver finds the phone number behind a LID (whatsmeow's
// store.LIDStore has this method).
type lidResolver interface {
	GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error)
}

// errUnresolvedLID: a sender known only by a LID whose phone number we do
// not know. The message is not acknowledged, so WhatsApp delivers it again
// (by then the mapping usually arrived).
var errUnresolvedLID = errors.New("sender's phone number unknown (LID without mapping)")

// inbound turns a received message into what the host forwards as
// message.received. ok is false for what is not forwarded: our own
// messages, groups, status and channels, edits, and content API.md has no
// messageType for (stickers, reactions, contacts, protocol messages...).
func inbound(ctx context.Context, evt *events.Message, lids lidResolver) (in driver.Inbound, ok bool, err error) {
	info := evt.Info
	if info.IsFromMe || info.IsGroup || evt.IsEdit || !directChat(info.MessageSource) {
		return driver.Inbound{}, false, nil
	}
	kind, text, caption, ok := content(evt.Message)
	if !ok {
		return driver.Inbound{}, false, nil
	}
	from, err := senderPhone(ctx, info.MessageSource, lids)
	if err != nil {
		return driver.Inbound{}, false, err
	}
	if from == "" {
		return driver.Inbound{}, false, nil
	}
	return driver.Inbound{MessageID: info.ID, From: from, PushName: info.PushName, MessageType: kind,
		Text: text, Caption: caption, Timestamp: info.Timestamp.UTC()}, true, nil
}

// directChat: a one-to-one chat, or someone's broadcast list (which shows
// in the direct chat with its sender). Groups, status updates, channels and
// bots are not conversations the API can represent with a phone number.
func directChat(src types.MessageSource) bool {
	switch src.Chat.Server {
	case types.DefaultUserServer, types.HiddenUserServer:
		return true
	case types.BroadcastServer:
		return src.Chat.IsBroadcastList()
	}
	return false
}

// senderPhone is the sender's phone number, also when WhatsApp addressed
// the sender by a LID. "" means a system sender without a number (the
// PSA account), not forwarded.
func senderPhone(ctx context.Context, src types.MessageSource, lids lidResolver) (string, error) {
	pn := src.Sender.ToNonAD()
	if pn.Server == types.HiddenUserServer {
		switch alt := src.SenderAlt.ToNonAD(); {
		case alt.Server == types.DefaultUserServer:
			pn = alt
		case lids == nil:
			return "", errUnresolvedLID
		default:
			got, err := lids.GetPNForLID(ctx, pn)
			if err != nil {
				return "", fmt.Errorf("look up the phone number of a LID: %w", err)
			}
			if got.IsEmpty() {
				return "", errUnresolvedLID
			}
			pn = got.ToNonAD()
		}
	}
	if pn.Server != types.DefaultUserServer {
		return "", fmt.Errorf("sender on unexpected server %q", pn.Server)
	}
	if !digits(pn.User) || pn.User == types.PSAJID.User {
		return "", nil
	}
	return pn.User, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// content names a message as API.md does. whatsmeow has already unwrapped
// ephemeral, view-once and document-with-caption envelopes.
func content(m *waE2E.Message) (kind, text, caption string, ok bool) {
	switch {
	case m == nil:
		return "", "", "", false
	case m.GetConversation() != "":
		return "conversation", m.GetConversation(), "", true
	case m.GetExtendedTextMessage().GetText() != "":
		return "conversation", m.GetExtendedTextMessage().GetText(), "", true
	case m.ImageMessage != nil:
		return "imageMessage", "", m.GetImageMessage().GetCaption(), true
	case m.VideoMessage != nil:
		return "videoMessage", "", m.GetVideoMessage().GetCaption(), true
	case m.DocumentMessage != nil:
		return "documentMessage", "", m.GetDocumentMessage().GetCaption(), true
	case m.AudioMessage != nil:
		return "audioMessage", "", "", true
	}
	return "", "", "", false
}

// receipt turns a receipt for messages this instance sent into the port's
// value; ok is false for the rest (our other devices, groups, retries).
func receipt(evt *events.Receipt) (driver.Receipt, bool) {
	if evt.IsFromMe || evt.IsGroup || len(evt.MessageIDs) == 0 {
		return driver.Receipt{}, false
	}
	var status driver.ReceiptStatus
	switch evt.Type {
	case types.ReceiptTypeDelivered:
		status = driver.Delivered
	case types.ReceiptTypeRead:
		status = driver.Read
	default:
		return driver.Receipt{}, false
	}
	ids := make([]string, len(evt.MessageIDs))
	copy(ids, evt.MessageIDs)
	return driver.Receipt{WAMessageIDs: ids, Status: status, At: evt.Timestamp.UTC()}, true
}
