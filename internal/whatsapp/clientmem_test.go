package whatsapp

import (
	"bytes"
	"log/slog"
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
)

// TestTrimClient: the whatsmeow in go.mod still has the field trimClient
// replaces; if an upgrade renamed it, the idle memory per session would
// silently grow by about 39 KiB.
func TestTrimClient(t *testing.T) {
	cli := whatsmeow.NewClient(&store.Device{}, nil)
	require.True(t, trimClient(cli), "whatsmeow.Client.recentMessagesMap is gone or changed: see trimClient")
	f := reflect.ValueOf(cli).Elem().FieldByName("recentMessagesMap")
	require.False(t, f.IsNil())
	require.Zero(t, f.Len())
}

// TestWALogger: whatsmeow's lines carry the instance and the module path,
// and sub-logger names are shared between clients.
func TestWALogger(t *testing.T) {
	var buf bytes.Buffer
	l := waLogger{log: slog.New(slog.NewTextHandler(&buf, nil)), instance: "acme__main", module: "whatsmeow"}
	l.Sub("Socket").Warnf("frame %d dropped", 7)
	require.Contains(t, buf.String(), `level=WARN msg="frame 7 dropped" instance=acme__main module=whatsmeow/Socket`)

	a := waLogger{module: "whatsmeow"}.Sub("Recv").(waLogger).module
	b := waLogger{module: "whatsmeow"}.Sub("Recv").(waLogger).module
	require.Equal(t, "whatsmeow/Recv", a)
	require.Equal(t, unsafe.StringData(a), unsafe.StringData(b), "interned")
}
