package whatsapp

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	signallog "go.mau.fi/libsignal/logger"
)

// TestRouteSignalLogs: after RouteSignalLogs, libsignal's warnings and
// errors reach our logger, tagged, and its debug lines do not.
func TestRouteSignalLogs(t *testing.T) {
	prev := signallog.Logger
	t.Cleanup(func() { signallog.Logger = prev })
	var buf bytes.Buffer
	RouteSignalLogs(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	signallog.Debug("private detail")
	signallog.Warning("untrusted identity")
	signallog.Error("bad mac")
	out := buf.String()
	require.NotContains(t, out, "private detail")
	require.Contains(t, out, `level=WARN msg="untrusted identity" component=libsignal caller=signallog_test.go:`)
	require.Contains(t, out, `level=ERROR msg="bad mac" component=libsignal caller=signallog_test.go:`)
}
