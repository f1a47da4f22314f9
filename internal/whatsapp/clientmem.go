package whatsapp

import (
	"reflect"
	"unsafe"

	"go.mau.fi/whatsmeow"
)

// Memory per linked session. A session host keeps thousands of idle
// whatsmeow clients, so what each holds for good is what the host's
// density is made of (sessionhost's BenchmarkSessionDensity measures it).

// trimClient gives a new client's cache of sent messages (kept to answer
// retry receipts, at most 256 of them) a map that grows as messages are
// sent, instead of the one NewClient allocates for all 256 up front:
// about 39 KiB per client, a quarter of an idle session's memory, held
// even by a session that never sends. The map behaves the same either
// way. It is whatsmeow's unexported field, found by name and type through
// reflect: if a whatsmeow release renames or retypes it, nothing is done
// (TestTrimClient fails, so the upgrade notices). Call it right after
// NewClient, before the client is used or shared.
func trimClient(cli *whatsmeow.Client) bool {
	f := reflect.ValueOf(cli).Elem().FieldByName("recentMessagesMap")
	if !f.IsValid() || f.Kind() != reflect.Map || f.IsNil() || f.Len() != 0 {
		return false
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.MakeMap(f.Type()))
	return true
}
