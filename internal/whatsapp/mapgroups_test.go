package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

// The group mapping without a server: LID-addressed groups and calls
// (which the fake server does not send for groups) resolve to numbers
// through the LID store.

const (
	lidB = "203456789012346"
	lidC = "203456789012347"
)

var lids = lidMap{m: map[string]string{lidB: phoneB, lidC: phoneC}}

func jidPtr(j types.JID) *types.JID { return &j }

func TestParticipantChangesResolveLIDs(t *testing.T) {
	ctx := context.Background()
	e := &events.GroupInfo{JID: types.NewJID(groupID, types.GroupServer), Timestamp: sentAt.In(time.Local),
		Sender: jidPtr(lidJID(lidB)), SenderPN: jidPtr(pnJID(phoneB)),
		Join: []types.JID{lidJID(lidC), pnJID(phoneD)}, Demote: []types.JID{lidJID(lidB)}}
	got, err := participantChanges(ctx, e, lids)
	require.NoError(t, err)
	id := groupID + "@g.us"
	require.Equal(t, []driver.GroupParticipants{
		{Group: id, Action: driver.Add, Participants: []string{phoneC, phoneD}, By: phoneB, At: sentAt},
		{Group: id, Action: driver.Demote, Participants: []string{phoneB}, By: phoneB, At: sentAt},
	}, got)

	e.SenderPN = nil
	got, err = participantChanges(ctx, e, lids)
	require.NoError(t, err)
	require.Equal(t, phoneB, got[0].By, "the actor's LID through the store")

	e.Sender = nil
	got, err = participantChanges(ctx, e, lids)
	require.NoError(t, err)
	require.Empty(t, got[0].By, "WhatsApp did not say")

	e.Join = []types.JID{lidJID("999999999999999")}
	_, err = participantChanges(ctx, e, lids)
	require.ErrorIs(t, err, errUnresolvedLID, "left unacknowledged until the mapping is known")
	_, err = participantChanges(ctx, e, lidMap{err: errors.New("db down")})
	require.ErrorContains(t, err, "db down")
}

func TestGroupOfLIDAddressed(t *testing.T) {
	info := &types.GroupInfo{JID: types.NewJID(groupID, types.GroupServer), OwnerJID: lidJID(lidB),
		GroupName: types.GroupName{Name: "Ventas"}, GroupCreated: sentAt.In(time.Local),
		Participants: []types.GroupParticipant{
			{JID: lidJID(lidB), LID: lidJID(lidB), IsAdmin: true, IsSuperAdmin: true},
			{JID: lidJID(lidC), LID: lidJID(lidC), PhoneNumber: pnJID(phoneC), IsAdmin: true},
			{JID: lidJID("999999999999999")}, // unknown to the store: left out
			{JID: pnJID(phoneD), Error: 403}, // not added
			{JID: pnJID(phoneE), PhoneNumber: pnJID(phoneE)},
		}}
	g, err := groupOf(context.Background(), info, lids)
	require.NoError(t, err)
	require.Equal(t, driver.Group{ID: groupID + "@g.us", Subject: "Ventas", Owner: phoneB, CreatedAt: sentAt,
		Participants: []driver.Participant{{Phone: phoneB, Role: driver.SuperAdmin}, {Phone: phoneC, Role: driver.Admin},
			{Phone: phoneE}}}, g)

	info.OwnerJID = types.EmptyJID
	g, err = groupOf(context.Background(), info, nil)
	require.NoError(t, err)
	require.Empty(t, g.Owner)
	require.Equal(t, []driver.Participant{{Phone: phoneC, Role: driver.Admin}, {Phone: phoneE}}, g.Participants,
		"without a store, only members WhatsApp gave a number for")
}

func TestApplyChange(t *testing.T) {
	e := &events.GroupInfo{JID: types.NewJID(groupID, types.GroupServer), Timestamp: sentAt.In(time.Local),
		Name: &types.GroupName{Name: "Nuevo"}, Locked: &types.GroupLocked{IsLocked: false}}
	before := driver.GroupUpdate{Group: groupID + "@g.us", Subject: "Viejo", Description: "d", Announce: true, Locked: true}
	require.Equal(t, driver.GroupUpdate{Group: groupID + "@g.us", Subject: "Nuevo", Description: "d", Announce: true,
		At: sentAt}, applyChange(e, before), "only what the notification changes")
	require.Equal(t, driver.GroupUpdate{Group: groupID + "@g.us", Subject: "Nuevo", At: sentAt},
		applyChange(e, driver.GroupUpdate{}), "a group no longer readable: what the notification says")
	e = &events.GroupInfo{JID: e.JID, Topic: &types.GroupTopic{TopicDeleted: true}, Announce: &types.GroupAnnounce{}}
	require.Equal(t, driver.GroupUpdate{Group: groupID + "@g.us", Subject: "Viejo", Locked: true},
		applyChange(e, before), "a deleted description, announce off")
	require.True(t, settingsChanged(e))
	require.False(t, settingsChanged(&events.GroupInfo{Join: []types.JID{pnJID(phoneB)}}))
}

