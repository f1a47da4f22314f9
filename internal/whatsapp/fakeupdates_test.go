package whatsapp

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// Group messages and updates (reactions, edits, deletions for everyone,
// poll votes) from phones, through the fake WhatsApp server.

// TestGroupInboundOnFakeServer: phoneC writes in a group of phoneB, the
// instance and phoneC, twice (the second under the sender key the first
// handed over); the host gets both with the group as the chat.
func TestGroupInboundOnFakeServer(t *testing.T) {
	s := newInboundSetup(t)
	group, err := s.srv.CreateGroup(groupID, "Ventas", phoneB, phoneA, phoneC)
	require.NoError(t, err)
	for i, text := range []string{"hola grupo", "second, same sender key"} {
		id := []string{"3EB0AA01", "3EB0AA02"}[i]
		require.NoError(t, s.srv.DeliverGroup(context.Background(), s.jid, group, whatsapptest.Inbound{ID: id, From: phoneC,
			PushName: "Carla", Message: &waE2E.Message{Conversation: proto.String(text)}}))
		in := s.ev.Expect(t, inst, drivertest.Received).Inbound
		in.Timestamp = time.Time{}
		require.Equal(t, driver.Inbound{MessageID: id, From: phoneC, PushName: "Carla", MessageType: "conversation", Text: text,
			Chat: group.String(), IsGroup: true}, in)
	}
	s.ev.Quiet(t, inst)
}

// key is the message key of a message phoneB's chat with the instance has.
func key(id string, fromMe bool) *waCommon.MessageKey {
	return &waCommon.MessageKey{RemoteJID: proto.String(phoneA + "@s.whatsapp.net"), FromMe: proto.Bool(fromMe), ID: proto.String(id)}
}

func TestUpdatesOnFakeServer(t *testing.T) {
	s := newInboundSetup(t)
	group, err := s.srv.CreateGroup(groupID, "Ventas", phoneB, phoneA, phoneC)
	require.NoError(t, err)
	const target = "3EB0F00D1234567890ABCD"
	direct := driver.Update{From: phoneB, Chat: phoneB, MessageID: target}
	inGroup := driver.Update{From: phoneC, Chat: group.String(), IsGroup: true, MessageID: target}
	with := func(u driver.Update, f func(*driver.Update)) driver.Update { f(&u); return u }
	tests := []struct {
		name  string
		group bool
		msg   *waE2E.Message
		want  driver.Update
	}{
		{name: "reaction", msg: &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: key(target, true), Text: proto.String("👍"),
			SenderTimestampMS: proto.Int64(time.Now().UnixMilli())}},
			want: with(direct, func(u *driver.Update) { u.Kind, u.Emoji = driver.Reacted, "👍" })},
		{name: "reaction removed", msg: &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: key(target, true), Text: proto.String("")}},
			want: with(direct, func(u *driver.Update) { u.Kind = driver.Reacted })},
		{name: "edit", msg: protocolBuilder.BuildEdit(types.NewJID(phoneA, types.DefaultUserServer), target,
			&waE2E.Message{Conversation: proto.String("fixed typo")}),
			want: with(direct, func(u *driver.Update) { u.Kind, u.Text = driver.Edited, "fixed typo" })},
		{name: "edited caption", msg: protocolBuilder.BuildEdit(types.NewJID(phoneA, types.DefaultUserServer), target,
			&waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("new caption")}}),
			want: with(direct, func(u *driver.Update) { u.Kind, u.Text = driver.Edited, "new caption" })},
		{name: "deleted for everyone", msg: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Key: key(target, false),
			Type: waE2E.ProtocolMessage_REVOKE.Enum()}},
			want: with(direct, func(u *driver.Update) { u.Kind = driver.Revoked })},
		{name: "reaction in a group", group: true, msg: &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: &waCommon.MessageKey{
			RemoteJID: proto.String(group.String()), Participant: proto.String(phoneB + "@s.whatsapp.net"), ID: proto.String(target)},
			Text: proto.String("❤️")}},
			want: with(inGroup, func(u *driver.Update) { u.Kind, u.Emoji = driver.Reacted, "❤️" })},
		{name: "deleted in a group", group: true, msg: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Key: &waCommon.MessageKey{
			RemoteJID: proto.String(group.String()), FromMe: proto.Bool(true), ID: proto.String(target)}, Type: waE2E.ProtocolMessage_REVOKE.Enum()}},
			want: with(inGroup, func(u *driver.Update) { u.Kind = driver.Revoked })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := time.Now().Truncate(time.Second)
			var err error
			if tt.group {
				err = s.srv.DeliverGroup(context.Background(), s.jid, group, whatsapptest.Inbound{From: phoneC, Time: at, Message: tt.msg})
			} else {
				err = s.srv.Deliver(context.Background(), s.jid, whatsapptest.Inbound{From: phoneB, Time: at, Message: tt.msg})
			}
			require.NoError(t, err)
			want := tt.want
			want.Timestamp = at.UTC()
			require.Equal(t, want, s.ev.Expect(t, inst, drivertest.Updated).Update)
		})
	}
	s.ev.Quiet(t, inst)
}

