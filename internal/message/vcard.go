package message

import (
	"errors"
	"strings"
)

// VCard is the vCard 3.0 (RFC 2426) that shares c on WhatsApp: the
// recipient's phone shows FN and ORG on the card, and the waid parameter
// of TEL is the WhatsApp account the card's "Message" button opens.
//
// Text values are escaped as vCard requires (backslash, comma, semicolon,
// line breaks), so no value can end its line or add a property. Lines are
// joined by "\n" and never folded, as WhatsApp's own clients write them.
// The number keeps only its digits: it is checked before (the rule of
// `to`), and a stray character there would break the TEL property.
func VCard(c ContactCard) string {
	name := escapeVCardText(c.FullName)
	number := digits(c.PhoneNumber)
	lines := []string{
		"BEGIN:VCARD",
		"VERSION:3.0",
		// N is required in 3.0. Splitting a full name into family and
		// given names is guesswork; the whole name as given name reads
		// right on every phone.
		"N:;" + name + ";;;",
		"FN:" + name,
	}
	if c.Organization != "" {
		lines = append(lines, "ORG:"+escapeVCardText(c.Organization))
	}
	lines = append(lines, "TEL;type=CELL;waid="+number+":+"+number)
	if c.Email != "" {
		lines = append(lines, "EMAIL;type=INTERNET:"+escapeVCardText(c.Email))
	}
	return strings.Join(append(lines, "END:VCARD"), "\n")
}

// VCardFields are what a vCard says about a contact, as ParseVCard reads
// it.
type VCardFields struct {
	FullName     string
	Organization string
	Email        string   // the first one
	PhoneNumbers []string // digits only; the waid when there is one
}

var errNotVCard = errors.New("not a vCard: BEGIN:VCARD ... END:VCARD expected")

// ParseVCard reads the fields of one vCard: those VCard writes, and the
// same fields as phones write them (CRLF or LF, folded lines, item1.
// groups, any case, several numbers). Lines it cannot read as a property
// are skipped, as vCard readers do with what they do not know.
func ParseVCard(text string) (VCardFields, error) {
	lines := unfold(text)
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) < 2 || !strings.EqualFold(lines[0], "BEGIN:VCARD") || !strings.EqualFold(lines[len(lines)-1], "END:VCARD") {
		return VCardFields{}, errNotVCard
	}
	var f VCardFields
	for _, line := range lines[1 : len(lines)-1] {
		head, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		prop, params, _ := strings.Cut(head, ";")
		if _, name, grouped := strings.Cut(prop, "."); grouped {
			prop = name
		}
		switch strings.ToUpper(prop) {
		case "FN":
			f.FullName = unescapeVCardText(value)
		case "ORG":
			f.Organization = structuredValue(value)
		case "EMAIL":
			if f.Email == "" {
				f.Email = unescapeVCardText(value)
			}
		case "TEL":
			number := digits(vCardParam(params, "waid"))
			if number == "" {
				number = digits(value)
			}
			if number != "" {
				f.PhoneNumbers = append(f.PhoneNumbers, number)
			}
		}
	}
	return f, nil
}

// unfold splits text into logical lines: a line that starts with a space
// or tab continues the one before (RFC 2425 folding), minus that
// character.
func unfold(text string) []string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if len(lines) > 0 && l != "" && (l[0] == ' ' || l[0] == '\t') {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// vCardParam is the value of the parameter name in params ("a=1;b=2").
func vCardParam(params, name string) string {
	for p := range strings.SplitSeq(params, ";") {
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, name) {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// structuredValue reads a value of ;-separated components (ORG:
// organization;unit), joining the ones that are not empty with ", ".
func structuredValue(value string) string {
	var parts []string
	start := 0
	for i := 0; i < len(value); i++ {
		switch value[i] {
		case '\\':
			i++
		case ';':
			parts = append(parts, value[start:i])
			start = i + 1
		}
	}
	parts = append(parts, value[start:])
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, unescapeVCardText(p))
		}
	}
	return strings.Join(kept, ", ")
}

var vCardEscaper = strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "\r\n", `\n`, "\r", `\n`, "\n", `\n`)

// escapeVCardText escapes a text value (RFC 2426 section 4).
func escapeVCardText(s string) string { return vCardEscaper.Replace(s) }

// unescapeVCardText undoes escapeVCardText; an escape it does not know
// stands for the character escaped, and a lone trailing backslash for
// itself.
func unescapeVCardText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i == len(s)-1 {
			b.WriteByte(s[i])
			continue
		}
		i++
		if s[i] == 'n' || s[i] == 'N' {
			b.WriteByte('\n')
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// digits keeps the ASCII digits of s.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
