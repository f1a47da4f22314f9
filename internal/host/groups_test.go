package host_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
)

// answer is the fake driver's reply to one group or contact operation.
func answer[T any](d *fakeDriver, op string) (T, error) {
	d.mu.Lock()
	fn := d.groupAnswer
	d.mu.Unlock()
	var zero T
	if fn == nil {
		return zero, fmt.Errorf("fake driver: no answer for %s", op)
	}
	v, err := fn(op)
	if err != nil {
		return zero, err
	}
	if v == nil {
		return zero, nil
	}
	return v.(T), nil
}

func (d *fakeDriver) Groups(context.Context, string) ([]driver.Group, error) {
	return answer[[]driver.Group](d, "groups")
}
func (d *fakeDriver) CreateGroup(context.Context, string, string, []string) (driver.Group, error) {
	return answer[driver.Group](d, "create")
}
func (d *fakeDriver) Group(context.Context, string, string) (driver.Group, error) {
	return answer[driver.Group](d, "group")
}
func (d *fakeDriver) UpdateGroup(context.Context, string, string, driver.GroupChange) error {
	_, err := answer[any](d, "update")
	return err
}
func (d *fakeDriver) UpdateParticipants(context.Context, string, string, driver.ParticipantAction, []string) ([]driver.ParticipantResult, error) {
	return answer[[]driver.ParticipantResult](d, "participants")
}
func (d *fakeDriver) InviteLink(context.Context, string, string, bool) (string, error) {
	return answer[string](d, "invite")
}
func (d *fakeDriver) JoinGroup(context.Context, string, string) (string, error) {
	return answer[string](d, "join")
}
func (d *fakeDriver) LeaveGroup(context.Context, string, string) error {
	_, err := answer[any](d, "leave")
	return err
}
func (d *fakeDriver) CheckContacts(context.Context, string, []string) ([]bool, error) {
	return answer[[]bool](d, "check")
}
func (d *fakeDriver) Contact(context.Context, string, string) (driver.Contact, error) {
	return answer[driver.Contact](d, "contact")
}
func (d *fakeDriver) Block(context.Context, string, string, bool) error {
	_, err := answer[any](d, "block")
	return err
}

func (d *fakeDriver) setGroupAnswer(fn func(op string) (any, error)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.groupAnswer = fn
}

const testGroup = "120363025246125486@g.us"

// TestGroupErrors: what the driver answers becomes API.md's status,
// whatever the operation: 409 not open, 409 with WhatsApp's reason, 404
// for a group the instance is not in or a dead invite link, 502 for a
// session error, without the driver's text.
func TestGroupErrors(t *testing.T) {
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	linkInstances(t, r, mainInst)
	ctx := context.Background()
	ops := map[string]func() error{
		"groups": func() error { _, err := r.host.Groups(ctx, mainInst); return err },
		"create": func() error { _, err := r.host.CreateGroup(ctx, mainInst, "x", []string{"5491112345678"}); return err },
		"group":  func() error { _, err := r.host.Group(ctx, mainInst, testGroup); return err },
		"update": func() error {
			_, err := r.host.UpdateGroup(ctx, mainInst, testGroup, driver.GroupChange{})
			return err
		},
		"participants": func() error {
			_, err := r.host.UpdateParticipants(ctx, mainInst, testGroup, driver.Add, []string{"5491112345678"})
			return err
		},
		"invite": func() error { _, err := r.host.InviteLink(ctx, mainInst, testGroup, false); return err },
		"join": func() error {
			_, err := r.host.JoinGroup(ctx, mainInst, "https://chat.whatsapp.com/AbCdEfGhIj")
			return err
		},
		"leave":   func() error { return r.host.LeaveGroup(ctx, mainInst, testGroup) },
		"check":   func() error { _, err := r.host.CheckContacts(ctx, mainInst, []string{"5491112345678"}); return err },
		"contact": func() error { _, err := r.host.Contact(ctx, mainInst, "5491112345678"); return err },
		"block":   func() error { return r.host.Block(ctx, mainInst, "5491112345678", true) },
	}
	for _, tc := range []struct {
		name   string
		err    error
		kind   error
		status string // the message the client sees
	}{
		{"not open", fmt.Errorf("whatsapp: x: %w", driver.ErrNotConnected), fault.ErrConflict,
			"Instance is not open: group and contact operations need its connection to WhatsApp (see GET /instance/{name}/status)"},
		{"refused", fmt.Errorf("whatsapp: %w", &driver.RefusedError{Reason: "not a group admin"}), fault.ErrConflict,
			"WhatsApp refused: not a group admin"},
		{"no group", fmt.Errorf("whatsapp: %w", driver.ErrNoGroup), fault.ErrNotFound,
			"Group not found: the instance is not a member of it"},
		{"no invite", driver.ErrNoInvite, fault.ErrNotFound, "Invite link unknown or revoked"},
		{"session", errors.New("websocket: close 1006 secret detail"), fault.ErrSession, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.drv.setGroupAnswer(func(string) (any, error) { return nil, tc.err })
			for op, call := range ops {
				err := call()
				require.ErrorIs(t, err, tc.kind, op)
				var fe *fault.Error
				require.ErrorAs(t, err, &fe, op)
				if tc.status != "" {
					require.Equal(t, tc.status, fe.Msg, op)
				}
				require.NotContains(t, fe.Msg, "secret detail", op)
			}
		})
	}
}

