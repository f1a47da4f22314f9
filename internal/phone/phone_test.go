package phone

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"5491112345678", true},
		{"12345678", true},          // 8 digits, the minimum
		{"123456789012345", true},   // 15 digits, the maximum
		{"1234567", false},          // 7
		{"1234567890123456", false}, // 16
		{"", false},
		{"+5491112345678", false},
		{"549 1112345678", false},
		{"549-111-2345678", false},
		{"5491112345678\n", false},
		{"54911123456a8", false},
		{"１２３４５６７８", false},  // full-width digits
		{"٠١٢٣٤٥٦٧٨", false}, // Arabic-Indic digits
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			require.Equal(t, tt.want, Valid(tt.in))
		})
	}
}

func TestFormatMessage(t *testing.T) {
	require.Equal(t, "Must be an international number: 8 to 15 digits, no '+'", FormatMessage)
}

// refValid is a deliberately different formulation of the rule, by runes,
// to cross-check the byte loop in Valid (invalid UTF-8 decodes to
// utf8.RuneError, which is not a digit).
func refValid(s string) bool {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
		n++
	}
	return n >= 8 && n <= 15
}

func FuzzValid(f *testing.F) {
	for _, s := range []string{"5491112345678", "12345678", "1234567", "+5491112345678", "", "１２３４５６７８", "\xff1234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Valid(s), refValid(s); got != want {
			t.Fatalf("Valid(%q) = %v, reference says %v", s, got, want)
		}
	})
}
