package whatsapp

import (
	"context"
	"log/slog"

	signallog "go.mau.fi/libsignal/logger"
)

// RouteSignalLogs points libsignal's process-wide logger at log. Call it
// once from main, before any driver runs: libsignal otherwise installs a
// default logger lazily, on its first log line, without a lock — a data
// race when two sessions encrypt at once in a fresh process. Its debug and
// info lines are dropped (they can carry key material); warnings and
// errors go to log.
func RouteSignalLogs(log *slog.Logger) {
	var l signallog.Loggable = signalLog{log: log.With("component", "libsignal")}
	signallog.Setup(&l)
}

// signalLog adapts slog to libsignal's Loggable.
type signalLog struct{ log *slog.Logger }

func (signalLog) Debug(string, string) {}
func (signalLog) Info(string, string)  {}
func (s signalLog) Warning(caller, msg string) {
	s.log.LogAttrs(context.Background(), slog.LevelWarn, msg, slog.String("caller", caller))
}
func (s signalLog) Error(caller, msg string) {
	s.log.LogAttrs(context.Background(), slog.LevelError, msg, slog.String("caller", caller))
}
func (signalLog) Configure(string) {}
