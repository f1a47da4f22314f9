package chat

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/phone"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Recipient
		ok   bool
	}{
		{"5491112345678", Recipient{User: "5491112345678"}, true},
		{"120363025246125486@g.us", Recipient{Group: true, User: "120363025246125486"}, true},
		{"5491112345678-1612345678@g.us", Recipient{Group: true, User: "5491112345678-1612345678"}, true},
		{"12345@g.us", Recipient{Group: true, User: "12345"}, true},
		{"12345678901234567890@g.us", Recipient{Group: true, User: "12345678901234567890"}, true},
		{"12345-12345@g.us", Recipient{Group: true, User: "12345-12345"}, true},
		{"1234@g.us", Recipient{}, false},                  // head too short
		{"123456789012345678901@g.us", Recipient{}, false}, // head too long
		{"12345-1234@g.us", Recipient{}, false},            // tail too short
		{"12345-1234567890123456@g.us", Recipient{}, false},
		{"12345-@g.us", Recipient{}, false},
		{"12345-12345-12345@g.us", Recipient{}, false},
		{"120363025246125486@G.US", Recipient{}, false},
		{"120363025246125486@s.whatsapp.net", Recipient{}, false},
		{"120363025246125486@g.us ", Recipient{}, false},
		{"120363025246125486", Recipient{}, false}, // 18 digits: no phone number, no server
		{"+5491112345678", Recipient{}, false},
		{"1234567", Recipient{}, false},
		{"", Recipient{}, false},
		{"１２３４５@g.us", Recipient{}, false}, // full-width digits
	} {
		got, ok := Parse(tc.in)
		require.Equal(t, tc.ok, ok, "%q", tc.in)
		require.Equal(t, tc.want, got, "%q", tc.in)
		require.Equal(t, tc.ok, Valid(tc.in), "%q", tc.in)
		require.Equal(t, tc.ok && tc.want.Group, IsGroup(tc.in), "%q", tc.in)
	}
}

// groupPattern is API.md's pattern, the oracle for the hand-written check.
var groupPattern = regexp.MustCompile(`^[0-9]{5,20}(-[0-9]{5,15})?@g\.us$`)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"5491112345678", "120363025246125486@g.us", "12345-12345@g.us", "1-2@g.us", "@g.us", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := Parse(s)
		isPhone, isGroup := phone.Valid(s), groupPattern.MatchString(s)
		if ok != (isPhone || isGroup) {
			t.Fatalf("Parse(%q) ok = %v; phone %v, group %v", s, ok, isPhone, isGroup)
		}
		if !ok {
			return
		}
		if r.Group != isGroup {
			t.Fatalf("Parse(%q).Group = %v", s, r.Group)
		}
		// The user part and the form give s back: nothing is normalised.
		back := r.User
		if r.Group {
			back += GroupSuffix
		}
		if back != s {
			t.Fatalf("Parse(%q) = %+v, which spells %q", s, r, back)
		}
	})
}
