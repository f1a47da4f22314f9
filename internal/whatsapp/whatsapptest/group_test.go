package whatsapptest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

const (
	phoneC  = "5491155550000"
	groupID = "120363025246125486"
)

func pn(number string) types.JID { return types.NewJID(number, types.DefaultUserServer) }

func TestGroupInfo(t *testing.T) {
	s := NewServer(t)
	c, _ := link(t, s, phoneA)
	g, err := s.CreateGroup(groupID, "Ventas", phoneB, phoneA)
	require.NoError(t, err)
	require.Equal(t, types.NewJID(groupID, types.GroupServer), g)

	info, err := c.GetGroupInfo(context.Background(), g)
	require.NoError(t, err)
	require.Equal(t, g, info.JID)
	require.Equal(t, "Ventas", info.Name)
	require.Equal(t, pn(phoneB), info.OwnerJID)
	require.Equal(t, types.AddressingModePN, info.AddressingMode)
	require.Len(t, info.Participants, 2)
	for i, number := range []string{phoneB, phoneA} {
		p := info.Participants[i]
		require.Equal(t, pn(number), p.JID)
		require.Equal(t, s.LID(number), p.LID, "the LID rides along, as whatsmeow learns it from group info")
		require.Equal(t, i == 0, p.IsSuperAdmin, "the creator is the superadmin")
	}
}

// TestGroupSend: the members' phones, the sender's own included, get the
// sender key and read every message with it.
func TestGroupSend(t *testing.T) {
	s := NewServer(t)
	c, jid := link(t, s, phoneA)
	g, err := s.CreateGroup(groupID, "Ventas", phoneA, phoneB, phoneC)
	require.NoError(t, err)
	ctx := context.Background()
	texts := []string{"first, with a new sender key", "second, with the same key"}
	for _, text := range texts {
		resp, err := c.SendMessage(ctx, g, &waE2E.Message{Conversation: proto.String(text)})
		require.NoError(t, err)
		require.Equal(t, g, resp.Chat)
	}

	sent := s.Sent(jid)
	require.Len(t, sent, 2)
	for i, m := range sent {
		require.NoError(t, m.Err)
		require.Equal(t, g, m.To)
		require.Empty(t, m.Phone)
		require.Equal(t, "text", m.Type)
		require.Equal(t, texts[i], m.Message.GetConversation())
		require.ElementsMatch(t, []types.JID{pn(phoneA), pn(phoneB), pn(phoneC)}, m.SenderKeyTo,
			"each member's phone, the sender's own too, but not the sending device")
		require.NotZero(t, m.SenderKeyID)
	}
	require.Equal(t, sent[0].SenderKeyID, sent[1].SenderKeyID, "the sender key is reused")
}

func TestGroupSendRefused(t *testing.T) {
	s := NewServer(t)
	c, jid := link(t, s, phoneA)
	others, err := s.CreateGroup(groupID, "Not ours", phoneB, phoneC)
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		to   types.JID
		want error
	}{
		{"unknown group (404)", types.NewJID("120363000000000000", types.GroupServer), whatsmeow.ErrGroupNotFound},
		{"not a member (403)", others, whatsmeow.ErrNotInGroup},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SendMessage(context.Background(), tt.to, &waE2E.Message{Conversation: proto.String("hi")})
			require.ErrorIs(t, err, tt.want)
			require.Empty(t, s.Sent(jid))
		})
	}
}

func TestCreateGroupChecks(t *testing.T) {
	s := NewServer(t)
	s.NotOnWhatsApp(phoneC)
	_, err := s.CreateGroup(groupID, "first", phoneA)
	require.NoError(t, err)
	_, err = s.CreateGroup("5491112345678-1773596760", "older id form", phoneA)
	require.NoError(t, err)
	for _, tt := range []struct {
		name, id string
		members  []string
	}{
		{"taken id", groupID, []string{phoneA}},
		{"no members", "120363000000000001", nil},
		{"not an id", "abc", []string{phoneA}},
		{"with the server", groupID + "@g.us", []string{phoneA}},
		{"two dashes", "1-2-3", []string{phoneA}},
		{"not a number", "120363000000000002", []string{"+5491112345678"}},
		{"not on WhatsApp", "120363000000000003", []string{phoneA, phoneC}},
		{"listed twice", "120363000000000004", []string{phoneA, phoneB, phoneA}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateGroup(tt.id, "x", tt.members...)
			require.Error(t, err)
		})
	}
	_, err = s.CreateGroup(groupID, "again", phoneB)
	require.ErrorIs(t, err, ErrGroupExists)
}
