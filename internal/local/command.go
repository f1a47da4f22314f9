package local

import (
	"strings"

	"github.com/wagateway/wagateway/internal/config"
)

// Command is how to run `sessionhost <args>` on cfg's data dir, to print
// (the data dir is named unless it is the default).
func Command(cfg config.Local, args ...string) string {
	cmd := "go run ./sessionhost " + strings.Join(args, " ")
	if cfg.DataDir == config.DefaultDataDir {
		return cmd
	}
	return "GATEWAY_DATA_DIR=" + shellQuote(cfg.DataDir) + " " + cmd
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@%,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
