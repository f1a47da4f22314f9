package whatsapptest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

const phoneD = "5491144443333"

// participantsOf lists info's participants as number → role ("" for a
// plain member), and those with an error as number → error code.
func participantsOf(info *types.GroupInfo) (roles map[string]string, failed map[string]int) {
	roles, failed = map[string]string{}, map[string]int{}
	for _, p := range info.Participants {
		switch {
		case p.Error != 0:
			failed[p.JID.User] = p.Error
		case p.IsSuperAdmin:
			roles[p.PhoneNumber.User] = "superadmin"
		case p.IsAdmin:
			roles[p.PhoneNumber.User] = "admin"
		default:
			roles[p.PhoneNumber.User] = ""
		}
	}
	return roles, failed
}

// TestCreateGroupByClient: the creator is the superadmin; a number not on
// WhatsApp (404) and one whose privacy keeps it out (403, with an
// invitation) are listed apart; every member's device gets <create>.
func TestCreateGroupByClient(t *testing.T) {
	s := NewServer(t)
	c, _ := link(t, s, phoneA)
	s.NotOnWhatsApp(phoneC)
	s.SetProfile(phoneD, Profile{NoGroupAdds: true})
	ctx := context.Background()

	info, err := c.CreateGroup(ctx, whatsmeow.ReqCreateGroup{Name: "Ventas",
		Participants: []types.JID{pn(phoneB), pn(phoneC), pn(phoneD)}})
	require.NoError(t, err)
	require.Equal(t, "Ventas", info.Name)
	require.Regexp(t, `^120363\d{12}$`, info.JID.User)
	require.Equal(t, pn(phoneA), info.OwnerJID)
	roles, failed := participantsOf(info)
	require.Equal(t, map[string]string{phoneA: "superadmin", phoneB: ""}, roles)
	require.Equal(t, map[string]int{phoneC: 404, phoneD: 403}, failed)
	for _, p := range info.Participants {
		if p.JID.User == phoneD {
			require.NotNil(t, p.AddRequest, "a 403 comes with the invitation sent instead")
		}
	}

	joined := next[*events.JoinedGroup](t, c)
	require.Equal(t, info.JID, joined.JID)
	require.Equal(t, "new", joined.Type)
	require.Equal(t, pn(phoneA), *joined.Sender)
	require.Len(t, joined.Participants, 2)

	st, ok := s.Group(info.JID)
	require.True(t, ok)
	require.Equal(t, []string{phoneA, phoneB}, st.Members)

	_, err = c.CreateGroup(ctx, whatsmeow.ReqCreateGroup{Name: ""})
	require.ErrorIs(t, err, whatsmeow.ErrIQNotAcceptable, "a group needs a subject")
}

// TestGroupQueries: joined groups, and WhatsApp's errors for a group that
// does not exist (404) or that the account is not in (403).
func TestGroupQueries(t *testing.T) {
	s := NewServer(t)
	c, _ := link(t, s, phoneA)
	ours, err := s.CreateGroup(groupID, "Ventas", phoneB, phoneA)
	require.NoError(t, err)
	others, err := s.CreateGroup("120363000000000009", "Not ours", phoneB, phoneC)
	require.NoError(t, err)
	ctx := context.Background()

	groups, err := c.GetJoinedGroups(ctx)
	require.NoError(t, err)
	require.Len(t, groups, 1)
	require.Equal(t, ours, groups[0].JID)
	require.Len(t, groups[0].Participants, 2)

	unknown := types.NewJID("120363000000000000", types.GroupServer)
	for _, tt := range []struct {
		name string
		do   func(types.JID) error
	}{
		{"subject", func(g types.JID) error { return c.SetGroupName(ctx, g, "x") }},
		{"announce", func(g types.JID) error { return c.SetGroupAnnounce(ctx, g, true) }},
		{"add", func(g types.JID) error {
			_, err := c.UpdateGroupParticipants(ctx, g, []types.JID{pn(phoneC)}, whatsmeow.ParticipantChangeAdd)
			return err
		}},
		{"invite", func(g types.JID) error { _, err := c.GetGroupInviteLink(ctx, g, false); return err }},
		{"leave", func(g types.JID) error { return c.LeaveGroup(ctx, g) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.do(unknown), whatsmeow.ErrIQNotFound)
			require.ErrorIs(t, tt.do(others), whatsmeow.ErrIQForbidden)
		})
	}
}

