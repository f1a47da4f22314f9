package netguard

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCheckURLNumericHosts: hosts that browsers and inet_aton read as an
// IPv4 address written some other way than a.b.c.d are refused when the
// URL is given, in both deployments, whatever address they stand for.
func TestCheckURLNumericHosts(t *testing.T) {
	refused := []string{
		"https://2130706433/hook",  // 127.0.0.1 as one decimal number
		"https://0x7f.1/",          // hex and a short form
		"https://0177.0.0.1/",      // octal
		"https://127.1/",           // short form
		"https://127.0.1/",         // short form
		"https://0x7f000001/",      // one hex number
		"https://0X7F000001/",      // upper case
		"https://0x7f.0x0.0x0.0x1", // hex parts
		"https://017700000001/",    // one octal number
		"https://127.000.000.001/", // leading zeros: octal to inet_aton
		"https://0/",               // 0.0.0.0
		"https://0x/",              // 0.0.0.0 to a browser
		"http://2130706433:9000/",  // loopback in local mode still refused
		"https://134744072/",       // 8.8.8.8: public, but no real URL spells it so
		"https://3627734734/",      // public too
		"https://0x7f.1./",         // trailing dot
		"https://1.2.3.4.5/",       // ends in a number but is no address
		"https://256.1.1.1/",       // out of range
		"https://4294967296/",      // out of range
		"https://08.1.1.1/",        // 8 is no octal digit
		"https://0xg.1.1.1/",       // g is no hex digit
		"https://example.123/",     // ends in a number: browsers parse it as IPv4 and fail
		"https://1..1/",            // empty part
	}
	for _, u := range refused {
		t.Run(u, func(t *testing.T) {
			for _, p := range []Policy{{}, {AllowLoopback: true}} {
				err := p.CheckURL(u)
				require.ErrorIs(t, err, ErrNumericHost, u)
				require.ErrorIs(t, err, ErrAddress, "callers that map ErrAddress keep working")
				require.Contains(t, err.Error(), "not allowed")
			}
		})
	}
	accepted := []string{
		"https://8.8.8.8/",
		"https://93.184.216.34/x",
		"https://1e100.net/",
		"https://123.example.com/",
		"https://0x7f.example.com/",
		"https://deadbeef.cafe/",
		"https://a.b.c.d.e/",
		"https://cdn-01.example.com/a.jpg",
		"https://0xdead.beef/", // ends in "beef": a name, not a number
		"https://example.com./",
		"https://[2606:4700::1111]/",
	}
	for _, u := range accepted {
		require.NoError(t, Policy{}.CheckURL(u), u)
	}
	require.NoError(t, Policy{AllowLoopback: true}.CheckURL("http://127.0.0.1:9000/hook"), "the dotted form is still fine")
}

func TestParseIPv4Number(t *testing.T) {
	cases := []struct {
		host    string
		want    string // "" with numeric: not an address
		numeric bool
	}{
		{"127.0.0.1", "127.0.0.1", true},
		{"2130706433", "127.0.0.1", true},
		{"0x7f.1", "127.0.0.1", true},
		{"0177.0.0.1", "127.0.0.1", true},
		{"127.1", "127.0.0.1", true},
		{"127.0.1", "127.0.0.1", true},
		{"0x7f000001", "127.0.0.1", true},
		{"0x7F.0.0.0x1", "127.0.0.1", true},
		{"4294967295", "255.255.255.255", true},
		{"0", "0.0.0.0", true},
		{"0x", "0.0.0.0", true},
		{"00", "0.0.0.0", true},
		{"1.2.3.", "1.2.0.3", true}, // one trailing dot is dropped; the last part fills two bytes
		{"10.0x10000", "10.1.0.0", true},
		{"4294967296", "", true},
		{"1.16777216", "", true},
		{"256.0.0.1", "", true},
		{"1.2.3.4.5", "", true},
		{"09", "", true},
		{"0x1g", "", false}, // not a number, so a name
		{"a.1", "", true},
		{"1..2", "", true},
		{"example.com", "", false},
		{"1e100.net", "", false},
		{"0x7f.example", "", false},
		{"", "", false},
		{".", "", false},
		{"1.2.3.4..", "", false}, // ends in an empty label: not a number
	}
	for _, c := range cases {
		t.Run(c.host, func(t *testing.T) {
			addr, numeric := parseIPv4Number(c.host)
			require.Equal(t, c.numeric, numeric)
			if c.want == "" {
				require.False(t, addr.IsValid(), addr)
				return
			}
			require.Equal(t, netip.MustParseAddr(c.want), addr)
		})
	}
}

// FuzzParseIPv4Number checks the parser against what it must agree with:
// netip for the plain dotted form, and the address's own value written as
// one decimal, hex or octal number.
func FuzzParseIPv4Number(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "127.1", "0x", "1.2.3.4.5", "example.123", "1e100.net", "09", "0x0x1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		addr, numeric := parseIPv4Number(host)
		if addr.IsValid() && !numeric {
			t.Fatalf("%q: an address from a host that is not numeric", host)
		}
		if netip, err := netip.ParseAddr(host); err == nil && netip.Is4() && addr != netip {
			t.Fatalf("%q: %v, netip says %v", host, addr, netip)
		}
		if !addr.IsValid() {
			return
		}
		b := addr.As4()
		v := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		for _, form := range []string{strconv.FormatUint(v, 10), "0x" + strconv.FormatUint(v, 16), "0" + strconv.FormatUint(v, 8)} {
			if again, _ := parseIPv4Number(form); again != addr {
				t.Fatalf("%q is %v, but %q is %v", host, addr, form, again)
			}
		}
		last := host[strings.LastIndexByte(strings.TrimSuffix(host, "."), '.')+1:]
		if last == "" {
			t.Fatalf("%q: an address from a host ending in an empty label", host)
		}
		// A URL with such a host never passes.
		if err := (Policy{AllowLoopback: true}).CheckURL("https://" + host + "/"); err == nil && !isDottedDecimal(host) {
			t.Fatalf("%q accepted", host)
		}
	})
}

// isDottedDecimal: four plain decimal parts, as netip reads them.
func isDottedDecimal(host string) bool {
	a, err := netip.ParseAddr(strings.TrimSuffix(host, "."))
	return err == nil && a.Is4()
}