// TestPollVoteOnFakeServer: the instance sends a poll; phoneB's phone
// reads it, votes with the poll's secret, and the host gets the hashes of
// the chosen options for the poll's WhatsApp id.
func TestPollVoteOnFakeServer(t *testing.T) {
	s := newInboundSetup(t)
	ctx := context.Background()
	out := driver.Outbound{MessageID: "6f1c9a52-3b7e-4d0a-8e21-5c4b3a29aaaa", To: phoneB, Type: message.Poll,
		Poll: &message.PollContent{Question: "Delivery day?", Options: []string{"Monday", "Tuesday", "Friday"}, SelectableCount: 2}}
	require.NoError(t, s.d.Send(ctx, inst, out))
	sent := s.srv.Sent(s.jid)
	require.Len(t, sent, 1)
	require.NoError(t, sent[0].Err)

	vote, err := s.srv.VotePoll(phoneB, sent[0], "Tuesday", "Friday")
	require.NoError(t, err)
	require.NoError(t, s.srv.Deliver(ctx, s.jid, whatsapptest.Inbound{From: phoneB, Message: vote}))
	u := s.ev.Expect(t, inst, drivertest.Updated).Update
	tuesday, friday := sha256.Sum256([]byte("Tuesday")), sha256.Sum256([]byte("Friday"))
	require.Equal(t, driver.Voted, u.Kind)
	require.Equal(t, MessageID(out.MessageID), u.MessageID, "the poll's WhatsApp id")
	require.Equal(t, [][]byte{tuesday[:], friday[:]}, u.OptionHashes)
	require.Empty(t, u.SelectedOptions, "names are the host's to match")
	require.Equal(t, phoneB, u.From)
	require.Equal(t, phoneB, u.Chat)
	s.ev.Quiet(t, inst)
}

// TestRefusedUpdateIsDeliveredAgain: an update the host refuses is not
// acknowledged, so WhatsApp delivers it again; accepted then, it is.
func TestRefusedUpdateIsDeliveredAgain(t *testing.T) {
	s := newInboundSetup(t)
	in := whatsapptest.Inbound{ID: "3EB0REACT0001", From: phoneB, Message: &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{
		Key: key("3EB0F00D1234567890ABCD", true), Text: proto.String("👍")}}}
	s.ev.RejectUpdated(errors.New("store unavailable"))
	short, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.srv.Deliver(short, s.jid, in), whatsapptest.ErrNotAcknowledged)
	require.Equal(t, "👍", s.ev.Expect(t, inst, drivertest.Updated).Update.Emoji)

	s.ev.RejectUpdated(nil)
	require.NoError(t, s.srv.Deliver(context.Background(), s.jid, in), "acknowledged once the host takes it")
	require.Equal(t, "👍", s.ev.Expect(t, inst, drivertest.Updated).Update.Emoji)
	s.ev.Quiet(t, inst)
}
