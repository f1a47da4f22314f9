package command_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/command/commandtest"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/host"
)

// The session host is what the worker drives.
var _ command.Executor = (*host.Host)(nil)

func TestMemResultsConformance(t *testing.T) {
	commandtest.RunResults(t, func(*testing.T) command.ResultStore { return newMemResults(nil) })
}

// TestRoundTrip: Client → queue → Worker → session host → result store →
// Client, on the real clock, for every operation and each kind of error.
func TestRoundTrip(t *testing.T) {
	q, res := newMemQueue(nil), newMemResults(nil)
	exec := &fakeExec{}
	forgotten := make(chan string, 1)
	exec.run = func(_ context.Context, c call) command.Result {
		switch {
		case c.Kind == command.KindForget:
			forgotten <- c.Instance
		case c.Instance == "open":
			return command.Result{Err: fault.New(fault.ErrConflict, "Instance is already connected")}
		case c.Instance == "invalid" && c.Kind == command.KindRead:
			return command.Result{Err: fault.Invalid("Not a message this instance received, or past its retention", "messageIds", 1)}
		case c.Instance == "invalid":
			return command.Result{Err: fault.Invalid("Invalid phone", "phoneNumber")}
		case c.Instance == "broken":
			return command.Result{Err: errors.New("whatsmeow: websocket closed 1006")}
		case c.Kind == command.KindLink:
			return command.Result{Value: "2@qr," + c.Instance}
		case c.Kind == command.KindPairingCode:
			return command.Result{Value: "ABCD-1234"}
		case c.Kind == command.KindDevice:
			return command.Result{Device: driver.Device{Name: "Pixel 8", Platform: "ANDROID"}}
		}
		return command.Result{}
	}
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

	qr, err := c.LinkQR(ctx, "inst")
	require.NoError(t, err)
	require.Equal(t, "2@qr,inst", qr)
	code, err := c.PairingCode(ctx, "inst", "5491112345678")
	require.NoError(t, err)
	require.Equal(t, "ABCD-1234", code)
	dev, err := c.Device(ctx, "inst")
	require.NoError(t, err)
	require.Equal(t, driver.Device{Name: "Pixel 8", Platform: "ANDROID"}, dev)
	require.NoError(t, c.Logout(ctx, "inst"))
	require.NoError(t, c.Restart(ctx, "inst"))
	require.NoError(t, c.MarkRead(ctx, "inst", []string{"3EB0A1", "3EB0A2"}))
	c.Forget(ctx, "inst")
	select {
	case name := <-forgotten:
		require.Equal(t, "inst", name)
	case <-time.After(wait):
		t.Fatal("forget never ran")
	}

	_, err = c.LinkQR(ctx, "open")
	var fe *fault.Error
	require.ErrorAs(t, err, &fe)
	require.ErrorIs(t, err, fault.ErrConflict)
	require.Equal(t, "Instance is already connected", fe.Msg)

	_, err = c.PairingCode(ctx, "invalid", "1")
	var v *fault.ValidationError
	require.ErrorAs(t, err, &v)
	require.Equal(t, fault.Invalid("Invalid phone", "phoneNumber").Issues, v.Issues)

	err = c.MarkRead(ctx, "invalid", []string{"3EB0A1", "NOPE"})
	require.ErrorAs(t, err, &v)
	require.Equal(t, []fault.Issue{{Path: []any{"messageIds", 1},
		Message: "Not a message this instance received, or past its retention"}}, v.Issues, "the index stays an int")

	err = c.Restart(ctx, "broken")
	require.ErrorIs(t, err, command.ErrHostFailed)
	require.NotContains(t, err.Error(), "websocket")

	require.Equal(t, []call{
		{command.KindLink, "inst", ""}, {command.KindPairingCode, "inst", "5491112345678"},
		{command.KindDevice, "inst", ""}, {command.KindLogout, "inst", ""}, {command.KindRestart, "inst", ""},
		{command.KindRead, "inst", ""}, {command.KindForget, "inst", ""}, {command.KindLink, "open", ""},
		{command.KindPairingCode, "invalid", "1"}, {command.KindRead, "invalid", ""}, {command.KindRestart, "broken", ""},
	}, exec.seen())
	require.Equal(t, [][]string{{"3EB0A1", "3EB0A2"}, {"3EB0A1", "NOPE"}}, exec.reads(), "the ids reach the host as sent")
	require.Eventually(t, func() bool { return q.left() == 0 }, wait, time.Millisecond, "every message deleted")
}
