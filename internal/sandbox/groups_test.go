package sandbox_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/sandbox"
)

// The network is what the session host drives: its port, not only the
// suite's copy of it.
var _ host.GroupDriver = (*sandbox.Network)(nil)

const (
	inst  = "acme__c__main"
	me    = "5491112345678"
	ana   = "5491187654321"
	beto  = "5491100000003"
	named = "120363025246125486@g.us" // a group id the sandbox has not seen
)

// openGroups returns a network reporting to events, with inst open and
// linked to me.
func openGroups(t *testing.T, events driver.Events) *sandbox.Network {
	t.Helper()
	n := sandbox.New(events, clock.NewFake(t0), rand.New(rand.NewPCG(3, 4)))
	require.NoError(t, n.Connect(context.Background(), inst, me))
	return n
}

func withRecorder(t *testing.T) (*sandbox.Network, *drivertest.GroupRecorder) {
	t.Helper()
	rec := drivertest.NewGroupRecorder()
	return openGroups(t, rec), rec
}

// TestNamedGroupIsJoined: API.md's sandbox rule. A group id never seen is
// a group the instance is in, as an admin, named by its id, until it
// leaves it; then sends to it fail too.
func TestNamedGroupIsJoined(t *testing.T) {
	ctx := context.Background()
	n, rec := withRecorder(t)
	g, err := n.Group(ctx, inst, named)
	require.NoError(t, err)
	require.Equal(t, driver.Group{ID: named, Subject: named, CreatedAt: t0,
		Participants: []driver.Participant{{Phone: me, Role: driver.Admin}}}, g)
	list, err := n.Groups(ctx, inst)
	require.NoError(t, err)
	require.Equal(t, []driver.Group{g}, list)

	on := true
	require.NoError(t, n.UpdateGroup(ctx, inst, named, driver.GroupChange{Announce: &on}), "an admin")
	require.True(t, rec.ExpectGroup(t, inst, drivertest.GroupUpdated).Update.Announce)
	text := driver.Outbound{MessageID: "m1", To: named, Type: message.Text, Text: "hola"}
	require.NoError(t, n.Send(ctx, inst, text), "an admin writes to an announce group")

	require.NoError(t, n.LeaveGroup(ctx, inst, named))
	rec.ExpectGroup(t, inst, drivertest.Participants)
	_, err = n.Group(ctx, inst, named)
	require.ErrorIs(t, err, driver.ErrNoGroup, "left: not made again")
	var se *driver.SendError
	require.ErrorAs(t, n.Send(ctx, inst, text), &se, "no sends to a group left")
	require.NoError(t, n.Send(ctx, inst, driver.Outbound{To: "120363000000000001@g.us", Type: message.Text}),
		"other ids are still groups the instance is in")

	_, err = n.Group(ctx, inst, "5491187654321")
	require.ErrorIs(t, err, driver.ErrNoGroup, "not a group id")
}

// TestMemberActsOnNamedGroup: a far-side member acting on an id never
// seen makes the group with themself as owner and the instance in it.
func TestMemberActsOnNamedGroup(t *testing.T) {
	n, rec := withRecorder(t)
	e := driver.GroupParticipants{Group: named, Action: driver.Add, Participants: []string{beto}, By: ana}
	require.NoError(t, n.GroupEvent(inst, e))
	got := rec.ExpectGroup(t, inst, drivertest.Participants).Participants
	e.At = t0
	require.Equal(t, e, got)
	g, err := n.Group(context.Background(), inst, named)
	require.NoError(t, err)
	require.Equal(t, ana, g.Owner)
	require.Equal(t, []driver.Participant{{Phone: ana, Role: driver.SuperAdmin}, {Phone: me, Role: driver.Admin},
		{Phone: beto}}, g.Participants)
}

// TestGroupSendRules: a member who is not an admin cannot write to an
// announce group; nobody writes to a group created without them.
func TestGroupSendRules(t *testing.T) {
	ctx := context.Background()
	n, rec := withRecorder(t)
	id, err := n.NewGroup(inst, ana, "Anuncios", []string{beto})
	require.NoError(t, err)
	text := driver.Outbound{MessageID: "m1", To: id, Type: message.Text, Text: "hola"}
	var se *driver.SendError
	require.ErrorAs(t, n.Send(ctx, inst, text), &se, "not in the group")

	require.NoError(t, n.GroupEvent(inst, driver.GroupParticipants{Group: id, Action: driver.Add,
		Participants: []string{me}, By: ana}))
	rec.ExpectGroup(t, inst, drivertest.Participants)
	require.NoError(t, n.Send(ctx, inst, text), "a member writes")
	on := true
	require.NoError(t, n.ChangeGroup(inst, id, ana, driver.GroupChange{Announce: &on}))
	rec.ExpectGroup(t, inst, drivertest.GroupUpdated)
	require.ErrorAs(t, n.Send(ctx, inst, text), &se, "only admins write now")
	require.Len(t, n.Sent(inst), 1)
}