// TestGroupAnswers: the list says where the instance is an admin (by its
// linked number), a change answers the group as it is after it, and a
// driver answering for other numbers than asked is a session error.
func TestGroupAnswers(t *testing.T) {
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	linkInstances(t, r, mainInst) // linked as 549119999990
	ctx := context.Background()
	self := "549119999990"
	g := driver.Group{ID: testGroup, Subject: "Ventas", Participants: []driver.Participant{
		{Phone: "5491112345678", Role: driver.SuperAdmin}, {Phone: self, Role: driver.Admin}}}
	other := driver.Group{ID: "120363000000000001@g.us", Subject: "Otro", Participants: []driver.Participant{
		{Phone: "5491112345678", Role: driver.SuperAdmin}, {Phone: self}}}
	var asked []string
	r.drv.setGroupAnswer(func(op string) (any, error) {
		asked = append(asked, op)
		switch op {
		case "groups":
			return []driver.Group{g, other}, nil
		case "group":
			return g, nil
		case "participants":
			return []driver.ParticipantResult{{Phone: "5491112345678", Status: driver.ParticipantOK}}, nil
		case "check":
			return []bool{true}, nil
		}
		return nil, nil
	})
	list, err := r.host.Groups(ctx, mainInst)
	require.NoError(t, err)
	require.Equal(t, []driver.GroupSummary{
		{ID: testGroup, Subject: "Ventas", Participants: 2, IsAdmin: true},
		{ID: "120363000000000001@g.us", Subject: "Otro", Participants: 2, IsAdmin: false},
	}, list)

	asked = nil
	subject := "Ventas"
	got, err := r.host.UpdateGroup(ctx, mainInst, testGroup, driver.GroupChange{Subject: &subject})
	require.NoError(t, err)
	require.Equal(t, g, got)
	require.Equal(t, []string{"update", "group"}, asked, "the group is read after the change")

	_, err = r.host.UpdateParticipants(ctx, mainInst, testGroup, driver.Add, []string{"5491112345678", "5491187654321"})
	require.ErrorIs(t, err, fault.ErrSession, "one result for two numbers")
	_, err = r.host.CheckContacts(ctx, mainInst, []string{"5491112345678", "5491187654321"})
	require.ErrorIs(t, err, fault.ErrSession, "one answer for two numbers")
}

// TestGroupAndCallEvents: group changes become group.participants and
// group.updated whatever receiveGroups says; a call becomes call.received
// and is rejected exactly when rejectCalls is on.
func TestGroupAndCallEvents(t *testing.T) {
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	linkInstances(t, r, mainInst)
	ctx := context.Background()
	at := time.Now()
	require.NoError(t, r.host.GroupParticipants(mainInst, driver.GroupParticipants{Group: testGroup, Action: driver.Promote,
		Participants: []string{"5491187654321"}, By: "5491112345678", At: at}))
	require.NoError(t, r.host.GroupParticipants(mainInst, driver.GroupParticipants{Group: testGroup, Action: driver.Add,
		Participants: []string{"5491100000000"}, At: at}))
	by := "5491112345678"
	require.Equal(t, []events.Membership{
		{Group: testGroup, Action: "promote", Participants: []string{"5491187654321"}, By: &by},
		{Group: testGroup, Action: "add", Participants: []string{"5491100000000"}},
	}, eventsNamed[events.Membership](t, r, mainInst, events.GroupParticipants))

	require.NoError(t, r.host.GroupUpdated(mainInst, driver.GroupUpdate{Group: testGroup, Subject: "Ventas",
		Announce: true, At: at}))
	require.Equal(t, []events.GroupInfo{{Group: testGroup, Subject: "Ventas", Announce: true}},
		eventsNamed[events.GroupInfo](t, r, mainInst, events.GroupUpdated))

	reject, err := r.host.Call(mainInst, driver.Call{From: "5491112345678", CallID: "CALL1", At: at})
	require.NoError(t, err)
	require.False(t, reject, "rejectCalls is off by default")
	on := true
	_, err = r.svc.UpdateSettings(ctx, "acme", mainInst, instance.SettingsPatch{RejectCalls: &on})
	require.NoError(t, err)
	r.host.SettingsChanged(ctx, mainInst)
	reject, err = r.host.Call(mainInst, driver.Call{From: "5491112345678", CallID: "CALL2", Video: true, At: at})
	require.NoError(t, err)
	require.True(t, reject)
	require.Equal(t, []events.Call{
		{From: "5491112345678", CallID: "CALL1"},
		{From: "5491112345678", CallID: "CALL2", Video: true, Rejected: true},
	}, eventsNamed[events.Call](t, r, mainInst, events.CallReceived))
}
