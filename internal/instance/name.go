package instance

import (
	"errors"
	"strings"
)

// ErrNameFormat is the one error ParseName returns. Its text is the exact
// message the API shows under "instanceName", so callers pass it through
// unchanged instead of composing their own. It starts with the contract's
// words (API.md) and then spells the rule out, so a caller can fix the
// name without looking it up.
var ErrNameFormat = errors.New("Must follow {tenant}__{client}__{label} format: three parts joined by two underscores, " +
	"each 1-32 lower-case letters, digits or hyphens (a-z, 0-9, -) starting with a letter or digit, e.g. acme__soporte__main")

// sep joins the parts of a name. Two underscores cannot occur inside a part
// (parts have no underscores at all), so splitting on it is unambiguous.
const sep = "__"

// maxPart bounds each part so names stay short enough for logs, file names
// and database keys.
const maxPart = 32

// Name is a parsed instance name {tenantId}__{clientId}__{label}. The tenant
// part is what authorisation checks against the API key, so it is kept as a
// field rather than re-derived from the string.
type Name struct{ Tenant, Client, Label string }

// ParseName accepts exactly three valid parts joined by exactly two
// underscores. Anything else, including a stray third underscore, is
// rejected with ErrNameFormat: a loose parser here would let one tenant name
// an instance that another tenant's prefix check also matches.
func ParseName(s string) (Name, error) {
	parts := strings.Split(s, sep)
	if len(parts) != 3 {
		return Name{}, ErrNameFormat
	}
	for _, p := range parts {
		if !ValidPart(p) {
			return Name{}, ErrNameFormat
		}
	}
	return Name{Tenant: parts[0], Client: parts[1], Label: parts[2]}, nil
}

// String gives back the wire form, so a Name can be stored and compared as
// the same string the client sent.
func (n Name) String() string {
	return n.Tenant + sep + n.Client + sep + n.Label
}

// ValidPart reports whether s can be one part of a name
// ([a-z0-9][a-z0-9-]{0,31}). Tenant and client ids are checked with it on
// their own, before any instance exists, so it is exported.
func ValidPart(s string) bool {
	if len(s) == 0 || len(s) > maxPart {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0:
		default:
			return false
		}
	}
	return true
}
