package drivertest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/driver"
)

// createGroup: the instance creates a group it owns as superadmin, with
// the numbers on WhatsApp; reading it back gives the same group, and the
// creation is not reported as a change.
func createGroup(t *testing.T, s *groupSetup) {
	s.link(t, instA, phoneA)
	absent := s.gp.NotOnWhatsApp()
	g := s.create(t, "Equipo ⚽", phoneB, absent[0], phoneC)
	require.True(t, chat.IsGroup(g.ID), "a group id: %q", g.ID)
	require.Equal(t, "Equipo ⚽", g.Subject)
	require.Equal(t, phoneA, g.Owner, "the creator owns the group")
	require.False(t, g.CreatedAt.IsZero(), "the creation time")
	require.Empty(t, g.Description)
	require.False(t, g.Announce, "everyone sends")
	require.False(t, g.Locked, "everyone edits the info")
	require.Equal(t, members(driver.Participant{Phone: phoneA, Role: driver.SuperAdmin},
		driver.Participant{Phone: phoneB}, driver.Participant{Phone: phoneC}), g.Participants,
		"the creator and the numbers on WhatsApp; %s is left out", absent[0])
	require.Equal(t, g, s.group(t, g.ID), "the group as created is the group as read")

	again := s.create(t, "Equipo ⚽", phoneB)
	require.NotEqual(t, g.ID, again.ID, "every creation is a new group")
	s.gev.QuietGroup(t, instA)
}

// listGroups: Groups lists the groups the instance is in, each as Group
// describes it, and not the groups of others.
func listGroups(t *testing.T, s *groupSetup) {
	s.link(t, instA, phoneA)
	first := s.create(t, "Uno", phoneB)
	second := s.create(t, "Dos", phoneB, phoneC)
	_, err := s.gp.NewGroup(instA, phoneB, "Ajeno", []string{phoneC})
	require.NoError(t, err)

	list, err := s.gd.Groups(context.Background(), instA)
	require.NoError(t, err)
	require.Equal(t, byID(s.group(t, first.ID), s.group(t, second.ID)), byID(list...))
	s.gev.QuietGroup(t, instA)
}

