package whatsapp

import (
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
)

// reactionMessage reacts to the message out.Reaction names, in out's chat,
// with whatsmeow's BuildReaction: the message's key says whose it is (a
// sender of "" is us: fromMe) and an empty text removes the reaction.
// BuildReaction reads nothing of the client but its own id, to tell our
// messages from others'; the sender we pass already says so, and a nil
// client has no id, so none is needed here.
func reactionMessage(out driver.Outbound, _ media, _ pollBuilder) (*waE2E.Message, error) {
	r := out.Reaction
	if r == nil || r.MessageID == "" {
		return nil, &driver.SendError{Reason: "a reaction needs the message it reacts to"}
	}
	rcpt, ok := chat.Parse(out.To)
	if !ok {
		return nil, &driver.SendError{Reason: InvalidNumber}
	}
	to := types.NewJID(rcpt.User, types.DefaultUserServer)
	if rcpt.Group {
		to = types.NewJID(rcpt.User, types.GroupServer)
	}
	sender := types.EmptyJID
	if r.From != "" {
		sender = types.NewJID(r.From, types.DefaultUserServer)
	}
	return (*whatsmeow.Client)(nil).BuildReaction(to, sender, r.MessageID, r.Emoji), nil
}
