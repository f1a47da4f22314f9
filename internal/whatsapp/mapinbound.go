package whatsapp

import (
	"context"
	"errors"
	"fmt"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

// Inbound mapping: what whatsmeow receives, as the host forwards it. The
// kinds and their fields are in inboundkinds.go, quotes and mentions in
// inboundcontext.go, reactions, edits, deletions and votes in updates.go.

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
// messages, status and channels, updates (updates.go), and content API.md
// has no messageType for (protocol messages, calls, ...). Group messages
// are forwarded: whether the instance wants them is the host's setting.
func inbound(ctx context.Context, evt *events.Message, lids lidResolver) (in driver.Inbound, ok bool, err error) {
	info := evt.Info
	if info.IsFromMe || isUpdate(evt) || !forwardedChat(info.MessageSource) {
		return driver.Inbound{}, false, nil
	}
	in, ok = content(evt.Message)
	if !ok {
		return driver.Inbound{}, false, nil
	}
	src, ok, err := source(ctx, info.MessageSource, lids)
	if err != nil || !ok {
		return driver.Inbound{}, false, err
	}
	if err = readContext(ctx, evt.Message, lids, &in); err != nil {
		return driver.Inbound{}, false, err
	}
	in.MessageID, in.PushName, in.Timestamp = info.ID, info.PushName, info.Timestamp.UTC()
	in.From, in.Chat, in.IsGroup = src.from, src.chat, src.isGroup
	return in, true, nil
}

// forwardedChat: a one-to-one chat, a group, or someone's broadcast list
// (which shows in the direct chat with its sender). Status updates,
// channels and bots are not conversations the API represents.
func forwardedChat(src types.MessageSource) bool {
	switch src.Chat.Server {
	case types.DefaultUserServer, types.HiddenUserServer, types.GroupServer:
		return true
	case types.BroadcastServer:
		return src.Chat.IsBroadcastList()
	}
	return false
}

// origin is who wrote a message and where, as the port names them.
type origin struct {
	from    string // the sender's phone number
	chat    string // from in a direct chat, the group id (…@g.us) in a group
	isGroup bool
}

// source reads the origin of a message or update; ok is false for a
// system sender without a number (not forwarded).
func source(ctx context.Context, src types.MessageSource, lids lidResolver) (o origin, ok bool, err error) {
	from, err := senderPhone(ctx, src, lids)
	if err != nil || from == "" {
		return origin{}, false, err
	}
	o = origin{from: from, chat: from}
	if src.Chat.Server == types.GroupServer {
		o.chat, o.isGroup = src.Chat.ToNonAD().String(), true
	}
	return o, true, nil
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

// userPhone is the phone number of a user JID given in a message (a
// quoted sender, a mention): "" when it names no user or a LID whose
// number we do not know. Only a failing LID store is an error.
func userPhone(ctx context.Context, jidText string, lids lidResolver) (string, error) {
	jid, err := types.ParseJID(jidText)
	if err != nil {
		return "", nil
	}
	jid = jid.ToNonAD()
	if jid.Server == types.HiddenUserServer && lids != nil {
		got, err := lids.GetPNForLID(ctx, jid)
		if err != nil {
			return "", fmt.Errorf("look up the phone number of a LID: %w", err)
		}
		jid = got.ToNonAD()
	}
	if jid.Server != types.DefaultUserServer || !digits(jid.User) {
		return "", nil
	}
	return jid.User, nil
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
