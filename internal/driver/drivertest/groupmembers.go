package drivertest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
)

// manageParticipants: an admin adds, promotes, demotes and removes; each
// number has its outcome in the order asked, and the numbers changed are
// reported as the instance's own change.
func manageParticipants(t *testing.T, s *groupSetup) {
	s.link(t, instA, phoneA)
	g := s.create(t, "Equipo", phoneB)
	absent := s.gp.NotOnWhatsApp()[0]
	steps := []struct {
		action  driver.ParticipantAction
		phones  []string
		want    []driver.ParticipantStatus
		changed []string // reported, by the instance
	}{
		{driver.Add, []string{phoneC, absent, phoneB},
			[]driver.ParticipantStatus{driver.ParticipantOK, driver.NotOnWhatsApp, driver.ParticipantRefused}, []string{phoneC}},
		{driver.Promote, []string{phoneC}, []driver.ParticipantStatus{driver.ParticipantOK}, []string{phoneC}},
		{driver.Demote, []string{phoneD, phoneC}, []driver.ParticipantStatus{driver.ParticipantRefused, driver.ParticipantOK},
			[]string{phoneC}},
		{driver.Remove, []string{phoneB, phoneD}, []driver.ParticipantStatus{driver.ParticipantOK, driver.ParticipantRefused},
			[]string{phoneB}},
		{driver.Remove, []string{phoneD}, []driver.ParticipantStatus{driver.ParticipantRefused}, nil},
	}
	for _, st := range steps {
		res, err := s.gd.UpdateParticipants(context.Background(), instA, g.ID, st.action, st.phones)
		require.NoError(t, err, "%s %v", st.action, st.phones)
		checkResults(t, st.phones, st.want, res)
		if st.changed != nil {
			s.expectParticipants(t, driver.GroupParticipants{Group: g.ID, Action: st.action, Participants: st.changed,
				By: phoneA})
		}
		if st.action == driver.Promote {
			require.Contains(t, s.group(t, g.ID).Participants, driver.Participant{Phone: phoneC, Role: driver.Admin})
		}
	}
	require.Equal(t, members(driver.Participant{Phone: phoneA, Role: driver.SuperAdmin}, driver.Participant{Phone: phoneC}),
		s.group(t, g.ID).Participants)
	s.gev.QuietGroup(t, instA)
}

// checkResults compares per-number outcomes: the numbers in the order
// asked, their statuses, and a reason on every refusal (only there).
func checkResults(t *testing.T, phones []string, want []driver.ParticipantStatus, got []driver.ParticipantResult) {
	t.Helper()
	require.Len(t, got, len(phones), "one result per number: %v", got)
	for i, r := range got {
		require.Equal(t, phones[i], r.Phone, "result %d", i)
		require.Equal(t, want[i], r.Status, "status of %s", r.Phone)
		if r.Status == driver.ParticipantRefused {
			require.NotEmpty(t, r.Error, "why %s was refused", r.Phone)
		}
		if r.Status == driver.ParticipantOK {
			require.Empty(t, r.Error, "%s went through", r.Phone)
		}
	}
}

// changesByOthers: what another admin does to the instance's group
// reaches the instance, naming who did it, and Group shows it.
func changesByOthers(t *testing.T, s *groupSetup) {
	s.link(t, instA, phoneA)
	g := s.create(t, "Familia", phoneB, phoneC)
	res, err := s.gd.UpdateParticipants(context.Background(), instA, g.ID, driver.Promote, []string{phoneB})
	require.NoError(t, err)
	checkResults(t, []string{phoneB}, []driver.ParticipantStatus{driver.ParticipantOK}, res)
	s.expectParticipants(t, driver.GroupParticipants{Group: g.ID, Action: driver.Promote, Participants: []string{phoneB},
		By: phoneA})

	for _, e := range []driver.GroupParticipants{
		{Group: g.ID, Action: driver.Add, Participants: []string{phoneD}, By: phoneB},
		{Group: g.ID, Action: driver.Promote, Participants: []string{phoneC, phoneD}, By: phoneB},
		{Group: g.ID, Action: driver.Demote, Participants: []string{phoneC}, By: phoneB},
		{Group: g.ID, Action: driver.Remove, Participants: []string{phoneD}, By: phoneB},
	} {
		require.NoError(t, s.gp.GroupEvent(instA, e), "%s %v", e.Action, e.Participants)
		s.expectParticipants(t, e)
	}
	subject, description, on := "Familia 🏡", "Cumpleaños y asados", true
	require.NoError(t, s.gp.ChangeGroup(instA, g.ID, phoneB, driver.GroupChange{Subject: &subject, Description: &description}))
	s.expectUpdate(t, driver.GroupUpdate{Group: g.ID, Subject: subject, Description: description})
	require.NoError(t, s.gp.ChangeGroup(instA, g.ID, phoneB, driver.GroupChange{Announce: &on}))
	s.expectUpdate(t, driver.GroupUpdate{Group: g.ID, Subject: subject, Description: description, Announce: true})

	want := g
	want.Subject, want.Description, want.Announce = subject, description, true
	want.Participants = members(driver.Participant{Phone: phoneA, Role: driver.SuperAdmin},
		driver.Participant{Phone: phoneB, Role: driver.Admin}, driver.Participant{Phone: phoneC})
	require.Equal(t, want, s.group(t, g.ID))
	s.gev.QuietGroup(t, instA)
}

