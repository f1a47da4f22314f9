package whatsapptest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/types"
)

// TestChatStates: the server records each chatstate with its chat, state
// and media, and whether the connection had announced itself available
// before (only then does WhatsApp show it).
func TestChatStates(t *testing.T) {
	s := NewServer(t)
	c, jid := link(t, s, phoneA)
	ctx := context.Background()
	chat := types.NewJID(phoneB, types.DefaultUserServer)

	require.NoError(t, c.SendChatPresence(ctx, chat, types.ChatPresenceComposing, types.ChatPresenceMediaText))
	// whatsmeow announces only once it knows the account's name, which
	// WhatsApp's app state brings and this server does not: set it as
	// that sync would.
	c.Store.PushName = "Acme"
	require.NoError(t, c.SendPresence(ctx, types.PresenceAvailable))
	require.NoError(t, c.SendChatPresence(ctx, chat, types.ChatPresenceComposing, types.ChatPresenceMediaText))
	require.NoError(t, c.SendChatPresence(ctx, chat, types.ChatPresencePaused, types.ChatPresenceMediaText))
	require.NoError(t, c.SendChatPresence(ctx, chat, types.ChatPresenceComposing, types.ChatPresenceMediaAudio))

	type seen struct {
		To, Phone, State, Media string
		Shown                   bool
	}
	want := []seen{
		{chat.String(), phoneB, "composing", "", false},
		{chat.String(), phoneB, "composing", "", true},
		{chat.String(), phoneB, "paused", "", true},
		{chat.String(), phoneB, "composing", "audio", true},
	}
	var got []seen
	require.Eventually(t, func() bool { // nodes arrive after the calls return
		got = got[:0]
		for _, st := range s.ChatStates(jid) {
			require.Equal(t, jid, st.From)
			got = append(got, seen{st.To.String(), st.Phone, st.State, st.Media, st.Shown})
		}
		return len(got) >= len(want)
	}, wait, time.Millisecond)
	require.Equal(t, want, got)
}
