package netguard

import (
	"net/netip"
	"strconv"
	"strings"
)

// ErrNumericHost refuses a host written as a number in any form other
// than a plain a.b.c.d address: 2130706433, 0x7f.1, 0177.0.0.1, 127.1.
// inet_aton, getaddrinfo and browsers all read such hosts as IPv4
// addresses, so letting them pass as names would leave only the dial-time
// check between a tenant and 127.0.0.1. No real URL needs them, so they
// are refused whatever address they stand for. errors.Is(err, ErrAddress)
// holds, for callers that sort refusals by kind.
var ErrNumericHost error = numericHostError{}

type numericHostError struct{}

func (numericHostError) Error() string {
	return "Must use a host name or a plain a.b.c.d IP address: numeric hosts such as 2130706433, 0x7f.1, " +
		"0177.0.0.1 or 127.1 are not allowed"
}

func (numericHostError) Is(target error) bool { return target == ErrAddress }

// parseIPv4Number reads host the way the WHATWG URL standard (and so every
// browser) does. A host whose last label is a number (digits, or 0x and
// hex digits) is numeric: it must then be an IPv4 address of one to four
// parts, each decimal, octal (leading 0) or hex (0x), the last filling the
// remaining bytes; addr is invalid when it is not one (1.2.3.4.5, 256.1,
// example.123). Hosts that are not numeric are names.
func parseIPv4Number(host string) (addr netip.Addr, numeric bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1] // one trailing dot: the root, as in DNS
	}
	if !isNumber(parts[len(parts)-1]) {
		return netip.Addr{}, false
	}
	if len(parts) > 4 {
		return netip.Addr{}, true
	}
	var v uint64
	for i, p := range parts {
		n, ok := ipv4Number(p)
		limit := uint64(255)
		if i == len(parts)-1 {
			limit = 1<<(8*(5-len(parts))) - 1 // the last part fills what is left
		}
		if !ok || n > limit {
			return netip.Addr{}, true
		}
		if i < len(parts)-1 {
			n <<= 8 * (3 - i)
		}
		v |= n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// isNumber: the label is decimal digits, or 0x followed by hex digits
// (none at all included, as browsers have it).
func isNumber(label string) bool {
	if hex, ok := cutHexPrefix(label); ok {
		return strings.Trim(hex, "0123456789abcdefABCDEF") == ""
	}
	return label != "" && strings.Trim(label, "0123456789") == ""
}

// ipv4Number is one part's value: 0x hex, 0 octal, else decimal.
func ipv4Number(p string) (uint64, bool) {
	base := 10
	if hex, ok := cutHexPrefix(p); ok {
		if hex == "" {
			return 0, true
		}
		p, base = hex, 16
	} else if len(p) > 1 && p[0] == '0' {
		p, base = p[1:], 8
	}
	if p == "" || p[0] == '+' || p[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 64)
	return n, err == nil
}

func cutHexPrefix(s string) (string, bool) {
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:], true
	}
	return s, false
}
