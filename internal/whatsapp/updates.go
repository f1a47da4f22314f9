package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

// Updates: what someone else did to a message (reacted, edited, deleted
// for everyone, voted in a poll). They arrive as messages of their own;
// each names the message it concerns by its WhatsApp id.

// pollDecrypter opens poll votes; *whatsmeow.Client has the method. It
// needs the poll's message secret, which whatsmeow keeps for the polls
// this device sent (and for those it received).
type pollDecrypter interface {
	DecryptPollVote(ctx context.Context, vote *events.Message) (*waE2E.PollVoteMessage, error)
}

// isUpdate reports whether a message is an update rather than content:
// such messages never become message.received.
func isUpdate(evt *events.Message) bool {
	m := evt.Message
	if evt.IsEdit || m.GetReactionMessage() != nil || m.GetPollUpdateMessage() != nil {
		return true
	}
	switch m.GetProtocolMessage().GetType() {
	case waE2E.ProtocolMessage_REVOKE, waE2E.ProtocolMessage_MESSAGE_EDIT:
		return m.GetProtocolMessage() != nil
	}
	return false
}

// update maps an update (isUpdate) for the host; ok is false for the ones
// not forwarded: our own, in status or channels, from a system sender,
// without the message they concern, and votes that cannot be decrypted
// (a poll this device did not see). An error leaves it unacknowledged.
func update(ctx context.Context, evt *events.Message, lids lidResolver, votes pollDecrypter) (u driver.Update, ok bool, err error) {
	info := evt.Info
	if info.IsFromMe || !forwardedChat(info.MessageSource) {
		return driver.Update{}, false, nil
	}
	m := evt.Message
	switch {
	case m.GetReactionMessage() != nil:
		x := m.GetReactionMessage()
		u = driver.Update{Kind: driver.Reacted, MessageID: x.GetKey().GetID(), Emoji: x.GetText()}
	case m.GetPollUpdateMessage() != nil:
		u = driver.Update{Kind: driver.Voted, MessageID: m.GetPollUpdateMessage().GetPollCreationMessageKey().GetID()}
		if votes == nil {
			return driver.Update{}, false, nil
		}
		vote, err := votes.DecryptPollVote(ctx, evt)
		if err != nil {
			return driver.Update{}, false, voteError(err)
		}
		u.OptionHashes = vote.GetSelectedOptions()
	case m.GetProtocolMessage().GetType() == waE2E.ProtocolMessage_REVOKE && m.GetProtocolMessage() != nil:
		u = driver.Update{Kind: driver.Revoked, MessageID: m.GetProtocolMessage().GetKey().GetID()}
	case m.GetProtocolMessage().GetType() == waE2E.ProtocolMessage_MESSAGE_EDIT:
		x := m.GetProtocolMessage()
		u = driver.Update{Kind: driver.Edited, MessageID: x.GetKey().GetID(), Text: editedText(x.GetEditedMessage())}
	default:
		return driver.Update{}, false, nil // an edit of something else than a message (a poll, an event)
	}
	if u.MessageID == "" {
		return driver.Update{}, false, nil
	}
	src, ok, err := source(ctx, info.MessageSource, lids)
	if err != nil || !ok {
		return driver.Update{}, false, err
	}
	u.From, u.Chat, u.IsGroup, u.Timestamp = src.from, src.chat, src.isGroup, info.Timestamp.UTC()
	return u, true, nil
}

// errVoteUnreadable: a vote that redelivery cannot make readable (a poll
// this device does not know, a vote not encrypted for it).
var errVoteUnreadable = errors.New("poll vote cannot be decrypted")

// secretLookupText is how whatsmeow's error starts when reading a poll's
// secret from its store failed: it has no sentinel for it.
const secretLookupText = "failed to get original message secret key"

// voteError sorts a vote decryption failure: a store failure is returned
// as it is (the vote is delivered again), anything else is
// errVoteUnreadable (acknowledged and dropped: it would fail forever).
func voteError(err error) error {
	if strings.Contains(err.Error(), secretLookupText) && !errors.Is(err, whatsmeow.ErrOriginalMessageSecretNotFound) {
		return fmt.Errorf("read a poll's secret: %w", err)
	}
	return fmt.Errorf("%w: %w", errVoteUnreadable, err)
}

// editedText is the new text of an edited message, or its new caption.
func editedText(m *waE2E.Message) string {
	switch {
	case m.GetConversation() != "":
		return m.GetConversation()
	case m.GetExtendedTextMessage() != nil:
		return m.GetExtendedTextMessage().GetText()
	case m.GetImageMessage() != nil:
		return m.GetImageMessage().GetCaption()
	case m.GetVideoMessage() != nil:
		return m.GetVideoMessage().GetCaption()
	case m.GetDocumentMessage() != nil:
		return m.GetDocumentMessage().GetCaption()
	case m.GetDocumentWithCaptionMessage() != nil:
		return editedText(m.GetDocumentWithCaptionMessage().GetMessage())
	}
	return ""
}
