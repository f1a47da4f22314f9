package message

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVCard(t *testing.T) {
	tests := []struct {
		name string
		card ContactCard
		want string
	}{
		{"name and number", ContactCard{FullName: "Juan Pérez", PhoneNumber: "5491112345678"},
			"BEGIN:VCARD\nVERSION:3.0\nN:;Juan Pérez;;;\nFN:Juan Pérez\n" +
				"TEL;type=CELL;waid=5491112345678:+5491112345678\nEND:VCARD"},
		{"every field", ContactCard{FullName: "Ana Gómez", PhoneNumber: "5491187654321", Organization: "Acme S.A.", Email: "ana@acme.example"},
			"BEGIN:VCARD\nVERSION:3.0\nN:;Ana Gómez;;;\nFN:Ana Gómez\nORG:Acme S.A.\n" +
				"TEL;type=CELL;waid=5491187654321:+5491187654321\nEMAIL;type=INTERNET:ana@acme.example\nEND:VCARD"},
		{"what vCard escapes", ContactCard{FullName: "Pérez, Juan; \\o/\r\nJr.", PhoneNumber: "5491112345678",
			Organization: "R&D; Sales, North\nLine\rTwo", Email: "a;b,c@x.example"},
			"BEGIN:VCARD\nVERSION:3.0\nN:;Pérez\\, Juan\\; \\\\o/\\nJr.;;;\nFN:Pérez\\, Juan\\; \\\\o/\\nJr.\n" +
				"ORG:R&D\\; Sales\\, North\\nLine\\nTwo\nTEL;type=CELL;waid=5491112345678:+5491112345678\n" +
				"EMAIL;type=INTERNET:a\\;b\\,c@x.example\nEND:VCARD"},
		{"colons and quotes need nothing", ContactCard{FullName: `Dr. "Who": 10:30`, PhoneNumber: "12345678"},
			"BEGIN:VCARD\nVERSION:3.0\nN:;Dr. \"Who\": 10:30;;;\nFN:Dr. \"Who\": 10:30\n" +
				"TEL;type=CELL;waid=12345678:+12345678\nEND:VCARD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := VCard(tt.card)
			require.Equal(t, tt.want, got)
			back, err := ParseVCard(got)
			require.NoError(t, err)
			require.Equal(t, VCardFields{FullName: normalizeNewlines(tt.card.FullName), Organization: normalizeNewlines(tt.card.Organization),
				Email: normalizeNewlines(tt.card.Email), PhoneNumbers: []string{tt.card.PhoneNumber}}, back)
		})
	}
}

// TestParseVCard: vCards as phones write them, beyond the ones VCard makes.
func TestParseVCard(t *testing.T) {
	tests := []struct {
		name string
		text string
		want VCardFields
	}{
		{"WhatsApp's own, CRLF", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Singh;Jeff;;;\r\nFN:Jeff Singh\r\nORG:Ashoka Uni;\r\n" +
			"TEL;type=CELL;type=VOICE;waid=911234567890:+91 12345 67890\r\nEND:VCARD\r\n",
			VCardFields{FullName: "Jeff Singh", Organization: "Ashoka Uni", PhoneNumbers: []string{"911234567890"}}},
		{"grouped, folded, several numbers", "BEGIN:VCARD\nVERSION:3.0\nFN:María José\n  Fernández\n" +
			"item1.TEL;waid=5491112345678:+54 9 11 1234-5678\nitem1.X-ABLabel:Mobile\nTEL;TYPE=HOME:(011) 4321-0000\n" +
			"item2.EMAIL;type=INTERNET:mj@example.com\nORG:Acme;Ventas\nEND:VCARD",
			VCardFields{FullName: "María José Fernández", Organization: "Acme, Ventas", Email: "mj@example.com",
				PhoneNumbers: []string{"5491112345678", "01143210000"}}},
		{"lower-case names, escapes", "begin:vcard\nversion:3.0\nfn:A\\, B\\;\\NC\\\\\nend:vcard",
			VCardFields{FullName: "A, B;\nC\\"}},
		{"a line that is no property is skipped", "BEGIN:VCARD\nFN:A\nno colon here\nTEL:+1 (555) 0100\nEND:VCARD",
			VCardFields{FullName: "A", PhoneNumbers: []string{"15550100"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseVCard(tt.text)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	for _, bad := range []string{"", "FN:Juan", "BEGIN:VCARD\nFN:Juan", "FN:Juan\nEND:VCARD"} {
		_, err := ParseVCard(bad)
		require.Error(t, err, "%q", bad)
	}
}

// FuzzVCard: whatever a contact holds, its vCard keeps one property a
// line, no value breaks out of its property (no raw line break, no
// unescaped ; or , in a text value), and parsing it back gives the
// contact again (line breaks normalized to \n, as vCard has no other).
func FuzzVCard(f *testing.F) {
	f.Add("Juan Pérez", "5491112345678", "Acme", "juan@acme.example")
	f.Add("a;b,c\\d\ne\r\nf\rg", "12345678", ";;;", ",,\\")
	f.Add("", "", "", "")
	f.Add("\\", "+54 9 11", "\n", "\\n")
	f.Fuzz(func(t *testing.T, name, number, org, email string) {
		card := ContactCard{FullName: name, PhoneNumber: number, Organization: org, Email: email}
		text := VCard(card)
		require.NotContains(t, text, "\r")
		lines := strings.Split(text, "\n")
		require.Equal(t, "BEGIN:VCARD", lines[0])
		require.Equal(t, "END:VCARD", lines[len(lines)-1])
		for _, line := range lines[1 : len(lines)-1] {
			prop, value, ok := strings.Cut(line, ":")
			require.True(t, ok, "%q", line)
			switch prop {
			case "VERSION", "N", "TEL;type=CELL;waid=" + digits(number):
			case "FN", "ORG", "EMAIL;type=INTERNET":
				require.False(t, hasUnescaped(value, ";,"), "%s value %q", prop, value)
			default:
				t.Fatalf("unexpected property %q in %q", prop, text)
			}
		}
		back, err := ParseVCard(text)
		require.NoError(t, err)
		require.Equal(t, normalizeNewlines(name), back.FullName)
		require.Equal(t, normalizeNewlines(org), back.Organization)
		require.Equal(t, normalizeNewlines(email), back.Email)
		var want []string
		if d := digits(number); d != "" {
			want = []string{d}
		}
		require.Equal(t, want, back.PhoneNumbers)
	})
}

// hasUnescaped reports whether s has one of chars not escaped by a
// backslash.
func hasUnescaped(s, chars string) bool {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++ // the escaped character
		case strings.IndexByte(chars, s[i]) >= 0:
			return true
		}
	}
	return false
}

func normalizeNewlines(s string) string {
	return strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
}
