package host

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/message"
)

func TestChatPresenceRule(t *testing.T) {
	for _, tc := range []struct {
		typ   message.Type
		want  driver.ChatPresence
		shown bool
	}{
		{message.Text, driver.Composing, true},
		{message.Image, driver.Composing, true},
		{message.Document, driver.Composing, true},
		{message.Video, driver.Composing, true},
		{message.Audio, driver.Recording, true},
		{message.Reaction, "", false},
		{"", "", false},
	} {
		t.Run(string(tc.typ), func(t *testing.T) {
			got, ok := chatPresence(message.Message{Type: tc.typ})
			require.Equal(t, tc.shown, ok)
			require.Equal(t, tc.want, got)
		})
	}
	require.True(t, showsTyping(heldMsg{id: "m"}), "a send")
	require.False(t, showsTyping(heldMsg{id: "c", change: &gateway.QueueBody{MessageID: "m"}}), "an edit or deletion")
}
