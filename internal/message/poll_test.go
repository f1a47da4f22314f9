package message

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
)

// FuzzPollOptions: the options of a poll are refused exactly when a
// client would be surprised by what WhatsApp shows (too few or too many,
// an empty or overlong one, two that read the same), each problem at the
// option it is about, and selectableCount outside 1…len(options) is
// refused at its field (only below 1 while the number of options is
// itself wrong). Options arrive joined by "|" so the fuzzer can
// vary their number.
func FuzzPollOptions(f *testing.F) {
	f.Add("Yes|No", 1)
	f.Add("Yes|No|Yes", 2)
	f.Add("a", 1)
	f.Add("a|b|c|d|e|f|g|h|i|j|k|l|m", 13)
	f.Add("| |\t", 0)
	f.Add(" x|x |"+strings.Repeat("é", 101), -1)
	f.Fuzz(func(t *testing.T, joined string, selectable int) {
		options := strings.Split(joined, "|")
		var issues fault.Issues
		pollKind.Validate(Content{Poll: &PollContent{Question: "q", Options: options, SelectableCount: selectable}}, &issues)

		// What a careful reader expects, option by option.
		wantAt := map[int]bool{}
		seen := map[string]bool{}
		for i, o := range options {
			key := strings.TrimSpace(o)
			switch {
			case key == "", utf8.RuneCountInString(o) > MaxPollOptionLen, seen[key]:
				wantAt[i] = true
			}
			seen[key] = true
		}
		wantCount := len(options) < MinPollOptions || len(options) > MaxPollOptions
		wantSelectable := selectable < 1 || (!wantCount && selectable > len(options))

		gotAt, gotCount, gotSelectable := map[int]bool{}, false, false
		for _, is := range issues {
			require.NotEmpty(t, is.Message)
			switch {
			case len(is.Path) == 1 && is.Path[0] == "options":
				gotCount = true
			case len(is.Path) == 2 && is.Path[0] == "options":
				i, ok := is.Path[1].(int)
				require.True(t, ok, "%v", is.Path)
				require.False(t, gotAt[i], "one issue per option: %v", issues)
				gotAt[i] = true
			case len(is.Path) == 1 && is.Path[0] == "selectableCount":
				gotSelectable = true
			default:
				t.Fatalf("issue at %v: %s", is.Path, is.Message)
			}
		}
		require.Equal(t, wantAt, gotAt, "options %q", options)
		require.Equal(t, wantCount, gotCount, "%d options", len(options))
		require.Equal(t, wantSelectable, gotSelectable, "selectableCount %d of %d", selectable, len(options))
	})
}
