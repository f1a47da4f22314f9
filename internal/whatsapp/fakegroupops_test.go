package whatsapp

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

const (
	phoneD = "5491144443333"
	phoneE = "5491166667777"
)

// The group operations of host.GroupDriver, through the driver and a real
// whatsmeow client to the fake WhatsApp server, which answers as WhatsApp
// does (whatsapptest/groupiq.go). The group notifications each change
// makes come back to the instance and are checked in
// fakegroupevents_test.go.

// TestCreateGroupOnFakeServer: numbers not on WhatsApp are left out (and
// not even sent), a number whose privacy settings keep it out is not in
// the group; the instance is its superadmin.
func TestCreateGroupOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, _, _ := withGroupEvents(t, srv, phoneA)
	srv.NotOnWhatsApp(phoneC)
	srv.SetProfile(phoneD, whatsapptest.Profile{NoGroupAdds: true})
	ctx := context.Background()

	g, err := d.CreateGroup(ctx, inst, "Ventas", []string{phoneB, phoneC, phoneD, phoneA, phoneB})
	require.NoError(t, err)
	require.Regexp(t, `^120363\d{12}@g\.us$`, g.ID)
	require.Equal(t, "Ventas", g.Subject)
	require.Equal(t, phoneA, g.Owner)
	require.WithinDuration(t, time.Now(), g.CreatedAt, 5*time.Second)
	require.Equal(t, []driver.Participant{{Phone: phoneA, Role: driver.SuperAdmin}, {Phone: phoneB}}, g.Participants)

	got, err := d.Group(ctx, inst, g.ID)
	require.NoError(t, err)
	require.Equal(t, g, got, "the group as created is the group as read")
	list, err := d.Groups(ctx, inst)
	require.NoError(t, err)
	require.Equal(t, []driver.Group{g}, list)

	_, err = d.CreateGroup(ctx, inst, "", []string{phoneB})
	var refused *driver.RefusedError
	require.ErrorAs(t, err, &refused, "WhatsApp takes no group without a subject")
	require.Contains(t, refused.Reason, "406")
}

// TestUpdateGroupOnFakeServer: each field set reaches WhatsApp, in order;
// an empty description deletes it.
func TestUpdateGroupOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, _, _ := withGroupEvents(t, srv, phoneA)
	jid, err := srv.CreateGroup(groupID, "Ventas", phoneA, phoneB)
	require.NoError(t, err)
	ctx := context.Background()
	subject, description, yes := "Ventas 2026", "Pedidos y envíos", true

	require.NoError(t, d.UpdateGroup(ctx, inst, jid.String(), driver.GroupChange{Subject: &subject,
		Description: &description, Announce: &yes, Locked: &yes}))
	st, _ := srv.Group(jid)
	require.Equal(t, whatsapptest.GroupState{Subject: subject, Description: description, Announce: true, Locked: true,
		Creator: phoneA, Members: []string{phoneA, phoneB}, Roles: map[string]string{phoneA: "superadmin"}}, st)

	changed := "Cambios"
	require.NoError(t, d.UpdateGroup(ctx, inst, jid.String(), driver.GroupChange{Description: &changed}))
	empty := ""
	require.NoError(t, d.UpdateGroup(ctx, inst, jid.String(), driver.GroupChange{Description: &empty}))
	g, err := d.Group(ctx, inst, jid.String())
	require.NoError(t, err)
	require.Empty(t, g.Description)
	require.Equal(t, subject, g.Subject)
	require.True(t, g.Announce)
	require.True(t, g.Locked)
	require.NoError(t, d.UpdateGroup(ctx, inst, jid.String(), driver.GroupChange{}), "nothing to change")
}

