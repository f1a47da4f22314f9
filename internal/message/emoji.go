package message

import "github.com/rivo/uniseg"

// MaxEmojiBytes bounds a reaction: the longest emoji sequences (a family,
// a kiss with two skin tones, a subdivision flag) take under 40 bytes, and
// a grapheme cluster may otherwise grow without end (extenders).
const MaxEmojiBytes = 64

// IsEmoji reports whether s is exactly one emoji: one grapheme cluster
// (segmented by uniseg, UAX #29) that is a pictograph with its modifiers
// (variation selectors, skin tones, ZWJ sequences, tag sequences), a flag
// (two regional indicators) or a keycap. A letter, a digit or two emojis
// are not.
func IsEmoji(s string) bool {
	if s == "" || len(s) > MaxEmojiBytes {
		return false
	}
	cluster, rest, _, _ := uniseg.FirstGraphemeClusterInString(s, -1)
	if rest != "" {
		return false
	}
	runes := []rune(cluster)
	switch first := runes[0]; {
	case isRegionalIndicator(first):
		return len(runes) == 2 && isRegionalIndicator(runes[1])
	case first == '#' || first == '*' || (first >= '0' && first <= '9'):
		return isKeycap(runes[1:])
	case !isPictographic(first) && !isSkinTone(first):
		return false
	}
	for _, r := range runes[1:] {
		if !isPictographic(r) && !isEmojiComponent(r) {
			return false
		}
	}
	return true
}

// isKeycap: a keycap's base is followed by an optional VS16 and U+20E3.
func isKeycap(tail []rune) bool {
	if len(tail) == 2 && tail[0] == 0xFE0F {
		tail = tail[1:]
	}
	return len(tail) == 1 && tail[0] == 0x20E3
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
func isSkinTone(r rune) bool          { return r >= 0x1F3FB && r <= 0x1F3FF }

// isEmojiComponent: what may follow a pictograph inside one emoji.
func isEmojiComponent(r rune) bool {
	return r == 0x200D || r == 0xFE0E || r == 0xFE0F || isSkinTone(r) ||
		(r >= 0xE0020 && r <= 0xE007F) || // tags (subdivision flags)
		(r >= 0x1F9B0 && r <= 0x1F9B3) // hair components
}

// isPictographic reports Extended_Pictographic (Unicode emoji-data.txt),
// which Go's unicode package does not have: the ranges as the Unicode
// data lists them, the reserved blocks included as the property does.
func isPictographic(r rune) bool {
	for _, rg := range pictographic {
		if r < rg[0] {
			return false
		}
		if r <= rg[1] {
			return true
		}
	}
	return false
}

var pictographic = [][2]rune{
	{0x00A9, 0x00A9}, {0x00AE, 0x00AE}, {0x203C, 0x203C}, {0x2049, 0x2049}, {0x2122, 0x2122},
	{0x2139, 0x2139}, {0x2194, 0x2199}, {0x21A9, 0x21AA}, {0x231A, 0x231B}, {0x2328, 0x2328},
	{0x2388, 0x2388}, {0x23CF, 0x23CF}, {0x23E9, 0x23F3}, {0x23F8, 0x23FA}, {0x24C2, 0x24C2},
	{0x25AA, 0x25AB}, {0x25B6, 0x25B6}, {0x25C0, 0x25C0}, {0x25FB, 0x25FE}, {0x2600, 0x2605},
	{0x2607, 0x2612}, {0x2614, 0x2685}, {0x2690, 0x2705}, {0x2708, 0x2712}, {0x2714, 0x2714},
	{0x2716, 0x2716}, {0x271D, 0x271D}, {0x2721, 0x2721}, {0x2728, 0x2728}, {0x2733, 0x2734},
	{0x2744, 0x2744}, {0x2747, 0x2747}, {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755},
	{0x2757, 0x2757}, {0x2763, 0x2767}, {0x2795, 0x2797}, {0x27A1, 0x27A1}, {0x27B0, 0x27B0},
	{0x27BF, 0x27BF}, {0x2934, 0x2935}, {0x2B05, 0x2B07}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50},
	{0x2B55, 0x2B55}, {0x3030, 0x3030}, {0x303D, 0x303D}, {0x3297, 0x3297}, {0x3299, 0x3299},
	{0x1F000, 0x1F0FF}, {0x1F10D, 0x1F10F}, {0x1F12F, 0x1F12F}, {0x1F16C, 0x1F171}, {0x1F17E, 0x1F17F},
	{0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F1AD, 0x1F1E5}, {0x1F201, 0x1F20F}, {0x1F21A, 0x1F21A},
	{0x1F22F, 0x1F22F}, {0x1F232, 0x1F23A}, {0x1F23C, 0x1F23F}, {0x1F249, 0x1F3FA}, {0x1F400, 0x1F53D},
	{0x1F546, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F774, 0x1F77F}, {0x1F7D5, 0x1F7FF}, {0x1F80C, 0x1F80F},
	{0x1F848, 0x1F84F}, {0x1F85A, 0x1F85F}, {0x1F888, 0x1F88F}, {0x1F8AE, 0x1F8FF}, {0x1F90C, 0x1F93A},
	{0x1F93C, 0x1F945}, {0x1F947, 0x1FAFF}, {0x1FC00, 0x1FFFD},
}
