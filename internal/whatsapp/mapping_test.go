package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

func TestSendFailure(t *testing.T) {
	permanent := func(reason string) error { return &driver.SendError{Reason: reason} }
	server := func(code int) error { return fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, code) }
	transient := errors.New("transient")
	tests := []struct {
		name string
		err  error
		want error // a *driver.SendError, driver.ErrNotConnected, or transient (returned as is)
	}{
		{"reach-out timelock", server(463), permanent(ReachOutLocked)},
		{"other 4xx from the server", server(479), permanent("message rejected by WhatsApp (error 479)")},
		{"5xx from the server", server(500), transient},
		{"media refused", errors.New("upload image: upload failed with status code 413"), permanent(MediaRejected + " (HTTP 413)")},
		{"media server down", errors.New("upload failed with status code 502"), transient},
		{"number without an account", errors.New("no LID found for 5491100000000@s.whatsapp.net from server"), permanent(NotOnWhatsApp)},
		{"no such group", fmt.Errorf("failed to get group members: %w", whatsmeow.ErrGroupNotFound), permanent(GroupNotFound)},
		{"not in the group", fmt.Errorf("failed to get group members: %w", whatsmeow.ErrNotInGroup), permanent(NotInGroup)},
		{"already a SendError", fmt.Errorf("x: %w", permanent(NotOnWhatsApp)), permanent(NotOnWhatsApp)},
		{"socket gone", whatsmeow.ErrNotConnected, driver.ErrNotConnected},
		{"not logged in", whatsmeow.ErrNotLoggedIn, driver.ErrNotConnected},
		{"dropped while waiting", &whatsmeow.DisconnectedError{Action: "message send"}, driver.ErrNotConnected},
		{"timed out", whatsmeow.ErrMessageTimedOut, transient},
		{"context", context.DeadlineExceeded, transient},
		{"a number in another error", errors.New("usync: info query returned status 429: rate-overlimit"), transient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sendFailure(tt.err)
			var want *driver.SendError
			switch {
			case errors.As(tt.want, &want):
				var se *driver.SendError
				require.ErrorAs(t, got, &se)
				require.Equal(t, want.Reason, se.Reason)
			case tt.want == driver.ErrNotConnected:
				require.ErrorIs(t, got, driver.ErrNotConnected)
			default:
				var se *driver.SendError
				require.False(t, errors.As(got, &se), "transient errors are retried: %v", got)
				require.NotErrorIs(t, got, driver.ErrNotConnected)
				require.ErrorIs(t, got, tt.err)
			}
		})
	}
	require.NoError(t, sendFailure(nil))
}

func TestStatusAfter(t *testing.T) {
	for _, tt := range []struct {
		text string
		code int
		ok   bool
	}{
		{"server returned error 463", 463, true},
		{"send: server returned error 479: extra", 479, true},
		{"server returned error ", 0, false},
		{"server returned error x12", 0, false},
		{"server returned error 12345", 0, false},
		{"nothing here", 0, false},
	} {
		code, ok := statusAfter(tt.text, serverErrorPrefix)
		require.Equal(t, tt.ok, ok, tt.text)
		require.Equal(t, tt.code, code, tt.text)
	}
}

func FuzzStatusAfter(f *testing.F) {
	for _, s := range []string{"server returned error 463", "server returned error ", "server returned error 9999", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		code, ok := statusAfter(text, serverErrorPrefix)
		if !ok {
			require.Zero(t, code)
			return
		}
		require.True(t, code >= 0 && code <= 999, "code %d", code)
		i := strings.LastIndex(text, serverErrorPrefix)
		require.GreaterOrEqual(t, i, 0)
		n, err := strconv.Atoi(digitsAt(text[i+len(serverErrorPrefix):]))
		require.NoError(t, err)
		require.Equal(t, n, code, "the digits right after the prefix")
		// what whatsmeow writes always parses back
		back, ok := statusAfter(fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, code).Error(), serverErrorPrefix)
		require.True(t, ok)
		require.Equal(t, code, back)
	})
}

// digitsAt is the run of ASCII digits at the start of s.
func digitsAt(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func TestConnectionChange(t *testing.T) {
	tests := []struct {
		name string
		evt  any
		want change
		ok   bool
	}{
		{"connected", &events.Connected{}, change{open: true}, true},
		{"connection lost", &events.Disconnected{}, change{reason: driver.ConnectionLost}, true},
		{"logged out by the phone", &events.LoggedOut{}, change{reason: driver.LoggedOut, unlinked: true}, true},
		{"logged out on connect", &events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureMainDeviceGone}, change{reason: driver.LoggedOut, unlinked: true}, true},
		{"replaced", &events.StreamReplaced{}, change{reason: driver.Replaced}, true},
		{"temporary ban", &events.TemporaryBan{Code: events.TempBanBlockedByUsers, Expire: 90 * time.Minute}, change{reason: driver.Banned, banFor: 90 * time.Minute}, true},
		{"client outdated", &events.ClientOutdated{}, change{}, true},
		{"unknown connect failure", &events.ConnectFailure{Reason: events.ConnectFailureBadUserAgent}, change{}, true},
		{"keepalive timeout", &events.KeepAliveTimeout{ErrorCount: 1}, change{}, false},
		{"message", &events.Message{}, change{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := connectionChange(tt.evt)
			require.Equal(t, tt.ok, ok)
			if tt.ok && !got.open {
				require.NotEmpty(t, got.note, "a close says why in the log")
			}
			got.note = ""
			require.Equal(t, tt.want, got)
		})
	}
}

func TestDeviceInfo(t *testing.T) {
	require.Equal(t, driver.Device{Name: "Android", Platform: "WHATSAPP"}, deviceInfo("android", ""))
	require.Equal(t, driver.Device{Name: "iPhone", Platform: "WHATSAPP"}, deviceInfo("iphone", ""))
	require.Equal(t, driver.Device{Name: "Android", Platform: "WHATSAPP_BUSINESS"}, deviceInfo("smba", "Acme"))
	require.Equal(t, driver.Device{Name: "iPhone", Platform: "WHATSAPP_BUSINESS"}, deviceInfo("smbi", ""))
	require.Equal(t, driver.Device{Name: "tizen", Platform: "WHATSAPP"}, deviceInfo("tizen", ""))
	require.Equal(t, driver.Device{Name: "Unknown", Platform: "WHATSAPP"}, deviceInfo("", ""))
}
