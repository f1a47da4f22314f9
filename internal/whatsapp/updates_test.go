package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
)

// votes is a pollDecrypter that returns a fixed vote or error.
type votes struct {
	vote *waE2E.PollVoteMessage
	err  error
}

func (v votes) DecryptPollVote(context.Context, *events.Message) (*waE2E.PollVoteMessage, error) {
	return v.vote, v.err
}

func TestUpdate(t *testing.T) {
	const target = "3EB0F00D1234567890ABCD"
	k := &waCommon.MessageKey{RemoteJID: proto.String(sender + "@s.whatsapp.net"), ID: proto.String(target)}
	base := driver.Update{From: sender, Chat: sender, MessageID: target, Timestamp: sentAt}
	with := func(f func(*driver.Update)) driver.Update { u := base; f(&u); return u }
	hash := []byte("0123456789abcdef0123456789abcdef")
	lids := lidMap{m: map[string]string{senderLID: sender}}
	tests := []struct {
		name  string
		evt   func() *events.Message
		votes pollDecrypter
		want  driver.Update
		skip  bool  // acknowledged, not forwarded
		err   error // not acknowledged unless errVoteUnreadable
	}{
		{name: "reaction", evt: func() *events.Message {
			return direct(&waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: k, Text: proto.String("👍")}})
		}, want: with(func(u *driver.Update) { u.Kind, u.Emoji = driver.Reacted, "👍" })},
		{name: "reaction removed", evt: func() *events.Message {
			return direct(&waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: k, Text: proto.String("")}})
		}, want: with(func(u *driver.Update) { u.Kind = driver.Reacted })},
		{name: "edit, as phones send it (IsEdit)", evt: func() *events.Message {
			return direct(protocolBuilder.BuildEdit(pnJID(sender), target, &waE2E.Message{Conversation: proto.String("fixed")}))
		}, want: with(func(u *driver.Update) { u.Kind, u.Text = driver.Edited, "fixed" })},
		{name: "edit, bare protocol message", evt: func() *events.Message {
			return direct(&waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Key: k, Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
				EditedMessage: &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("with a link")}}}})
		}, want: with(func(u *driver.Update) { u.Kind, u.Text = driver.Edited, "with a link" })},
		{name: "edited document caption", evt: func() *events.Message {
			return direct(protocolBuilder.BuildEdit(pnJID(sender), target, &waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{
				Message: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: proto.String("v2")}}}}))
		}, want: with(func(u *driver.Update) { u.Kind, u.Text = driver.Edited, "v2" })},
		{name: "revoke", evt: func() *events.Message {
			return direct(&waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Key: k, Type: waE2E.ProtocolMessage_REVOKE.Enum()}})
		}, want: with(func(u *driver.Update) { u.Kind = driver.Revoked })},
		{name: "vote", votes: votes{vote: &waE2E.PollVoteMessage{SelectedOptions: [][]byte{hash}}}, evt: func() *events.Message {
			return direct(&waE2E.Message{PollUpdateMessage: &waE2E.PollUpdateMessage{PollCreationMessageKey: k}})
		}, want: with(func(u *driver.Update) { u.Kind, u.OptionHashes = driver.Voted, [][]byte{hash} })},
		{name: "reaction in a group, sender by LID", evt: func() *events.Message {
			e := direct(&waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: k, Text: proto.String("❤️")}})
			e.Info.Chat, e.Info.IsGroup, e.Info.Sender = types.NewJID(groupID, types.GroupServer), true, lidJID(senderLID)
			return e
		}, want: with(func(u *driver.Update) {
			u.Kind, u.Emoji, u.Chat, u.IsGroup = driver.Reacted, "❤️", groupID+"@g.us", true
		})},
		{name: "vote on a poll this device never saw", skip: true, err: errVoteUnreadable,
			votes: votes{err: fmt.Errorf("failed to decrypt poll vote: %w", whatsmeow.ErrOriginalMessageSecretNotFound)},
			evt: func() *events.Message {
				return direct(&waE2E.Message{PollUpdateMessage: &waE2E.PollUpdateMessage{PollCreationMessageKey: k}})
			}},
		{name: "vote whose secret cannot be read now", skip: true, err: errors.New("retry"),
			votes: votes{err: errors.New("failed to decrypt poll vote: " + secretLookupText + ": database is locked")},
			evt: func() *events.Message {
				return direct(&waE2E.Message{PollUpdateMessage: &waE2E.PollUpdateMessage{PollCreationMessageKey: k}})
			}},
		{name: "own reaction (from the phone)", skip: true, evt: func() *events.Message {
			e := direct(&waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: k, Text: proto.String("👍")}})
			e.Info.IsFromMe = true
			return e
		}},
		{name: "reaction to a status", skip: true, evt: func() *events.Message {
			e := direct(&waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: k, Text: proto.String("👍")}})
			e.Info.Chat = types.StatusBroadcastJID
			return e
		}},
		{name: "revoke without a key", skip: true, evt: func() *events.Message {
			return direct(&waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum()}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.evt()
			require.True(t, isUpdate(e))
			_, isContent, err := inbound(context.Background(), e, lids)
			require.NoError(t, err)
			require.False(t, isContent, "an update is never a message.received")
			got, ok, err := update(context.Background(), e, lids, tt.votes)
			switch {
			case errors.Is(tt.err, errVoteUnreadable):
				require.ErrorIs(t, err, errVoteUnreadable)
			case tt.err != nil:
				require.Error(t, err)
				require.NotErrorIs(t, err, errVoteUnreadable, "retried, not dropped")
			default:
				require.NoError(t, err)
			}
			require.Equal(t, !tt.skip, ok)
			if !tt.skip {
				require.Equal(t, tt.want, got)
			}
		})
	}
}

func TestIsUpdate(t *testing.T) {
	for name, m := range map[string]*waE2E.Message{
		"text":              {Conversation: proto.String("hi")},
		"ephemeral setting": {ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_EPHEMERAL_SETTING.Enum()}},
		"nothing":           {},
	} {
		require.False(t, isUpdate(direct(m)), name)
	}
}