func TestInviteLinkShape(t *testing.T) {
	n, _ := withRecorder(t)
	link, err := n.InviteLink(context.Background(), inst, named, false)
	require.NoError(t, err)
	require.Regexp(t, `^https://chat\.whatsapp\.com/[A-Za-z0-9]{22}$`, link)
}

// TestGroupPhoneSideValidates: the far side's changes are checked and all
// or nothing.
func TestGroupPhoneSideValidates(t *testing.T) {
	n, rec := withRecorder(t)
	id, err := n.NewGroup(inst, ana, "Vecinos", []string{beto})
	require.NoError(t, err)
	many := make([]string, sandbox.MaxGroupEvent+1)
	for i := range many {
		many[i] = beto
	}
	for _, c := range []struct {
		name string
		e    driver.GroupParticipants
	}{
		{"bad group", driver.GroupParticipants{Group: "123", Action: driver.Add, Participants: []string{me}, By: ana}},
		{"bad action", driver.GroupParticipants{Group: id, Action: "kick", Participants: []string{me}, By: ana}},
		{"bad by", driver.GroupParticipants{Group: id, Action: driver.Add, Participants: []string{me}, By: "+54"}},
		{"nobody", driver.GroupParticipants{Group: id, Action: driver.Add, By: ana}},
		{"too many", driver.GroupParticipants{Group: id, Action: driver.Add, Participants: many, By: ana}},
		{"bad participant", driver.GroupParticipants{Group: id, Action: driver.Add, Participants: []string{"x"}, By: ana}},
	} {
		require.Error(t, n.GroupEvent(inst, c.e), c.name)
	}
	var re *driver.RefusedError
	err = n.GroupEvent(inst, driver.GroupParticipants{Group: id, Action: driver.Add, Participants: []string{me}, By: me})
	require.ErrorAs(t, err, &re, "by must be a member")
	err = n.GroupEvent(inst, driver.GroupParticipants{Group: id, Action: driver.Add,
		Participants: []string{me, "9991100000001"}, By: ana})
	require.ErrorAs(t, err, &re, "a number not on WhatsApp")
	_, err = n.Group(context.Background(), inst, id)
	require.ErrorIs(t, err, driver.ErrNoGroup, "all or nothing: the instance was not added")
	locked := true
	require.ErrorAs(t, n.ChangeGroup(inst, id, beto, driver.GroupChange{Locked: &locked}), &re, "settings are for admins")
	rec.QuietGroup(t, inst)

	n.Disconnect(inst)
	err = n.GroupEvent(inst, driver.GroupParticipants{Group: id, Action: driver.Add, Participants: []string{me}, By: ana})
	require.ErrorIs(t, err, driver.ErrNotConnected, "nobody is there to hear")
}

// TestGroupEventsNeedAHost: without driver.GroupEvents the far side says
// nobody heard, and the instance's own changes still work, unreported.
func TestGroupEventsNeedAHost(t *testing.T) {
	n := openGroups(t, drivertest.NewRecorder())
	e := driver.GroupParticipants{Group: named, Action: driver.Add, Participants: []string{beto}, By: ana}
	require.ErrorIs(t, n.GroupEvent(inst, e), sandbox.ErrNotHeard)
	_, _, err := n.Call(inst, ana, false)
	require.ErrorIs(t, err, sandbox.ErrNotHeard)
	subject := "Nuevo"
	require.NoError(t, n.UpdateGroup(context.Background(), inst, named, driver.GroupChange{Subject: &subject}))
}

