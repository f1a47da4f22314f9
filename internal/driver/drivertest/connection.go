package drivertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
)

// connectionLost: the device stays linked, so the host can reconnect it.
func connectionLost(t *testing.T, s *setup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	require.NoError(t, s.p.Drop(instA, driver.ConnectionLost))
	require.Equal(t, driver.ConnectionLost, s.ev.Expect(t, instA, Disconnected).Reason)
	out := outbounds(phoneB)[0]
	require.ErrorIs(t, s.d.Send(ctx, instA, out), driver.ErrNotConnected)
	_, err := s.d.Device(ctx, instA)
	require.NoError(t, err, "a lost connection keeps the device linked")

	require.NoError(t, s.d.Connect(ctx, instA, phoneA))
	s.ev.Expect(t, instA, Connecting)
	require.Equal(t, phoneA, s.ev.Expect(t, instA, Connected).Phone)
	require.NoError(t, s.d.Send(ctx, instA, out))
	require.Equal(t, onWire(outbounds(phoneB)[:1]), onWire(s.p.Sent(instA)))
	s.ev.Quiet(t, instA)
}

// loggedOutByPhone: the user removed the linked device; only linking
// again brings the instance back.
func loggedOutByPhone(t *testing.T, s *setup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	require.NoError(t, s.p.Drop(instA, driver.LoggedOut))
	require.Equal(t, driver.LoggedOut, s.ev.Expect(t, instA, Disconnected).Reason)
	require.ErrorIs(t, s.d.Connect(ctx, instA, phoneA), driver.ErrNotLinked)
	_, err := s.d.Device(ctx, instA)
	require.ErrorIs(t, err, driver.ErrNotLinked)
	require.ErrorIs(t, s.d.Send(ctx, instA, outbounds(phoneB)[0]), driver.ErrNotConnected)
	s.ev.Quiet(t, instA)
	s.link(t, instA, phoneA)
}

// replacedAndBanned are reported with their own reasons, so the host can
// tell them from a lost connection and not reconnect.
func replacedAndBanned(t *testing.T, s *setup) {
	ctx := context.Background()
	for _, c := range []struct {
		inst   string
		reason driver.Reason
	}{{instA, driver.Replaced}, {instB, driver.Banned}} {
		inst, reason := c.inst, c.reason
		s.link(t, inst, phoneA)
		require.NoError(t, s.p.Drop(inst, reason))
		require.Equal(t, reason, s.ev.Expect(t, inst, Disconnected).Reason)
		require.ErrorIs(t, s.d.Send(ctx, inst, outbounds(phoneB)[0]), driver.ErrNotConnected, "send after %s", reason)
		s.ev.Quiet(t, inst)
	}
}

// logout: the gateway unlinks; the device is gone for good.
func logout(t *testing.T, s *setup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	require.NoError(t, s.d.Logout(ctx, instA))
	require.Equal(t, driver.LoggedOut, s.ev.Expect(t, instA, Disconnected).Reason)
	_, err := s.d.Device(ctx, instA)
	require.ErrorIs(t, err, driver.ErrNotLinked)
	require.ErrorIs(t, s.d.Send(ctx, instA, outbounds(phoneB)[0]), driver.ErrNotConnected)
	require.ErrorIs(t, s.d.Connect(ctx, instA, phoneA), driver.ErrNotLinked)
	require.ErrorIs(t, s.d.Logout(ctx, instA), driver.ErrNotLinked, "logging out twice")
	s.ev.Quiet(t, instA)
	s.link(t, instA, phoneA)
}

// disconnect is the host letting go (restart, shutdown, lease lost): it
// must not look like an event the host would react to.
func disconnect(t *testing.T, s *setup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	s.d.Disconnect(instA)
	s.ev.Quiet(t, instA)
	require.ErrorIs(t, s.d.Send(ctx, instA, outbounds(phoneB)[0]), driver.ErrNotConnected)
	_, err := s.d.Device(ctx, instA)
	require.NoError(t, err, "disconnecting keeps the device linked")
	require.NoError(t, s.d.Connect(ctx, instA, phoneA))
	s.ev.Expect(t, instA, Connecting)
	require.Equal(t, phoneA, s.ev.Expect(t, instA, Connected).Phone)

	require.NoError(t, s.d.Link(ctx, instB))
	s.ev.Expect(t, instB, QR)
	s.d.Disconnect(instB)
	require.ErrorIs(t, s.p.Scan(instB, phoneB), driver.ErrNotLinking, "disconnecting ends linking")
	s.clk.Advance(10 * time.Minute)
	s.ev.Quiet(t, instB)

	s.d.Disconnect("acme__nobody__main") // nothing to drop: no panic, no event
	s.ev.Quiet(t, instA)
}

