package whatsapptest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// noReconnect waits out whatsmeow's immediate auto-reconnect and checks
// that the device did not come back.
func noReconnect(t *testing.T, s *Server, c *client, jid types.JID) {
	t.Helper()
	quiet[*events.Connected](t, c, 500*time.Millisecond)
	require.False(t, s.Connected(jid))
}

func TestControls(t *testing.T) {
	cases := []struct {
		name  string
		apply func(s *Server, jid types.JID) error
		check func(t *testing.T, s *Server, c *client, jid types.JID)
	}{
		{"stream replaced", func(s *Server, jid types.JID) error { return s.StreamReplaced(jid) },
			func(t *testing.T, s *Server, c *client, jid types.JID) {
				next[*events.StreamReplaced](t, c)
				noReconnect(t, s, c, jid)
				require.Equal(t, []types.JID{jid}, s.Devices(phoneA), "still linked")
			}},
		{"temporary ban", func(s *Server, jid types.JID) error {
			return s.TemporaryBan(jid, events.TempBanSentToTooManyPeople, 24*time.Hour)
		}, func(t *testing.T, s *Server, c *client, jid types.JID) {
			ban := next[*events.TemporaryBan](t, c)
			require.Equal(t, events.TempBanSentToTooManyPeople, ban.Code)
			require.Equal(t, 24*time.Hour, ban.Expire)
			noReconnect(t, s, c, jid)

			require.NoError(t, c.Connect(), "a banned account fails at login")
			require.Equal(t, events.TempBanSentToTooManyPeople, next[*events.TemporaryBan](t, c).Code)
			noReconnect(t, s, c, jid)
			s.Unban(jid)
			require.NoError(t, c.Connect())
			next[*events.Connected](t, c)
		}},
		{"logged out", func(s *Server, jid types.JID) error { return s.LoggedOut(jid) },
			func(t *testing.T, s *Server, c *client, jid types.JID) {
				out := next[*events.LoggedOut](t, c)
				require.False(t, out.OnConnect)
				require.Equal(t, events.ConnectFailureLoggedOut, out.Reason)
				noReconnect(t, s, c, jid)
				require.Empty(t, s.Devices(phoneA))
				require.Eventually(t, func() bool { return !c.stored(t) }, wait, 20*time.Millisecond,
					"whatsmeow deletes the device")
			}},
		{"client outdated", func(s *Server, jid types.JID) error { return s.ClientOutdated(jid) },
			func(t *testing.T, s *Server, c *client, jid types.JID) {
				next[*events.ClientOutdated](t, c)
				noReconnect(t, s, c, jid)
			}},
		{"drop", func(s *Server, jid types.JID) error { return s.Drop(jid) },
			func(t *testing.T, s *Server, c *client, jid types.JID) {
				next[*events.Disconnected](t, c)
				next[*events.Connected](t, c) // whatsmeow's auto-reconnect is on by default
				require.True(t, s.Connected(jid))
			}},
		{"drop without auto-reconnect", func(s *Server, jid types.JID) error { return s.Drop(jid) },
			func(t *testing.T, s *Server, c *client, jid types.JID) {
				next[*events.Disconnected](t, c)
				require.Eventually(t, func() bool { return !s.Connected(jid) }, wait, 10*time.Millisecond)
				require.NoError(t, c.Connect())
				next[*events.Connected](t, c)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewServer(t)
			c, jid := link(t, s, phoneA, func(c *client) {
				c.EnableAutoReconnect = tc.name != "drop without auto-reconnect"
			})
			require.NoError(t, tc.apply(s, jid))
			tc.check(t, s, c, jid)
		})
	}
}

func TestControlsNeedADevice(t *testing.T) {
	s := NewServer(t)
	nobody := types.NewJID(phoneB, types.DefaultUserServer)
	require.ErrorIs(t, s.StreamReplaced(nobody), ErrNotConnected)
	require.ErrorIs(t, s.Drop(nobody), ErrNotConnected)
	require.ErrorIs(t, s.ClientOutdated(nobody), ErrNotConnected)
	require.ErrorIs(t, s.LoggedOut(nobody), ErrUnknownDevice)
	require.ErrorIs(t, s.TemporaryBan(nobody, events.TempBanBlockedByUsers, time.Hour), ErrUnknownDevice)
}

func TestLoggedOutWhileOffline(t *testing.T) {
	s := NewServer(t)
	c, jid := link(t, s, phoneA)
	c.Disconnect()
	require.Eventually(t, func() bool { return !s.Connected(jid) }, wait, 10*time.Millisecond)
	require.NoError(t, s.LoggedOut(types.NewJID(phoneA, types.DefaultUserServer)))

	require.NoError(t, c.Connect())
	out := next[*events.LoggedOut](t, c)
	require.True(t, out.OnConnect, "the login itself fails")
	require.Eventually(t, func() bool { return !c.stored(t) }, wait, 20*time.Millisecond)
}

func TestSecondConnectionReplacesFirst(t *testing.T) {
	s := NewServer(t)
	dir := t.TempDir()
	first := newClient(t, s, dir)
	qr, err := first.GetQRChannel(t.Context())
	require.NoError(t, err)
	require.NoError(t, first.Connect())
	jid, err := s.Scan(t.Context(), nextCode(t, qr).Code, phoneA)
	require.NoError(t, err)
	next[*events.Connected](t, first)

	second := newClient(t, s, dir) // the same device from another process
	require.NoError(t, second.Connect())
	next[*events.Connected](t, second)
	next[*events.StreamReplaced](t, first)
	require.True(t, s.Connected(jid))
}

func TestClientLogout(t *testing.T) {
	s := NewServer(t)
	c, jid := link(t, s, phoneA)
	require.NoError(t, c.Logout(t.Context()))
	require.Empty(t, s.Devices(phoneA), "the server unlinked the device")
	require.Eventually(t, func() bool { return !s.Connected(jid) }, wait, 10*time.Millisecond)
	require.False(t, c.stored(t))
}