func TestJoinedGroup(t *testing.T) {
	ctx := context.Background()
	gid := types.NewJID(groupID, types.GroupServer)
	for _, tt := range []struct {
		name   string
		e      events.JoinedGroup
		report bool
		by     string
	}{
		{"created by the instance", events.JoinedGroup{Type: "new", Sender: jidPtr(pnJID(phoneA))}, false, ""},
		{"created by the instance, sender unsaid", events.JoinedGroup{Type: "new",
			GroupInfo: types.GroupInfo{GroupName: types.GroupName{}, OwnerJID: pnJID(phoneA)}}, false, ""},
		{"created by another with the instance in it", events.JoinedGroup{Type: "new", Sender: jidPtr(lidJID(lidB))}, true, phoneB},
		{"joined by link", events.JoinedGroup{Reason: "invite", Sender: jidPtr(pnJID(phoneC))}, true, phoneA},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.e.JID = gid
			got, report, err := joinedGroup(ctx, &tt.e, phoneA, lids)
			require.NoError(t, err)
			require.Equal(t, tt.report, report)
			if report {
				require.Equal(t, driver.GroupParticipants{Group: gid.String(), Action: driver.Add,
					Participants: []string{phoneA}, By: tt.by}, got)
			}
		})
	}
}

func TestCallOf(t *testing.T) {
	offer := &events.CallOffer{BasicCallMeta: types.BasicCallMeta{CallCreator: lidJID(lidB), CallID: "ABC",
		Timestamp: sentAt}, Data: &waBinary.Node{Tag: "offer", Content: []waBinary.Node{{Tag: "audio"}, {Tag: "video"}}}}
	got, err := callOf(context.Background(), offer, lids)
	require.NoError(t, err)
	require.Equal(t, driver.Call{From: phoneB, CallID: "ABC", Video: true, At: sentAt}, got)

	offer.CallCreator, offer.CallCreatorAlt = lidJID("999999999999999"), pnJID(phoneC)
	offer.Data = &waBinary.Node{Tag: "offer", Content: []waBinary.Node{{Tag: "audio"}}}
	got, err = callOf(context.Background(), offer, nil)
	require.NoError(t, err)
	require.Equal(t, driver.Call{From: phoneC, CallID: "ABC", At: sentAt}, got, "the number WhatsApp sent alongside")

	offer.CallCreatorAlt = types.EmptyJID
	_, err = callOf(context.Background(), offer, lids)
	require.ErrorIs(t, err, errUnresolvedLID)
}

func TestParticipantOutcome(t *testing.T) {
	for _, tt := range []struct {
		act    driver.ParticipantAction
		code   int
		status driver.ParticipantStatus
		reason string
	}{
		{driver.Add, 0, driver.ParticipantOK, ""},
		{driver.Add, 404, driver.NotOnWhatsApp, ""},
		{driver.Remove, 404, driver.ParticipantRefused, "not a participant (404)"},
		{driver.Add, 409, driver.ParticipantRefused, "already a participant (409)"},
		{driver.Add, 408, driver.ParticipantRefused, "they left the group recently (408)"},
		{driver.Add, 500, driver.ParticipantRefused, "the group is full (500)"},
		{driver.Promote, 418, driver.ParticipantRefused, "error 418"},
	} {
		t.Run(fmt.Sprintf("%s %d", tt.act, tt.code), func(t *testing.T) {
			status, reason := participantOutcome(tt.act, tt.code)
			require.Equal(t, tt.status, status)
			require.Equal(t, tt.reason, reason)
		})
	}
}

func TestGroupFailure(t *testing.T) {
	iq := func(code int, text string) error {
		return fmt.Errorf("query: %w", &whatsmeow.IQError{Code: code, Text: text})
	}
	session := errors.New("boom")
	for _, tt := range []struct {
		name    string
		err     error
		is      error
		refused string
	}{
		{"not connected", whatsmeow.ErrNotConnected, driver.ErrNotConnected, ""},
		{"disconnected mid-query", whatsmeow.ErrIQDisconnected, driver.ErrNotConnected, ""},
		{"no such group", iq(404, "item-not-found"), driver.ErrNoGroup, ""},
		{"not in it", iq(403, "forbidden"), driver.ErrNoGroup, ""},
		{"not in it, wrapped", whatsmeow.ErrNotInGroup, driver.ErrNoGroup, ""},
		{"not an admin", iq(401, "not-authorized"), nil, "only group admins can do this (401 not-authorized)"},
		{"invite, not an admin", whatsmeow.ErrGroupInviteLinkUnauthorized, nil, "only group admins can do this (401 not-authorized)"},
		{"too long", iq(406, "not-acceptable"), nil, refusals[406] + " (406 not-acceptable)"},
		{"session", session, session, ""},
		{"server error", iq(500, "internal-server-error"), nil, ""},
		{"cancelled", context.Canceled, context.Canceled, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := groupFailure(tt.err)
			var refused *driver.RefusedError
			switch {
			case tt.refused != "":
				require.ErrorAs(t, got, &refused)
				require.Equal(t, tt.refused, refused.Reason)
			case tt.is != nil:
				require.ErrorIs(t, got, tt.is)
			default:
				require.False(t, errors.As(got, &refused))
				require.NotErrorIs(t, got, driver.ErrNoGroup)
				require.NotErrorIs(t, got, driver.ErrNotConnected)
			}
		})
	}
	require.NoError(t, groupFailure(nil))
}