// inbound messages reach the host intact, and a message the host refuses
// is not acknowledged to WhatsApp.
func inbound(t *testing.T, s *setup) {
	s.link(t, instA, phoneA)
	ins := []driver.Inbound{
		{MessageID: "AC3EADB76DB5BE4130602FBF2039604A", From: phoneB, Chat: phoneB, PushName: "Juan Pérez",
			MessageType: "conversation", Text: "Hello, I need help", Timestamp: time.Unix(1773596760, 0).UTC()},
		{MessageID: "3EB0C767D71D3A9E2A1F5E", From: phoneB, Chat: phoneB, PushName: "Juan Pérez",
			MessageType: "imageMessage", Caption: "this one", Timestamp: time.Unix(1773596790, 0).UTC(),
			Media: &driver.InboundMedia{Mimetype: "image/jpeg", Size: 48213}},
	}
	for _, in := range ins {
		require.NoError(t, s.p.Inbound(instA, in))
		requireInbound(t, in, s.ev.Expect(t, instA, Received).Inbound)
	}

	s.ev.RejectReceived(errors.New("store unavailable"))
	require.Error(t, s.p.Inbound(instA, ins[0]), "a refused message is not acknowledged")
	s.ev.Expect(t, instA, Received)
	s.ev.RejectReceived(nil)
	require.NoError(t, s.p.Inbound(instA, ins[1]))
	requireInbound(t, ins[1], s.ev.Expect(t, instA, Received).Inbound)
	s.ev.Quiet(t, instA)
}

// requireInbound compares timestamps as instants: a driver may rebuild
// them from WhatsApp's Unix seconds, in another location. Media is
// compared as described; how Open gets the bytes is each driver's.
func requireInbound(t *testing.T, want, got driver.Inbound) {
	t.Helper()
	require.True(t, want.Timestamp.Equal(got.Timestamp), "timestamp %s, want %s", got.Timestamp, want.Timestamp)
	want.Timestamp, got.Timestamp = time.Time{}, time.Time{}
	for _, m := range []**driver.InboundMedia{&want.Media, &got.Media} {
		if *m != nil {
			described := **m
			described.Open = nil
			*m = &described
		}
	}
	require.Equal(t, want, got)
}

// connectAfterRestart: a new process (a new driver from the harness)
// reconnects with the number the host stored.
func connectAfterRestart(t *testing.T, s *setup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	s.d.Disconnect(instA) // shutdown

	ev := NewRecorder()
	d, p := s.h(t, ev, s.clk)
	require.NoError(t, d.Connect(ctx, instA, phoneA))
	ev.Expect(t, instA, Connecting)
	require.Equal(t, phoneA, ev.Expect(t, instA, Connected).Phone)
	out := outbounds(phoneB)[0]
	require.NoError(t, d.Send(ctx, instA, out))
	require.Equal(t, onWire([]driver.Outbound{out}), onWire(p.Sent(instA)))
	_, err := d.Device(ctx, instA)
	require.NoError(t, err)
	ev.Quiet(t, instA)
	s.ev.Quiet(t, instA)
}

// independent: what happens to one instance never shows on another.
func independent(t *testing.T, s *setup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	s.link(t, instB, phoneB)

	require.NoError(t, s.p.Drop(instA, driver.ConnectionLost))
	require.Equal(t, driver.ConnectionLost, s.ev.Expect(t, instA, Disconnected).Reason)
	s.ev.Quiet(t, instB)

	out := outbounds(phoneA)[0]
	require.ErrorIs(t, s.d.Send(ctx, instA, out), driver.ErrNotConnected)
	require.NoError(t, s.d.Send(ctx, instB, out))
	require.Empty(t, s.p.Sent(instA))
	require.Equal(t, onWire([]driver.Outbound{out}), onWire(s.p.Sent(instB)))

	in := driver.Inbound{MessageID: "3EB0AAAABBBBCCCCDDDD01", From: phoneA, Chat: phoneA, MessageType: "conversation",
		Text: "hi B", Timestamp: time.Unix(1773596760, 0).UTC()}
	require.NoError(t, s.p.Inbound(instB, in))
	requireInbound(t, in, s.ev.Expect(t, instB, Received).Inbound)
	s.ev.Quiet(t, instA)

	require.NoError(t, s.d.Logout(ctx, instB))
	require.Equal(t, driver.LoggedOut, s.ev.Expect(t, instB, Disconnected).Reason)
	require.NoError(t, s.d.Connect(ctx, instA, phoneA))
	s.ev.Expect(t, instA, Connecting)
	require.Equal(t, phoneA, s.ev.Expect(t, instA, Connected).Phone)
	s.ev.Quiet(t, instB)
}
