package whatsapp

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wagateway/wagateway/internal/driver"
)

// The pure half of the driver lives in this file, mapinbound.go and
// mapoutbound.go: what whatsmeow hands us turned into the port's values
// and back, with no connection involved, so every rule is tested without
// a server. Here: send errors, connection events and the device.

// Failure reasons a message shows as its error (API.md's `failed`).
const (
	NotOnWhatsApp   = "number not on WhatsApp"
	ReachOutLocked  = "WhatsApp does not let this number start new chats for now (reach-out timelock, error 463)"
	MediaRejected   = "media rejected by WhatsApp"
	InvalidNumber   = "invalid phone number"
	GroupNotFound   = "group not found"
	NotInGroup      = "not a member of the group"
	reachOutLockErr = 463
)

// sendFailure classifies a send error for the host: ErrNotConnected (the
// message waits for the connection), *driver.SendError (failed for good),
// or anything else (tried again later with the same id).
func sendFailure(err error) error {
	var se *driver.SendError
	var disc *whatsmeow.DisconnectedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return se
	case errors.Is(err, whatsmeow.ErrNotConnected), errors.Is(err, whatsmeow.ErrNotLoggedIn),
		errors.As(err, &disc):
		return fmt.Errorf("%w: %w", driver.ErrNotConnected, err)
	// whatsmeow asks for a group's members before sending to it; WhatsApp
	// answers 404 or 403 when there is no such group or we are not in it.
	case errors.Is(err, whatsmeow.ErrGroupNotFound):
		return &driver.SendError{Reason: GroupNotFound}
	case errors.Is(err, whatsmeow.ErrNotInGroup):
		return &driver.SendError{Reason: NotInGroup}
	}
	if code, ok := statusAfter(err.Error(), serverErrorPrefix); ok && errors.Is(err, whatsmeow.ErrServerReturnedError) {
		// A 5xx is WhatsApp's trouble, not the message's: try again.
		switch {
		case code == reachOutLockErr:
			return &driver.SendError{Reason: ReachOutLocked}
		case code >= 400 && code < 500:
			return &driver.SendError{Reason: fmt.Sprintf("message rejected by WhatsApp (error %d)", code)}
		}
		return err
	}
	if code, ok := statusAfter(err.Error(), uploadStatusPrefix); ok && code >= 400 && code < 500 {
		return &driver.SendError{Reason: fmt.Sprintf("%s (HTTP %d)", MediaRejected, code)}
	}
	if strings.Contains(err.Error(), noLIDText) {
		return &driver.SendError{Reason: NotOnWhatsApp}
	}
	return err
}

// The texts whatsmeow puts in errors it has no type or sentinel for.
const (
	serverErrorPrefix  = "server returned error "          // SendMessage: the server's ack carried an error code
	uploadStatusPrefix = "upload failed with status code " // Upload: the media server refused the file
	noLIDText          = "no LID found for "               // SendMessage: the number has no WhatsApp account
)

// statusAfter parses the number right after prefix in text: whatsmeow
// reports status codes only inside error strings.
func statusAfter(text, prefix string) (int, bool) {
	i := strings.LastIndex(text, prefix)
	if i < 0 {
		return 0, false
	}
	rest := text[i+len(prefix):]
	n, j := 0, 0
	for ; j < len(rest) && j < 4 && rest[j] >= '0' && rest[j] <= '9'; j++ {
		n = n*10 + int(rest[j]-'0')
	}
	if j == 0 || j == 4 {
		return 0, false
	}
	return n, true
}

// change is what a connection event means for an instance.
type change struct {
	open     bool          // logged in and ready
	reason   driver.Reason // when closed: why ("" = none, back to close)
	banFor   time.Duration // TemporaryBan: how long, 0 if WhatsApp did not say
	unlinked bool          // the device's keys are gone (whatsmeow deleted them)
	note     string        // for the log: what WhatsApp said
}

// connectionChange maps whatsmeow's connection events; ok is false for
// events that change nothing.
func connectionChange(evt any) (c change, ok bool) {
	switch e := evt.(type) {
	case *events.Connected:
		return change{open: true}, true
	case *events.Disconnected:
		return change{reason: driver.ConnectionLost, note: "connection lost"}, true
	case *events.LoggedOut:
		note := "logged out by the phone"
		if e.OnConnect {
			note = "logged out: " + e.Reason.String()
		}
		return change{reason: driver.LoggedOut, unlinked: true, note: note}, true
	case *events.StreamReplaced:
		return change{reason: driver.Replaced, note: "another connection with the same keys replaced this one"}, true
	case *events.TemporaryBan:
		return change{reason: driver.Banned, banFor: e.Expire, note: e.String()}, true
	case *events.ClientOutdated:
		return change{note: "WhatsApp refused this client version as outdated: whatsmeow needs an update"}, true
	case *events.ConnectFailure:
		return change{note: "WhatsApp refused the connection: " + e.Reason.String()}, true
	}
	return change{}, false
}

// deviceInfo describes the linked phone from what pairing told us: WhatsApp
// names the platform (not the model) of the primary device.
func deviceInfo(platform, businessName string) driver.Device {
	names := map[string]string{"android": "Android", "smba": "Android", "iphone": "iPhone", "ios": "iPhone",
		"smbi": "iPhone", "ipad": "iPad", "windows": "Windows", "macos": "Mac", "web": "Web", "kaios": "KaiOS"}
	p := strings.ToLower(platform)
	name, ok := names[p]
	if !ok {
		name = "Unknown"
		if platform != "" {
			name = platform
		}
	}
	kind := "WHATSAPP"
	if strings.HasPrefix(p, "smb") || businessName != "" {
		kind = "WHATSAPP_BUSINESS"
	}
	return driver.Device{Name: name, Platform: kind}
}