// inviteLinks: a group's link stays the same until reset; the old link
// then leads nowhere, as does one never issued; neither is a change.
func inviteLinks(t *testing.T, s *groupSetup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	g := s.create(t, "Con link", phoneB)
	first, err := s.gd.InviteLink(ctx, instA, g.ID, false)
	require.NoError(t, err)
	require.Regexp(t, `^https://chat\.whatsapp\.com/[0-9A-Za-z]{20,24}$`, first)
	again, err := s.gd.InviteLink(ctx, instA, g.ID, false)
	require.NoError(t, err)
	require.Equal(t, first, again, "stable until reset")

	reset, err := s.gd.InviteLink(ctx, instA, g.ID, true)
	require.NoError(t, err)
	require.Regexp(t, `^https://chat\.whatsapp\.com/[0-9A-Za-z]{20,24}$`, reset)
	require.NotEqual(t, first, reset, "a reset issues a new link")
	again, err = s.gd.InviteLink(ctx, instA, g.ID, false)
	require.NoError(t, err)
	require.Equal(t, reset, again, "the new link is the current one")

	other := s.create(t, "Otro", phoneB)
	otherLink, err := s.gd.InviteLink(ctx, instA, other.ID, false)
	require.NoError(t, err)
	require.NotEqual(t, reset, otherLink, "each group has its own link")

	_, err = s.gd.JoinGroup(ctx, instA, first)
	require.ErrorIs(t, err, driver.ErrNoInvite, "a revoked link")
	_, err = s.gd.JoinGroup(ctx, instA, "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv")
	require.ErrorIs(t, err, driver.ErrNoInvite, "a link never issued")
	s.gev.QuietGroup(t, instA)
}

// joinAndLeave: the instance joins a group of others by the link a
// member shared, is a plain member, then leaves it; both are its own
// changes, and once out the group is ErrNoGroup.
func joinAndLeave(t *testing.T, s *groupSetup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	id, err := s.gp.NewGroup(instA, phoneB, "Vecinos", []string{phoneC})
	require.NoError(t, err)
	link, err := s.gp.GroupInvite(instA, id, phoneB)
	require.NoError(t, err)

	joined, err := s.gd.JoinGroup(ctx, instA, link)
	require.NoError(t, err)
	require.Equal(t, id, joined)
	s.expectParticipants(t, driver.GroupParticipants{Group: id, Action: driver.Add, Participants: []string{phoneA}, By: phoneA})
	g := s.group(t, id)
	require.Equal(t, "Vecinos", g.Subject)
	require.Equal(t, phoneB, g.Owner)
	require.Equal(t, members(driver.Participant{Phone: phoneA}, driver.Participant{Phone: phoneB, Role: driver.SuperAdmin},
		driver.Participant{Phone: phoneC}), g.Participants)
	list, err := s.gd.Groups(ctx, instA)
	require.NoError(t, err)
	require.Equal(t, byID(g), byID(list...))

	require.NoError(t, s.gd.LeaveGroup(ctx, instA, id))
	s.expectParticipants(t, driver.GroupParticipants{Group: id, Action: driver.Remove, Participants: []string{phoneA},
		By: phoneA})
	_, err = s.gd.Group(ctx, instA, id)
	require.ErrorIs(t, err, driver.ErrNoGroup, "left")
	require.ErrorIs(t, s.gd.LeaveGroup(ctx, instA, id), driver.ErrNoGroup, "left already")
	list, err = s.gd.Groups(ctx, instA)
	require.NoError(t, err)
	require.Empty(t, list)
	s.gev.QuietGroup(t, instA)
}