// TestParticipantsOnFakeServer: one result per number in the order asked,
// WhatsApp's per-number outcomes mapped.
func TestParticipantsOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, _, _ := withGroupEvents(t, srv, phoneA)
	jid, err := srv.CreateGroup(groupID, "Ventas", phoneA, phoneB)
	require.NoError(t, err)
	srv.NotOnWhatsApp(phoneC)
	srv.SetProfile(phoneD, whatsapptest.Profile{NoGroupAdds: true})
	ctx := context.Background()
	id := jid.String()
	ok := func(n string) driver.ParticipantResult {
		return driver.ParticipantResult{Phone: n, Status: driver.ParticipantOK}
	}

	got, err := d.UpdateParticipants(ctx, inst, id, driver.Add, []string{phoneE, phoneC, phoneB, phoneD, phoneE})
	require.NoError(t, err)
	require.Equal(t, []driver.ParticipantResult{
		ok(phoneE),
		{Phone: phoneC, Status: driver.NotOnWhatsApp},
		{Phone: phoneB, Status: driver.ParticipantRefused, Error: "already a participant (409)"},
		{Phone: phoneD, Status: driver.ParticipantRefused,
			Error: "their privacy settings do not allow adding them; invite them with the group's link (403)"},
		ok(phoneE),
	}, got)

	got, err = d.UpdateParticipants(ctx, inst, id, driver.Promote, []string{phoneE, phoneD})
	require.NoError(t, err)
	require.Equal(t, []driver.ParticipantResult{ok(phoneE),
		{Phone: phoneD, Status: driver.ParticipantRefused, Error: "not a participant (404)"}}, got)
	st, _ := srv.Group(jid)
	require.Equal(t, "admin", st.Roles[phoneE])

	got, err = d.UpdateParticipants(ctx, inst, id, driver.Demote, []string{phoneE})
	require.NoError(t, err)
	require.Equal(t, []driver.ParticipantResult{ok(phoneE)}, got)
	got, err = d.UpdateParticipants(ctx, inst, id, driver.Remove, []string{phoneE, phoneB})
	require.NoError(t, err)
	require.Equal(t, []driver.ParticipantResult{ok(phoneE), ok(phoneB)}, got)
	st, _ = srv.Group(jid)
	require.Equal(t, []string{phoneA}, st.Members)
	require.Empty(t, st.Roles[phoneE])

	got, err = d.UpdateParticipants(ctx, inst, id, driver.Add, []string{phoneC})
	require.NoError(t, err)
	require.Equal(t, []driver.ParticipantResult{{Phone: phoneC, Status: driver.NotOnWhatsApp}}, got,
		"nothing left to send: WhatsApp is not asked")
}

// TestInvitesOnFakeServer: the link stays until revoked; another
// instance joins with the current one; a revoked, unknown or malformed
// link is ErrNoInvite; leaving makes the group unknown to the instance.
func TestInvitesOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, _, _ := withGroupEvents(t, srv, phoneA)
	other, _, _ := withGroupEvents(t, srv, phoneB)
	jid, err := srv.CreateGroup(groupID, "Ventas", phoneA, phoneC)
	require.NoError(t, err)
	ctx := context.Background()
	id := jid.String()

	first, err := d.InviteLink(ctx, inst, id, false)
	require.NoError(t, err)
	require.Regexp(t, `^https://chat\.whatsapp\.com/[A-Za-z0-9]{22}$`, first)
	again, err := d.InviteLink(ctx, inst, id, false)
	require.NoError(t, err)
	require.Equal(t, first, again)
	current, err := d.InviteLink(ctx, inst, id, true)
	require.NoError(t, err)
	require.NotEqual(t, first, current)

	for _, link := range []string{first, "https://chat.whatsapp.com/AAAAAAAAAAAAAAAAAAAAAA", "https://example.com/x", ""} {
		_, err := other.JoinGroup(ctx, inst, link)
		require.ErrorIs(t, err, driver.ErrNoInvite, link)
	}
	joined, err := other.JoinGroup(ctx, inst, current)
	require.NoError(t, err)
	require.Equal(t, id, joined)
	st, _ := srv.Group(jid)
	require.Equal(t, []string{phoneA, phoneC, phoneB}, st.Members)

	require.NoError(t, other.LeaveGroup(ctx, inst, id))
	_, err = other.Group(ctx, inst, id)
	require.ErrorIs(t, err, driver.ErrNoGroup)
	require.ErrorIs(t, other.LeaveGroup(ctx, inst, id), driver.ErrNoGroup)
}
