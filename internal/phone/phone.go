// Package phone checks the phone numbers the API accepts as message
// recipients and pairing targets. It deliberately does not normalise: the
// contract asks clients for one canonical form so that the same recipient is
// never counted or deduplicated under two spellings.
package phone

// FormatMessage is the validation message shown to API users for a bad
// number, kept next to Valid so the rule and its explanation change together.
const FormatMessage = "Must be an international number: 8 to 15 digits, no '+'"

// E.164 allows at most 15 digits; below 8 no real international number
// (country code plus subscriber) exists, so shorter input is a client bug.
const (
	minDigits = 8
	maxDigits = 15
)

// Valid reports whether s is an international number as the API takes it:
// digits only, no '+', 8–15 digits. Only ASCII digits count, so full-width
// or other Unicode digits are rejected rather than silently accepted.
func Valid(s string) bool {
	if len(s) < minDigits || len(s) > maxDigits {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
