package command_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/httpapi"
)

// fakeGroups is the session host's group and contact side: it records
// each call with its arguments and answers from fixed values, or err.
type fakeGroups struct {
	mu    sync.Mutex
	asked []any
	err   error
}

var _ httpapi.GroupSessions = (*fakeGroups)(nil)

func (f *fakeGroups) ask(args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, args)
	return f.err
}

var (
	created = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)
	sample  = driver.Group{ID: "120363025246125486@g.us", Subject: "Ventas", Description: "Equipo", Owner: "5491112345678",
		CreatedAt: created, Announce: true, Participants: []driver.Participant{
			{Phone: "5491112345678", Role: driver.SuperAdmin}, {Phone: "5491187654321"}}}
)

func (f *fakeGroups) Groups(_ context.Context, name string) ([]driver.GroupSummary, error) {
	return []driver.GroupSummary{sample.Summary("5491112345678")}, f.ask("groups", name)
}

func (f *fakeGroups) CreateGroup(_ context.Context, name, subject string, ps []string) (driver.Group, error) {
	return sample, f.ask("create", name, subject, ps)
}

func (f *fakeGroups) Group(_ context.Context, name, id string) (driver.Group, error) {
	return sample, f.ask("group", name, id)
}

func (f *fakeGroups) UpdateGroup(_ context.Context, name, id string, c driver.GroupChange) (driver.Group, error) {
	return sample, f.ask("update", name, id, *c.Subject, c.Description == nil, *c.Announce, c.Locked == nil)
}

func (f *fakeGroups) UpdateParticipants(_ context.Context, name, id string, a driver.ParticipantAction, ps []string) ([]driver.ParticipantResult, error) {
	return []driver.ParticipantResult{{Phone: ps[0], Status: driver.ParticipantOK},
		{Phone: ps[1], Status: driver.ParticipantRefused, Error: "not a participant"}}, f.ask("participants", name, id, a, ps)
}

func (f *fakeGroups) InviteLink(_ context.Context, name, id string, reset bool) (string, error) {
	return "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv", f.ask("invite", name, id, reset)
}

func (f *fakeGroups) JoinGroup(_ context.Context, name, link string) (string, error) {
	return sample.ID, f.ask("join", name, link)
}

func (f *fakeGroups) LeaveGroup(_ context.Context, name, id string) error {
	return f.ask("leave", name, id)
}

func (f *fakeGroups) CheckContacts(_ context.Context, name string, ps []string) ([]bool, error) {
	return []bool{true, false}, f.ask("check", name, ps)
}

func (f *fakeGroups) Contact(_ context.Context, name, phone string) (driver.Contact, error) {
	return driver.Contact{Phone: phone, OnWhatsApp: true, About: "Hola"}, f.ask("contact", name, phone)
}

func (f *fakeGroups) Block(_ context.Context, name, phone string, block bool) error {
	return f.ask("block", name, phone, block)
}

