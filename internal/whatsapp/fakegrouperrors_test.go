package whatsapp

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// TestGroupRefusalsOnFakeServer: WhatsApp's answers to what a plain member
// may not do are RefusedErrors with its reason (409); a group that does
// not exist or that the instance is not in is ErrNoGroup (404).
func TestGroupRefusalsOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, _, _ := withGroupEvents(t, srv, phoneA)
	ours, err := srv.CreateGroup(groupID, "Ventas", phoneB, phoneA)
	require.NoError(t, err)
	others, err := srv.CreateGroup("120363000000000009", "Not ours", phoneB, phoneC)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, srv.SetGroupLocked(ctx, ours, phoneB, true))
	subject, long, yes := "Mine", strings.Repeat("x", 101), true

	ops := map[string]func(id string) error{
		"read": func(id string) error { _, err := d.Group(ctx, inst, id); return err },
		"subject": func(id string) error {
			return d.UpdateGroup(ctx, inst, id, driver.GroupChange{Subject: &subject})
		},
		"announce": func(id string) error {
			return d.UpdateGroup(ctx, inst, id, driver.GroupChange{Announce: &yes})
		},
		"add": func(id string) error {
			_, err := d.UpdateParticipants(ctx, inst, id, driver.Add, []string{phoneC})
			return err
		},
		"remove": func(id string) error {
			_, err := d.UpdateParticipants(ctx, inst, id, driver.Remove, []string{phoneB})
			return err
		},
		"invite":       func(id string) error { _, err := d.InviteLink(ctx, inst, id, false); return err },
		"revoke":       func(id string) error { _, err := d.InviteLink(ctx, inst, id, true); return err },
		"leave":        func(id string) error { return d.LeaveGroup(ctx, inst, id) },
		"bad subject":  func(id string) error { return d.UpdateGroup(ctx, inst, id, driver.GroupChange{Subject: &long}) },
		"not a number": func(id string) error { _, err := d.Group(ctx, inst, phoneB); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, op("120363000000000000@g.us"), driver.ErrNoGroup, "no such group (404)")
			require.ErrorIs(t, op(others.String()), driver.ErrNoGroup, "not a member (403)")
		})
	}

	for _, name := range []string{"subject", "announce", "add", "remove", "invite", "revoke"} {
		t.Run(name+" as a plain member", func(t *testing.T) {
			var refused *driver.RefusedError
			require.ErrorAs(t, ops[name](ours.String()), &refused)
			require.Equal(t, "only group admins can do this (401 not-authorized)", refused.Reason)
		})
	}

	require.NoError(t, srv.ChangeParticipants(ctx, ours, phoneB, whatsapptest.GroupPromote, phoneA))
	var refused *driver.RefusedError
	require.ErrorAs(t, ops["bad subject"](ours.String()), &refused, "too long a subject")
	require.Contains(t, refused.Reason, "(406 not-acceptable)")
	require.NoError(t, ops["subject"](ours.String()), "an admin may")
}

// TestGroupOpsNotConnected: every operation needs the open connection.
func TestGroupOpsNotConnected(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, _, _ := withGroupEvents(t, srv, phoneA)
	jid, err := srv.CreateGroup(groupID, "Ventas", phoneA, phoneB)
	require.NoError(t, err)
	ctx := context.Background()
	d.Disconnect(inst)
	id := jid.String()
	for name, op := range map[string]func() error{
		"groups": func() error { _, err := d.Groups(ctx, inst); return err },
		"create": func() error { _, err := d.CreateGroup(ctx, inst, "x", []string{phoneB}); return err },
		"group":  func() error { _, err := d.Group(ctx, inst, id); return err },
		"update": func() error { return d.UpdateGroup(ctx, inst, id, driver.GroupChange{}) },
		"participants": func() error {
			_, err := d.UpdateParticipants(ctx, inst, id, driver.Add, []string{phoneC})
			return err
		},
		"invite":  func() error { _, err := d.InviteLink(ctx, inst, id, false); return err },
		"join":    func() error { _, err := d.JoinGroup(ctx, inst, "https://chat.whatsapp.com/x"); return err },
		"leave":   func() error { return d.LeaveGroup(ctx, inst, id) },
		"check":   func() error { _, err := d.CheckContacts(ctx, inst, []string{phoneB}); return err },
		"contact": func() error { _, err := d.Contact(ctx, inst, phoneB); return err },
		"block":   func() error { return d.Block(ctx, inst, phoneB, true) },
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, op(), driver.ErrNotConnected)
		})
	}
}