// byID sorts groups by id and their participants by phone.
func byID(gs ...driver.Group) []driver.Group {
	out := make([]driver.Group, 0, len(gs))
	for _, g := range gs {
		out = append(out, sorted(g))
	}
	slices.SortFunc(out, func(a, b driver.Group) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// notInGroup: a group made by others without the instance is
// ErrNoGroup to every operation on it.
func notInGroup(t *testing.T, s *groupSetup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	id, err := s.gp.NewGroup(instA, phoneB, "Ajeno", []string{phoneC})
	require.NoError(t, err)
	require.True(t, chat.IsGroup(id), "a group id: %q", id)

	_, err = s.gd.Group(ctx, instA, id)
	require.ErrorIs(t, err, driver.ErrNoGroup, "Group")
	subject := "Mío"
	require.ErrorIs(t, s.gd.UpdateGroup(ctx, instA, id, driver.GroupChange{Subject: &subject}), driver.ErrNoGroup,
		"UpdateGroup")
	_, err = s.gd.UpdateParticipants(ctx, instA, id, driver.Add, []string{phoneD})
	require.ErrorIs(t, err, driver.ErrNoGroup, "UpdateParticipants")
	_, err = s.gd.InviteLink(ctx, instA, id, false)
	require.ErrorIs(t, err, driver.ErrNoGroup, "InviteLink")
	require.ErrorIs(t, s.gd.LeaveGroup(ctx, instA, id), driver.ErrNoGroup, "LeaveGroup")
	s.gev.QuietGroup(t, instA)
}

// updateGroup: an admin changes every field; each change reaches the
// instance's own events, and Group shows the result.
func updateGroup(t *testing.T, s *groupSetup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	g := s.create(t, "Viejo", phoneB)
	subject, description, on, off, none := "Nuevo 🎉", "Reglas: sin spam", true, false, ""

	require.NoError(t, s.gd.UpdateGroup(ctx, instA, g.ID, driver.GroupChange{Subject: &subject, Description: &description}))
	s.expectUpdate(t, driver.GroupUpdate{Group: g.ID, Subject: subject, Description: description})
	require.NoError(t, s.gd.UpdateGroup(ctx, instA, g.ID, driver.GroupChange{Announce: &on, Locked: &on}))
	s.expectUpdate(t, driver.GroupUpdate{Group: g.ID, Subject: subject, Description: description, Announce: true,
		Locked: true})
	require.NoError(t, s.gd.UpdateGroup(ctx, instA, g.ID, driver.GroupChange{Description: &none, Announce: &off}))
	s.expectUpdate(t, driver.GroupUpdate{Group: g.ID, Subject: subject, Locked: true})

	want := g
	want.Subject, want.Locked = subject, true
	require.Equal(t, want, s.group(t, g.ID))
	s.gev.QuietGroup(t, instA)
}

// notAdmin: a plain member (added by the creator) edits the subject of
// an unlocked group, but WhatsApp refuses the settings, participant
// management, the invite link, and the info once locked; refusals change
// and report nothing. UpdateGroup stops at the first refusal. Removed by
// the creator, the instance is no longer in the group.
func notAdmin(t *testing.T, s *groupSetup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	id, err := s.gp.NewGroup(instA, phoneB, "De Ana", []string{phoneC})
	require.NoError(t, err)
	added := driver.GroupParticipants{Group: id, Action: driver.Add, Participants: []string{phoneA}, By: phoneB}
	require.NoError(t, s.gp.GroupEvent(instA, added))
	s.expectParticipants(t, added)
	g := s.group(t, id)
	require.Equal(t, phoneB, g.Owner)
	require.Equal(t, "De Ana", g.Subject)
	require.Equal(t, members(driver.Participant{Phone: phoneA}, driver.Participant{Phone: phoneB, Role: driver.SuperAdmin},
		driver.Participant{Phone: phoneC}), g.Participants)

	on, subject, other := true, "Cambiado por un miembro", "Otro"
	refused(t, s.gd.UpdateGroup(ctx, instA, id, driver.GroupChange{Announce: &on}), "announce as a member")
	refused(t, s.gd.UpdateGroup(ctx, instA, id, driver.GroupChange{Subject: &subject, Locked: &on}),
		"subject then locked as a member")
	s.expectUpdate(t, driver.GroupUpdate{Group: id, Subject: subject})

	require.NoError(t, s.gp.ChangeGroup(instA, id, phoneB, driver.GroupChange{Locked: &on}))
	s.expectUpdate(t, driver.GroupUpdate{Group: id, Subject: subject, Locked: true})
	refused(t, s.gd.UpdateGroup(ctx, instA, id, driver.GroupChange{Subject: &other}), "subject of a locked group")
	for _, a := range []driver.ParticipantAction{driver.Remove, driver.Promote, driver.Demote} {
		_, err := s.gd.UpdateParticipants(ctx, instA, id, a, []string{phoneC})
		refused(t, err, string(a)+" as a member")
	}
	_, err = s.gd.InviteLink(ctx, instA, id, false)
	refused(t, err, "invite link as a member")
	g.Subject, g.Locked = subject, true
	require.Equal(t, g, s.group(t, id), "only the subject changed")
	s.gev.QuietGroup(t, instA)

	removed := driver.GroupParticipants{Group: id, Action: driver.Remove, Participants: []string{phoneA}, By: phoneB}
	require.NoError(t, s.gp.GroupEvent(instA, removed))
	s.expectParticipants(t, removed)
	_, err = s.gd.Group(ctx, instA, id)
	require.ErrorIs(t, err, driver.ErrNoGroup, "removed from the group")
	s.gev.QuietGroup(t, instA)
}
