package message

import (
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
)

func TestIsEmoji(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"👍", true},
		{"❤️", true},      // with VS16
		{"❤", true},       // text presentation is still the emoji
		{"👍🏽", true},      // skin tone
		{"👨‍👩‍👧‍👦", true}, // ZWJ family
		{"🧑🏽‍🚀", true},    // skin tone inside a ZWJ sequence
		{"🏳️‍🌈", true},    // flag ZWJ sequence
		{"🇦🇷", true},      // regional indicators
		{"🏴󠁧󠁢󠁳󠁣󠁴󠁿", true}, // tag sequence (Scotland)
		{"1️⃣", true},     // keycap
		{"#⃣", true},      // keycap without VS16
		{"🏽", true},       // a skin tone alone
		{"", false},
		{"a", false},
		{"1", false},
		{"1️", false},
		{"👍👍", false},
		{"🇦🇷🇧🇷", false},
		{"🇦", false}, // half a flag
		{"ok", false},
		{"👍 ", false},
		{"é", false},
		{"\u200d", false},
		{"\ufe0f", false},
		{"©️", true},
		{"👍\u0301", false}, // a combining accent is no emoji part
	} {
		require.Equal(t, tc.want, IsEmoji(tc.s), "%q", tc.s)
	}
}

// FuzzIsEmoji: whatever is accepted is one grapheme cluster, valid UTF-8,
// within the byte bound, and its issue-free validation agrees.
func FuzzIsEmoji(f *testing.F) {
	for _, s := range []string{"👍", "👨‍👩‍👧‍👦", "🇦🇷", "1️⃣", "a", "👍👍", "", "\xff", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := IsEmoji(s)
		if ok {
			require.True(t, utf8.ValidString(s))
			require.LessOrEqual(t, len(s), MaxEmojiBytes)
			require.Equal(t, 1, uniseg.GraphemeClusterCount(s), "%q is one cluster", s)
		}

		var issues fault.Issues
		reactionKind.Validate(Content{Reaction: &ReactionContent{MessageID: "x", Emoji: s}}, &issues)
		require.Equal(t, ok || s == "", issues.Err() == nil, "%q", s)
	})
}

func TestReactionRules(t *testing.T) {
	emoji := func(s string) *string { return &s }
	for name, tc := range map[string]struct {
		f     ReactionFields
		paths []string
	}{
		"react":         {ReactionFields{MessageID: "m", Emoji: emoji("🔥")}, nil},
		"remove":        {ReactionFields{MessageID: "m", Emoji: emoji("")}, nil},
		"no emoji":      {ReactionFields{MessageID: "m"}, []string{"emoji"}},
		"two emojis":    {ReactionFields{MessageID: "m", Emoji: emoji("🔥🔥")}, []string{"emoji"}},
		"text":          {ReactionFields{MessageID: "m", Emoji: emoji("nice")}, []string{"emoji"}},
		"no message id": {ReactionFields{Emoji: emoji("🔥")}, []string{"messageId"}},
	} {
		t.Run(name, func(t *testing.T) {
			var issues fault.Issues
			reactionKind.Validate(tc.f.Content(), &issues)
			var got []string
			for _, i := range issues {
				got = append(got, i.Path[0].(string))
			}
			require.Equal(t, tc.paths, got)
		})
	}
}
