package whatsapp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// Group notifications from the fake WhatsApp server, for changes other
// members make from their phones and for the instance's own, reaching the
// host as driver.GroupEvents.

// TestGroupNotificationsOnFakeServer: each change another member makes
// reaches the host with who made it; a settings change carries the
// group's whole state after it.
func TestGroupNotificationsOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	_, _, ev := withGroupEvents(t, srv, phoneA)
	jid, err := srv.CreateGroup(groupID, "Ventas", phoneB, phoneA)
	require.NoError(t, err)
	ctx := context.Background()
	id := jid.String()
	since := time.Now().Add(-2 * time.Second)
	participants := func(t *testing.T, action driver.ParticipantAction, numbers ...string) {
		t.Helper()
		got := take(t, ev.participants)
		require.WithinRange(t, got.At, since, time.Now().Add(time.Second))
		got.At = time.Time{}
		require.Equal(t, driver.GroupParticipants{Group: id, Action: action, Participants: numbers, By: phoneB}, got)
	}
	update := func(t *testing.T, want driver.GroupUpdate) {
		t.Helper()
		got := take(t, ev.updates)
		require.WithinRange(t, got.At, since, time.Now().Add(time.Second))
		got.At, want.Group = time.Time{}, id
		require.Equal(t, want, got)
	}

	require.NoError(t, srv.AddToGroup(ctx, jid, phoneB, phoneC, phoneD))
	participants(t, driver.Add, phoneC, phoneD)
	require.NoError(t, srv.ChangeParticipants(ctx, jid, phoneB, whatsapptest.GroupPromote, phoneC))
	participants(t, driver.Promote, phoneC)
	require.NoError(t, srv.ChangeParticipants(ctx, jid, phoneB, whatsapptest.GroupDemote, phoneC))
	participants(t, driver.Demote, phoneC)
	require.NoError(t, srv.RemoveFromGroup(ctx, jid, phoneB, phoneD))
	participants(t, driver.Remove, phoneD)

	require.NoError(t, srv.DescribeGroup(ctx, jid, phoneB, "Pedidos"))
	update(t, driver.GroupUpdate{Subject: "Ventas", Description: "Pedidos"})
	require.NoError(t, srv.SetGroupAnnounce(ctx, jid, phoneB, true))
	update(t, driver.GroupUpdate{Subject: "Ventas", Description: "Pedidos", Announce: true})
	require.NoError(t, srv.RenameGroup(ctx, jid, phoneB, "Ventas 2026"))
	update(t, driver.GroupUpdate{Subject: "Ventas 2026", Description: "Pedidos", Announce: true})
	require.NoError(t, srv.RenameGroup(ctx, jid, phoneB, "Ventas 2026"))
	none(t, ev.updates) // the same state again: nothing to report
	require.NoError(t, srv.SetGroupLocked(ctx, jid, phoneB, true))
	update(t, driver.GroupUpdate{Subject: "Ventas 2026", Description: "Pedidos", Announce: true, Locked: true})
	require.NoError(t, srv.DescribeGroup(ctx, jid, phoneB, ""))
	update(t, driver.GroupUpdate{Subject: "Ventas 2026", Announce: true, Locked: true})

	require.NoError(t, srv.RemoveFromGroup(ctx, jid, phoneB, phoneA))
	participants(t, driver.Remove, phoneA)
	none(t, ev.participants)
	none(t, ev.updates)
}

// TestOwnChangesNotifiedOnFakeServer: the instance's own changes come
// back as notifications too (API.md: events for every change, this
// instance's included): adding, renaming, joining, leaving; creating a
// group is not a change.
func TestOwnChangesNotifiedOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, _, ev := withGroupEvents(t, srv, phoneA)
	other, _, otherEv := withGroupEvents(t, srv, phoneB)
	ctx := context.Background()
	mine := func(t *testing.T, ch <-chan driver.GroupParticipants) driver.GroupParticipants {
		t.Helper()
		got := take(t, ch)
		require.False(t, got.At.IsZero())
		got.At = time.Time{}
		return got
	}

	g, err := d.CreateGroup(ctx, inst, "Ventas", []string{phoneC})
	require.NoError(t, err)
	none(t, ev.participants) // a creation is no change: CreateGroup's answer tells it

	_, err = d.UpdateParticipants(ctx, inst, g.ID, driver.Add, []string{phoneD})
	require.NoError(t, err)
	require.Equal(t, driver.GroupParticipants{Group: g.ID, Action: driver.Add, Participants: []string{phoneD},
		By: phoneA}, mine(t, ev.participants))

	subject := "Ventas 2026"
	require.NoError(t, d.UpdateGroup(ctx, inst, g.ID, driver.GroupChange{Subject: &subject}))
	require.Equal(t, "Ventas 2026", take(t, ev.updates).Subject)

	link, err := d.InviteLink(ctx, inst, g.ID, false)
	require.NoError(t, err)
	_, err = other.JoinGroup(ctx, inst, link)
	require.NoError(t, err)
	require.Equal(t, driver.GroupParticipants{Group: g.ID, Action: driver.Add, Participants: []string{phoneB},
		By: phoneB}, mine(t, otherEv.participants), "the joiner hears it joined")
	require.Equal(t, driver.GroupParticipants{Group: g.ID, Action: driver.Add, Participants: []string{phoneB},
		By: phoneB}, mine(t, ev.participants), "the members hear who joined")

	require.NoError(t, other.LeaveGroup(ctx, inst, g.ID))
	left := driver.GroupParticipants{Group: g.ID, Action: driver.Remove, Participants: []string{phoneB}, By: phoneB}
	require.Equal(t, left, mine(t, otherEv.participants))
	require.Equal(t, left, mine(t, ev.participants))
}

