// Package netguard decides which URLs and addresses the gateway may call
// on a tenant's behalf (webhooks, media), so a tenant cannot point the
// gateway at its own network, at cloud metadata, or at other private hosts.
//
// URLs are checked twice: when they are accepted (scheme, and a literal IP
// in any of its spellings, or localhost host) and again when they are
// dialled (every resolved address), because DNS can change between the two.
package netguard

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// Policy says what a deployment allows. Local mode allows loopback (http
// or https) so a newcomer can point webhooks at a receiver on their own
// machine; the AWS shape allows neither.
type Policy struct {
	AllowLoopback bool
}

// Public errors: their text is returned to API users.
var (
	ErrScheme  = errors.New("Must be an https URL (http only to loopback in local mode)")
	ErrURL     = errors.New("Must be an absolute http(s) URL with a host")
	ErrAddress = errors.New("Must not point to a private, loopback or link-local address")
)

// CheckURL validates raw at acceptance time.
func (p Policy) CheckURL(raw string) error {
	if len(raw) > 2048 {
		return ErrURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" || u.User != nil {
		return ErrURL
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return ErrURL
	}
	loopback := isLoopbackName(host)
	if ip, err := netip.ParseAddr(host); err == nil {
		if !p.AllowedAddr(ip) {
			return ErrAddress
		}
		loopback = ip.Unmap().IsLoopback()
	} else if _, numeric := parseIPv4Number(host); numeric {
		return ErrNumericHost
	} else if loopback && !p.AllowLoopback {
		return ErrAddress
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if p.AllowLoopback && loopback {
			return nil
		}
		return ErrScheme
	default:
		return ErrScheme
	}
}

// AllowedAddr reports whether the gateway may connect to ip.
func (p Policy) AllowedAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return p.AllowLoopback
	}
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() {
		return false
	}
	for _, pfx := range blocked {
		if pfx.Contains(ip) {
			return false
		}
	}
	return true
}

// blocked lists special-purpose ranges that netip's predicates miss.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64 can reach private v4
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("fd00:ec2::/32"),  // AWS IMDS over IPv6 (inside fc00::/7 already; explicit for clarity)
	netip.MustParsePrefix("::ffff:0:0/96"),  // mapped addresses not unmapped above
	netip.MustParsePrefix("2002::/16"),      // 6to4 can embed private v4
}

func isLoopbackName(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// Control is a net.Dialer Control function that refuses to connect to a
// forbidden address after DNS resolution, closing the rebinding gap.
func (p Policy) Control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !p.AllowedAddr(ip) {
		return ErrAddress
	}
	return nil
}