// TestParticipantChanges: a plain member may not change participants
// (401) until promoted; then each number gets its own outcome, and every
// change reaches the member's device as a group notification.
func TestParticipantChanges(t *testing.T) {
	s := NewServer(t)
	c, _ := link(t, s, phoneA)
	g, err := s.CreateGroup(groupID, "Ventas", phoneB, phoneA)
	require.NoError(t, err)
	s.NotOnWhatsApp(phoneD)
	ctx := context.Background()
	add := func(numbers ...string) ([]types.GroupParticipant, error) {
		jids := make([]types.JID, len(numbers))
		for i, n := range numbers {
			jids[i] = pn(n)
		}
		return c.UpdateGroupParticipants(ctx, g, jids, whatsmeow.ParticipantChangeAdd)
	}

	_, err = add(phoneC)
	require.ErrorIs(t, err, whatsmeow.ErrIQNotAuthorized, "only admins add in a group created on a phone")

	require.NoError(t, s.ChangeParticipants(ctx, g, phoneB, GroupPromote, phoneA))
	promoted := next[*events.GroupInfo](t, c)
	require.Equal(t, g, promoted.JID)
	require.Equal(t, []types.JID{pn(phoneA)}, promoted.Promote)
	require.Equal(t, pn(phoneB), *promoted.Sender)

	got, err := add(phoneC, phoneD, phoneB)
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Zero(t, got[0].Error)
	require.Equal(t, s.LID(phoneC), got[0].LID)
	require.Equal(t, 404, got[1].Error, "not on WhatsApp")
	require.Equal(t, 409, got[2].Error, "already in the group")
	added := next[*events.GroupInfo](t, c)
	require.Equal(t, []types.JID{pn(phoneC)}, added.Join, "only who was added")
	require.Equal(t, pn(phoneA), *added.Sender, "the acting device hears of its own change")

	got, err = c.UpdateGroupParticipants(ctx, g, []types.JID{pn(phoneC), pn("5491100000000")}, whatsmeow.ParticipantChangeRemove)
	require.NoError(t, err)
	require.Zero(t, got[0].Error)
	require.Equal(t, 404, got[1].Error, "not a participant")
	require.Equal(t, []types.JID{pn(phoneC)}, next[*events.GroupInfo](t, c).Leave)

	st, _ := s.Group(g)
	require.Equal(t, []string{phoneB, phoneA}, st.Members)
	require.Equal(t, map[string]string{phoneB: "superadmin", phoneA: "admin"}, st.Roles)

	require.NoError(t, s.RemoveFromGroup(ctx, g, phoneB, phoneA))
	require.Equal(t, []types.JID{pn(phoneA)}, next[*events.GroupInfo](t, c).Leave, "the removed hear it")
	_, err = c.GetGroupInfo(ctx, g)
	require.ErrorIs(t, err, whatsmeow.ErrNotInGroup)
}

// TestGroupSettings: subject and description by any member unless the
// group is locked, announce and locked by admins only; each change is
// notified and shows in the group's info.
func TestGroupSettings(t *testing.T) {
	s := NewServer(t)
	c, _ := link(t, s, phoneA)
	g, err := s.CreateGroup(groupID, "Ventas", phoneB, phoneA)
	require.NoError(t, err)
	ctx := context.Background()

	require.NoError(t, c.SetGroupName(ctx, g, "Ventas 2026"))
	require.Equal(t, "Ventas 2026", next[*events.GroupInfo](t, c).Name.Name)
	require.NoError(t, c.SetGroupTopic(ctx, g, "", "", "Pedidos y envíos"))
	require.Equal(t, "Pedidos y envíos", next[*events.GroupInfo](t, c).Topic.Topic)
	require.NoError(t, c.SetGroupTopic(ctx, g, "", "", "Solo pedidos"))
	require.Equal(t, "Solo pedidos", next[*events.GroupInfo](t, c).Topic.Topic, "a change on top of the last one")
	require.ErrorIs(t, c.SetGroupTopic(ctx, g, "stale", "", "x"), &whatsmeow.IQError{Code: 409, Text: "conflict"})
	require.ErrorIs(t, c.SetGroupAnnounce(ctx, g, true), whatsmeow.ErrIQNotAuthorized)
	require.ErrorIs(t, c.SetGroupLocked(ctx, g, true), whatsmeow.ErrIQNotAuthorized)

	require.NoError(t, s.SetGroupLocked(ctx, g, phoneB, true))
	require.True(t, next[*events.GroupInfo](t, c).Locked.IsLocked)
	require.ErrorIs(t, c.SetGroupName(ctx, g, "mine"), whatsmeow.ErrIQNotAuthorized, "locked: admins only")

	require.NoError(t, s.ChangeParticipants(ctx, g, phoneB, GroupPromote, phoneA))
	next[*events.GroupInfo](t, c)
	require.NoError(t, c.SetGroupAnnounce(ctx, g, true))
	require.True(t, next[*events.GroupInfo](t, c).Announce.IsAnnounce)
	require.NoError(t, c.SetGroupTopic(ctx, g, "", "", ""))
	require.True(t, next[*events.GroupInfo](t, c).Topic.TopicDeleted)
	require.ErrorIs(t, c.SetGroupName(ctx, g, string(make([]byte, 101))), whatsmeow.ErrIQNotAcceptable)

	info, err := c.GetGroupInfo(ctx, g)
	require.NoError(t, err)
	require.Equal(t, "Ventas 2026", info.Name)
	require.Empty(t, info.Topic)
	require.True(t, info.IsAnnounce)
	require.True(t, info.IsLocked)
}

