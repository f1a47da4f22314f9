package httpapi

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// TestSentExtras: mentions and viewOnce are null where the kind has no
// such field, [] and false where it has but the send left them out.
func TestSentExtras(t *testing.T) {
	f := false
	tr := true
	for _, tt := range []struct {
		out      driver.Outbound
		mentions []string
		viewOnce *bool
	}{
		{driver.Outbound{Type: message.Text}, []string{}, nil},
		{driver.Outbound{Type: message.Text, Mentions: []string{"5491112345678"}}, []string{"5491112345678"}, nil},
		{driver.Outbound{Type: message.Image}, []string{}, &f},
		{driver.Outbound{Type: message.Video, ViewOnce: true}, []string{}, &tr},
		{driver.Outbound{Type: message.Document, Mentions: []string{"5491112345678"}}, []string{"5491112345678"}, nil},
		{driver.Outbound{Type: message.Audio}, nil, nil},
		{driver.Outbound{Type: message.Location}, nil, nil},
		{driver.Outbound{Type: message.Poll}, nil, nil},
		{driver.Outbound{Type: message.Type(message.ChangeEdit)}, nil, nil},
	} {
		m, v := sentExtras(SandboxSent{Outbound: tt.out})
		require.Equal(t, tt.mentions, m, "%s mentions", tt.out.Type)
		require.Equal(t, tt.viewOnce, v, "%s viewOnce", tt.out.Type)
	}
}