// TestGroupEventNotAcknowledged: the change happened, but the far side
// hears that the host did not take it.
func TestGroupEventNotAcknowledged(t *testing.T) {
	n, rec := withRecorder(t)
	rec.RefuseGroupEvents(errors.New("disk full"))
	e := driver.GroupParticipants{Group: named, Action: driver.Add, Participants: []string{beto}, By: ana}
	require.ErrorContains(t, n.GroupEvent(inst, e), "disk full")
	subject := "Nuevo"
	require.ErrorContains(t, n.ChangeGroup(inst, named, ana, driver.GroupChange{Subject: &subject}), "disk full")
	g, err := n.Group(context.Background(), inst, named)
	require.NoError(t, err)
	require.Len(t, g.Participants, 3)
	require.Equal(t, subject, g.Subject)
}

// callbackHost changes a group from inside its GroupParticipants
// callback, as a host reacting to an event might.
type callbackHost struct {
	*drivertest.GroupRecorder
	n *sandbox.Network
}

func (h *callbackHost) GroupParticipants(instance string, g driver.GroupParticipants) error {
	if g.By != me {
		subject := "Cambiado al vuelo"
		if err := h.n.UpdateGroup(context.Background(), instance, g.Group, driver.GroupChange{Subject: &subject}); err != nil {
			return err
		}
	}
	return h.GroupRecorder.GroupParticipants(instance, g)
}

// TestOwnChangeFromACallback: the host's own change made while it is
// being told something neither deadlocks nor jumps the queue.
func TestOwnChangeFromACallback(t *testing.T) {
	host := &callbackHost{GroupRecorder: drivertest.NewGroupRecorder()}
	n := openGroups(t, host)
	host.n = n
	e := driver.GroupParticipants{Group: named, Action: driver.Add, Participants: []string{beto}, By: ana}
	require.NoError(t, n.GroupEvent(inst, e))
	host.ExpectGroup(t, inst, drivertest.Participants)
	require.Equal(t, "Cambiado al vuelo", host.ExpectGroup(t, inst, drivertest.GroupUpdated).Update.Subject)
}

func TestCallsRecorded(t *testing.T) {
	n, rec := withRecorder(t)
	rec.RejectCalls(true)
	id, rejected, err := n.Call(inst, ana, true)
	require.NoError(t, err)
	require.True(t, rejected)
	require.Regexp(t, `^[0-9A-F]{32}$`, id)
	require.Equal(t, []sandbox.CallRecord{{Call: driver.Call{From: ana, CallID: id, Video: true, At: t0}, Rejected: true}},
		n.Calls(inst))
	require.NotNil(t, n.Calls("acme__nobody__main"))

	_, _, err = n.Call(inst, "9991100000001", false)
	require.Error(t, err, "a number not on WhatsApp calls nobody")
	n.Disconnect(inst)
	_, _, err = n.Call(inst, ana, false)
	require.ErrorIs(t, err, driver.ErrNotConnected)
	require.Len(t, n.Calls(inst), 1)
}

// TestJoinAcrossInstances: a link one instance's group issued lets
// another instance of the network join (API.md: join accepts the links
// the sandbox issued); the first instance sees it join, and a revoked
// link lets nobody in.
func TestJoinAcrossInstances(t *testing.T) {
	ctx := context.Background()
	n, rec := withRecorder(t)
	const other, otherPhone = "acme__c__other", "5491100000009"
	require.NoError(t, n.Connect(ctx, other, otherPhone))
	g, err := n.CreateGroup(ctx, inst, "Ventas", []string{ana})
	require.NoError(t, err)
	link, err := n.InviteLink(ctx, inst, g.ID, false)
	require.NoError(t, err)

	id, err := n.JoinGroup(ctx, other, link)
	require.NoError(t, err)
	require.Equal(t, g.ID, id)
	joined, err := n.Group(ctx, other, id)
	require.NoError(t, err)
	require.Equal(t, "Ventas", joined.Subject)
	require.Contains(t, joined.Participants, driver.Participant{Phone: otherPhone})
	seen := rec.ExpectGroup(t, inst, drivertest.Participants).Participants
	require.Equal(t, driver.GroupParticipants{Group: id, Action: driver.Add, Participants: []string{otherPhone},
		By: otherPhone, At: seen.At}, seen, "the first instance sees the other join")
	mine, err := n.Group(ctx, inst, id)
	require.NoError(t, err)
	require.Contains(t, mine.Participants, driver.Participant{Phone: otherPhone})

	_, err = n.InviteLink(ctx, inst, id, true)
	require.NoError(t, err)
	require.NoError(t, n.LeaveGroup(ctx, other, id))
	_, err = n.JoinGroup(ctx, other, link)
	require.ErrorIs(t, err, driver.ErrNoInvite, "revoked")
}
