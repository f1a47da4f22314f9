package drivertest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
)

// checkContacts: numbers are checked in the order asked (repeats too),
// and a number's description says what WhatsApp tells, nothing for a
// number without a profile or not on WhatsApp, which is no error.
func checkContacts(t *testing.T, s *groupSetup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	absent := s.gp.NotOnWhatsApp()
	on, err := s.gd.CheckContacts(ctx, instA, []string{phoneB, absent[0], phoneC, absent[1], phoneB})
	require.NoError(t, err)
	require.Equal(t, []bool{true, false, true, false, true}, on)

	ana := driver.Contact{Phone: phoneB, OnWhatsApp: true, Name: "Ana Gómez", About: "Disponible 🌞",
		PictureURL: "https://pps.whatsapp.net/v/t61.24694-24/ana.jpg"}
	require.NoError(t, s.gp.SetProfile(ana))
	for _, want := range []driver.Contact{
		ana,
		{Phone: phoneC, OnWhatsApp: true},
		{Phone: absent[0]},
	} {
		got, err := s.gd.Contact(ctx, instA, want.Phone)
		require.NoError(t, err, "contact %s", want.Phone)
		require.Equal(t, want, got)
	}
}

// blockContacts: blocking and unblocking reach the account's block
// list; doing either twice is no error.
func blockContacts(t *testing.T, s *groupSetup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	steps := []struct {
		phone string
		block bool
		want  []string
	}{
		{phoneB, true, []string{phoneB}},
		{phoneC, true, []string{phoneB, phoneC}},
		{phoneB, false, []string{phoneC}},
		{phoneC, true, []string{phoneC}},
		{phoneD, false, []string{phoneC}},
	}
	for _, st := range steps {
		require.NoError(t, s.gd.Block(ctx, instA, st.phone, st.block), "block %s: %t", st.phone, st.block)
		got := slices.Clone(s.gp.Blocked(instA))
		slices.Sort(got)
		slices.Sort(st.want)
		require.Equal(t, st.want, got, "after block %s: %t", st.phone, st.block)
	}
}

// calls: a call reaches the host, and is rejected exactly when the host
// asks for it.
func calls(t *testing.T, s *groupSetup) {
	s.link(t, instA, phoneA)
	for i, c := range []struct {
		from          string
		video, reject bool
	}{
		{phoneB, false, false},
		{phoneC, true, true},
		{phoneB, true, false},
	} {
		s.gev.RejectCalls(c.reject)
		id, rejected, err := s.gp.Call(instA, c.from, c.video)
		require.NoError(t, err, "call %d", i)
		require.Equal(t, c.reject, rejected, "call %d rejected iff the host asked", i)
		e := s.gev.ExpectGroup(t, instA, CallOffered)
		require.NotEmpty(t, id, "the call's id")
		require.False(t, e.Call.At.IsZero(), "the offer's time")
		e.Call.At = time.Time{}
		require.Equal(t, driver.Call{From: c.from, CallID: id, Video: c.video}, e.Call, "call %d", i)
	}
	s.gev.QuietGroup(t, instA)
}

// groupsClosed: every operation of an instance that is not open is
// ErrNotConnected, before anything else (the group is not even looked
// up).
func groupsClosed(t *testing.T, s *groupSetup) {
	ctx := context.Background()
	check := func(inst, group, why string) {
		t.Helper()
		subject := "x"
		ops := []struct {
			name string
			run  func() error
		}{
			{"Groups", func() error { _, err := s.gd.Groups(ctx, inst); return err }},
			{"CreateGroup", func() error { _, err := s.gd.CreateGroup(ctx, inst, "x", []string{phoneB}); return err }},
			{"Group", func() error { _, err := s.gd.Group(ctx, inst, group); return err }},
			{"UpdateGroup", func() error { return s.gd.UpdateGroup(ctx, inst, group, driver.GroupChange{Subject: &subject}) }},
			{"UpdateParticipants", func() error {
				_, err := s.gd.UpdateParticipants(ctx, inst, group, driver.Add, []string{phoneC})
				return err
			}},
			{"InviteLink", func() error { _, err := s.gd.InviteLink(ctx, inst, group, false); return err }},
			{"JoinGroup", func() error {
				_, err := s.gd.JoinGroup(ctx, inst, "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv")
				return err
			}},
			{"LeaveGroup", func() error { return s.gd.LeaveGroup(ctx, inst, group) }},
			{"CheckContacts", func() error { _, err := s.gd.CheckContacts(ctx, inst, []string{phoneB}); return err }},
			{"Contact", func() error { _, err := s.gd.Contact(ctx, inst, phoneB); return err }},
			{"Block", func() error { return s.gd.Block(ctx, inst, phoneB, true) }},
		}
		for _, op := range ops {
			require.ErrorIs(t, op.run(), driver.ErrNotConnected, "%s of an instance %s", op.name, why)
		}
	}
	check(instB, group, "never connected")

	s.link(t, instA, phoneA)
	g := s.create(t, "Antes de cerrar", phoneB)
	s.d.Disconnect(instA)
	check(instA, g.ID, "disconnected")
	s.gev.QuietGroup(t, instA)
	require.Empty(t, s.gp.Blocked(instA), "nothing was blocked")
}