// TestGroupRoundTrip: every group and contact operation crosses the
// queue with its arguments and comes back with the host's answer, and
// the host's errors arrive as the API maps them.
func TestGroupRoundTrip(t *testing.T) {
	q, res := newMemQueue(nil), newMemResults(nil)
	exec := &fakeExec{}
	log, _ := newLog()
	w, err := command.NewWorker(command.WorkerConfig{Queue: q, Results: res, Sessions: exec, Clock: clock.Real{}, Log: log})
	require.NoError(t, err)
	c, err := command.NewClient(command.ClientConfig{Queue: q, Results: res, Clock: clock.Real{}, Log: log,
		Poll: 2 * time.Millisecond, Timeout: 5 * time.Second})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	defer func() { cancel(); require.NoError(t, <-done) }()

	const inst, gid = "acme__sales__main", "120363025246125486@g.us"
	two := []string{"5491187654321", "5491100000000"}
	gs, err := c.Groups(ctx, inst)
	require.NoError(t, err)
	require.Equal(t, []driver.GroupSummary{{ID: gid, Subject: "Ventas", Participants: 2, IsAdmin: true}}, gs)
	g, err := c.CreateGroup(ctx, inst, "Ventas", two)
	require.NoError(t, err)
	require.Equal(t, sample, g)
	g, err = c.Group(ctx, inst, gid)
	require.NoError(t, err)
	require.Equal(t, sample, g)
	subject, yes := "Ventas 2", true
	_, err = c.UpdateGroup(ctx, inst, gid, driver.GroupChange{Subject: &subject, Announce: &yes})
	require.NoError(t, err)
	rs, err := c.UpdateParticipants(ctx, inst, gid, driver.Remove, two)
	require.NoError(t, err)
	require.Equal(t, driver.ParticipantRefused, rs[1].Status)
	require.Equal(t, "not a participant", rs[1].Error)
	link, err := c.InviteLink(ctx, inst, gid, true)
	require.NoError(t, err)
	require.Equal(t, "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv", link)
	id, err := c.JoinGroup(ctx, inst, link)
	require.NoError(t, err)
	require.Equal(t, gid, id)
	require.NoError(t, c.LeaveGroup(ctx, inst, gid))
	on, err := c.CheckContacts(ctx, inst, two)
	require.NoError(t, err)
	require.Equal(t, []bool{true, false}, on)
	ct, err := c.Contact(ctx, inst, two[0])
	require.NoError(t, err)
	require.Equal(t, driver.Contact{Phone: two[0], OnWhatsApp: true, About: "Hola"}, ct)
	require.NoError(t, c.Block(ctx, inst, two[0], false))

	exec.fakeGroups.mu.Lock()
	asked := exec.fakeGroups.asked
	exec.fakeGroups.mu.Unlock()
	require.Equal(t, []any{
		[]any{"groups", inst},
		[]any{"create", inst, "Ventas", two},
		[]any{"group", inst, gid},
		[]any{"update", inst, gid, "Ventas 2", true, true, true},
		[]any{"participants", inst, gid, driver.Remove, two},
		[]any{"invite", inst, gid, true},
		[]any{"join", inst, link},
		[]any{"leave", inst, gid},
		[]any{"check", inst, two},
		[]any{"contact", inst, two[0]},
		[]any{"block", inst, two[0], false},
	}, asked, "each operation reached the host once, with its arguments")

	for _, tc := range []struct {
		err  error
		kind error
		msg  string
	}{
		{fault.New(fault.ErrConflict, "WhatsApp refused: not an admin"), fault.ErrConflict, "WhatsApp refused: not an admin"},
		{fault.New(fault.ErrNotFound, "Group not found"), fault.ErrNotFound, "Group not found"},
		{fault.New(fault.ErrSession, "WhatsApp session error: could not leave the group"), fault.ErrSession, ""},
		{errors.New("whatsmeow: websocket closed"), command.ErrHostFailed, ""},
	} {
		exec.fakeGroups.mu.Lock()
		exec.fakeGroups.err = tc.err
		exec.fakeGroups.mu.Unlock()
		err := c.LeaveGroup(ctx, inst, gid)
		require.ErrorIs(t, err, tc.kind)
		var fe *fault.Error
		if tc.msg != "" {
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.msg, fe.Msg)
		}
	}
}

// TestGroupCommandChecks: a group command needs its arguments, and a
// session command takes none.
func TestGroupCommandChecks(t *testing.T) {
	at := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)
	_, err := command.EncodeCommand(command.Command{ID: "c1", Kind: command.KindLeave, Instance: "i", IssuedAt: at})
	require.Error(t, err)
	_, err = command.EncodeCommand(command.Command{ID: "c1", Kind: command.KindLogout, Instance: "i", IssuedAt: at,
		Args: []byte(`{"group":"1@g.us"}`)})
	require.Error(t, err)
	b, err := command.EncodeCommand(command.Command{ID: "c1", Kind: command.KindLeave, Instance: "i", IssuedAt: at,
		Args: []byte(`{"group":"120363025246125486@g.us"}`)})
	require.NoError(t, err)
	got, err := command.DecodeCommand(b)
	require.NoError(t, err)
	require.JSONEq(t, `{"group":"120363025246125486@g.us"}`, string(got.Args))
}