// TestGroupNotificationRefusedOnFakeServer: a notification the host did
// not accept is not acknowledged to WhatsApp (which sends it again); once
// the host accepts, notifications are acknowledged again.
func TestGroupNotificationRefusedOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	_, _, ev := withGroupEvents(t, srv, phoneA)
	jid, err := srv.CreateGroup(groupID, "Ventas", phoneB, phoneA)
	require.NoError(t, err)
	ev.answer(errors.New("store down"), false)
	short, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()

	require.ErrorIs(t, srv.AddToGroup(short, jid, phoneB, phoneC), whatsapptest.ErrNotAcknowledged)
	require.Equal(t, []string{phoneC}, take(t, ev.participants).Participants, "the host was asked")
	require.ErrorIs(t, srv.RenameGroup(short, jid, phoneB, "x"), whatsapptest.ErrNotAcknowledged)
	require.Equal(t, "x", take(t, ev.updates).Subject)

	ev.answer(nil, false)
	require.NoError(t, srv.AddToGroup(context.Background(), jid, phoneB, phoneD))
	require.Equal(t, []string{phoneD}, take(t, ev.participants).Participants)
}

// TestGroupNotificationsWithoutGroupEvents: a host that takes no group
// events has every notification acknowledged, and hears nothing.
func TestGroupNotificationsWithoutGroupEvents(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	rec := drivertest.NewRecorder()
	groupsOnFakeServer(t, srv, phoneA, struct{ driver.Events }{rec}, rec)
	jid, err := srv.CreateGroup(groupID, "Ventas", phoneB, phoneA)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	require.NoError(t, srv.AddToGroup(ctx, jid, phoneB, phoneC))
	require.NoError(t, srv.RenameGroup(ctx, jid, phoneB, "x"))
	_, err = srv.Call(ctx, pnJID(phoneA), phoneB, false)
	require.NoError(t, err)
	require.Empty(t, srv.CallRejects(pnJID(phoneA)))
}

// TestOwnSettingsReportedInOrderOnFakeServer: UpdateGroup applies its
// fields one query each, and each notification is reported with the
// state right after it, not the newer state WhatsApp may already hold
// when the driver gets to it; none is reported twice.
func TestOwnSettingsReportedInOrderOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, _, ev := withGroupEvents(t, srv, phoneA)
	ctx := context.Background()
	subject, description, yes := "Ventas 2026", "Pedidos", true
	all := driver.GroupChange{Subject: &subject, Description: &description, Announce: &yes, Locked: &yes}
	updates := func(t *testing.T, id string) []driver.GroupUpdate {
		t.Helper()
		var got []driver.GroupUpdate
		for len(got) == 0 || got[len(got)-1].Subject != subject || !got[len(got)-1].Locked {
			u := take(t, ev.updates)
			require.Equal(t, id, u.Group)
			require.False(t, u.At.IsZero())
			u.At = time.Time{}
			got = append(got, u)
		}
		none(t, ev.updates)
		return got
	}

	created, err := d.CreateGroup(ctx, inst, "Ventas", []string{phoneB})
	require.NoError(t, err)
	require.NoError(t, d.UpdateGroup(ctx, inst, created.ID, all))
	require.Equal(t, []driver.GroupUpdate{
		{Group: created.ID, Subject: subject},
		{Group: created.ID, Subject: subject, Description: description},
		{Group: created.ID, Subject: subject, Description: description, Announce: true},
		{Group: created.ID, Subject: subject, Description: description, Announce: true, Locked: true},
	}, updates(t, created.ID), "a group the instance created: its state is known from the start")

	// A group made on a phone is asked for once, maybe after later
	// changes already happened: states may be skipped, never repeated.
	jid, err := srv.CreateGroup(groupID, "Ventas", phoneA, phoneB)
	require.NoError(t, err)
	require.NoError(t, d.UpdateGroup(ctx, inst, jid.String(), all))
	got := updates(t, jid.String())
	for i := 1; i < len(got); i++ {
		require.NotEqual(t, got[i-1], got[i], "reported twice")
	}
	require.Equal(t, driver.GroupUpdate{Group: jid.String(), Subject: subject, Description: description, Announce: true,
		Locked: true}, got[len(got)-1])
}
