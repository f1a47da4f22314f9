package drivertest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
)

// linkConnectSend is the newcomer's path: nothing sends before the
// instance is open, then every type goes out intact and in order.
func linkConnectSend(t *testing.T, s *setup) {
	ctx := context.Background()
	outs := outbounds(phoneB)
	require.ErrorIs(t, s.d.Send(ctx, instA, outs[0]), driver.ErrNotConnected, "send before linking")
	_, err := s.d.Device(ctx, instA)
	require.ErrorIs(t, err, driver.ErrNotLinked, "device before linking")

	require.NoError(t, s.d.Link(ctx, instA))
	require.NotEmpty(t, s.ev.Expect(t, instA, QR).Code, "the first QR code comes at once")
	require.ErrorIs(t, s.d.Send(ctx, instA, outs[0]), driver.ErrNotConnected, "send while linking")
	require.NoError(t, s.p.Scan(instA, phoneA))
	s.ev.Expect(t, instA, Connecting)
	require.Equal(t, phoneA, s.ev.Expect(t, instA, Connected).Phone)

	for _, o := range outs {
		require.NoError(t, s.d.Send(ctx, instA, o), "send %s", o.Type)
	}
	require.Equal(t, onWire(outs), onWire(s.p.Sent(instA)))

	dev, err := s.d.Device(ctx, instA)
	require.NoError(t, err)
	require.NotEmpty(t, dev.Name)
	require.NotEmpty(t, dev.Platform)

	require.Error(t, s.d.Link(ctx, instA), "linking a linked instance")
	_, err = s.d.PairingCode(ctx, instA, phoneA)
	require.Error(t, err, "pairing a linked instance")
	s.ev.Quiet(t, instA)
}

// qrRotation follows WhatsApp's schedule on the fake clock: a code that
// lives 60 s, five more that live 20 s each, then linking ends.
func qrRotation(t *testing.T, s *setup) {
	ctx := context.Background()
	require.NoError(t, s.d.Link(ctx, instA))
	codes := map[string]bool{s.ev.Expect(t, instA, QR).Code: true}

	life := firstQRLife
	for i := 0; i < qrRotations; i++ {
		waitTimer(t, s.clk)
		s.clk.Advance(life - time.Second)
		s.ev.Quiet(t, instA)
		s.clk.Advance(time.Second)
		code := s.ev.Expect(t, instA, QR).Code
		require.False(t, codes[code], "rotation %d repeats a code", i+1)
		codes[code] = true
		life = nextQRLife
	}

	waitTimer(t, s.clk)
	s.clk.Advance(nextQRLife)
	require.Equal(t, driver.Reason(""), s.ev.Expect(t, instA, Disconnected).Reason, "linking expired")
	require.ErrorIs(t, s.p.Scan(instA, phoneA), driver.ErrNotLinking, "scan after expiry")
	s.clk.Advance(time.Hour)
	s.ev.Quiet(t, instA)

	require.NoError(t, s.d.Link(ctx, instA), "linking again after expiry")
	require.NotEmpty(t, s.ev.Expect(t, instA, QR).Code)
}

// linkAgain: a second Link starts over with a fresh code, and neither the
// old nor the new rotation reports anything once the phone has scanned.
func linkAgain(t *testing.T, s *setup) {
	ctx := context.Background()
	require.NoError(t, s.d.Link(ctx, instA))
	first := s.ev.Expect(t, instA, QR).Code
	require.NoError(t, s.d.Link(ctx, instA))
	require.NotEqual(t, first, s.ev.Expect(t, instA, QR).Code, "restarted linking shows a new code at once")

	require.NoError(t, s.p.Scan(instA, phoneA))
	s.ev.Expect(t, instA, Connecting)
	require.Equal(t, phoneA, s.ev.Expect(t, instA, Connected).Phone)
	s.clk.Advance(10 * time.Minute)
	s.ev.Quiet(t, instA)
}

// pairingCode links by phone number; QR codes may be reported meanwhile,
// as WhatsApp keeps rotating them underneath.
func pairingCode(t *testing.T, s *setup) {
	ctx := context.Background()
	_, err := s.d.PairingCode(ctx, instA, "12ab")
	require.Error(t, err, "a pairing code for an invalid number")

	for range 2 { // the second call continues the linking the first started
		code, err := s.d.PairingCode(ctx, instA, phoneA)
		require.NoError(t, err)
		require.Regexp(t, `^[A-Z0-9]{4}-[A-Z0-9]{4}$`, code)
	}
	require.NoError(t, s.p.Scan(instA, phoneA))
	s.ev.WaitFor(t, instA, Connecting)
	require.Equal(t, phoneA, s.ev.Expect(t, instA, Connected).Phone)
	_, err = s.d.Device(ctx, instA)
	require.NoError(t, err)
	s.ev.Quiet(t, instA)
}

// scanWithoutLinking: a phone can only complete a linking under way.
func scanWithoutLinking(t *testing.T, s *setup) {
	require.ErrorIs(t, s.p.Scan(instA, phoneA), driver.ErrNotLinking, "never linked")
	s.link(t, instA, phoneA)
	require.ErrorIs(t, s.p.Scan(instA, phoneB), driver.ErrNotLinking, "already linked")
	s.ev.Quiet(t, instA)
}