// TestInviteLinks: admins get the link, revoking it makes a new one; a
// revoked code is 410 and an unknown one 406; joining notifies the joiner
// with the group and the members with an add.
func TestInviteLinks(t *testing.T) {
	s := NewServer(t)
	a, _ := link(t, s, phoneA)
	b, _ := link(t, s, phoneB)
	g, err := s.CreateGroup(groupID, "Ventas", phoneA, phoneC)
	require.NoError(t, err)
	ctx := context.Background()

	link1, err := a.GetGroupInviteLink(ctx, g, false)
	require.NoError(t, err)
	require.Regexp(t, `^https://chat\.whatsapp\.com/[A-Za-z0-9]{22}$`, link1)
	again, err := a.GetGroupInviteLink(ctx, g, false)
	require.NoError(t, err)
	require.Equal(t, link1, again, "the same until revoked")
	link2, err := a.GetGroupInviteLink(ctx, g, true)
	require.NoError(t, err)
	require.NotEqual(t, link1, link2)

	_, err = b.JoinGroupWithLink(ctx, link1)
	require.ErrorIs(t, err, whatsmeow.ErrInviteLinkRevoked)
	_, err = b.JoinGroupWithLink(ctx, "https://chat.whatsapp.com/AAAAAAAAAAAAAAAAAAAAAA")
	require.ErrorIs(t, err, whatsmeow.ErrInviteLinkInvalid)
	preview, err := b.GetGroupInfoFromLink(ctx, link2)
	require.NoError(t, err)
	require.Equal(t, "Ventas", preview.Name)

	joined, err := b.JoinGroupWithLink(ctx, link2)
	require.NoError(t, err)
	require.Equal(t, g, joined)
	jg := next[*events.JoinedGroup](t, b)
	require.Equal(t, "invite", jg.Reason)
	require.Equal(t, g, jg.JID)
	add := next[*events.GroupInfo](t, a)
	require.Equal(t, []types.JID{pn(phoneB)}, add.Join)
	require.Equal(t, "invite", add.JoinReason)

	_, err = b.GetGroupInviteLink(ctx, g, false)
	require.ErrorIs(t, err, whatsmeow.ErrGroupInviteLinkUnauthorized, "a plain member")

	require.NoError(t, b.LeaveGroup(ctx, g))
	require.Equal(t, []types.JID{pn(phoneB)}, next[*events.GroupInfo](t, a).Leave)
	require.Equal(t, []types.JID{pn(phoneB)}, next[*events.GroupInfo](t, b).Leave, "the leaver's own devices too")
	require.NoError(t, s.LeaveGroup(ctx, g, phoneC), "a member leaves from their phone")
	left := next[*events.GroupInfo](t, a)
	require.Equal(t, []types.JID{pn(phoneC)}, left.Leave)
	require.Equal(t, pn(phoneC), *left.Sender)
	st, _ := s.Group(g)
	require.Equal(t, []string{phoneA}, st.Members)
	code, err := s.InviteCode(g, phoneA)
	require.NoError(t, err)
	require.Equal(t, link2, whatsmeow.InviteLinkPrefix+code, "the code an admin shares is the current one")
}
