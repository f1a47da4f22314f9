package netguard

import (
	"crypto/tls"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckURL(t *testing.T) {
	local := Policy{AllowLoopback: true}
	cloud := Policy{}
	cases := []struct {
		url          string
		local, cloud error
	}{
		{"https://hooks.example.com/x", nil, nil},
		{"http://hooks.example.com/x", ErrScheme, ErrScheme},
		{"http://127.0.0.1:9000/hook", nil, ErrAddress},
		{"https://127.0.0.1/hook", nil, ErrAddress},
		{"http://localhost:9000/hook", nil, ErrAddress},
		{"http://[::1]:9000/hook", nil, ErrAddress},
		{"https://169.254.169.254/latest/meta-data", ErrAddress, ErrAddress},
		{"https://10.0.0.1/", ErrAddress, ErrAddress},
		{"https://192.168.1.10/", ErrAddress, ErrAddress},
		{"https://172.16.0.1/", ErrAddress, ErrAddress},
		{"https://[fd00:ec2::254]/", ErrAddress, ErrAddress},
		{"https://[fe80::1]/", ErrAddress, ErrAddress},
		{"https://0.0.0.0/", ErrAddress, ErrAddress},
		{"https://[::ffff:10.0.0.1]/", ErrAddress, ErrAddress},
		{"ftp://example.com/", ErrScheme, ErrScheme},
		{"not a url", ErrURL, ErrURL},
		{"https://", ErrURL, ErrURL},
		{"https://user:pw@example.com/", ErrURL, ErrURL},
		{"/relative", ErrURL, ErrURL},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			require.ErrorIs(t, local.CheckURL(c.url), c.local)
			require.ErrorIs(t, cloud.CheckURL(c.url), c.cloud)
			if c.local == nil {
				require.NoError(t, local.CheckURL(c.url))
			}
		})
	}
}

func TestControl(t *testing.T) {
	p := Policy{}
	require.ErrorIs(t, p.Control("tcp", "127.0.0.1:80", nil), ErrAddress)
	require.ErrorIs(t, p.Control("tcp", "169.254.169.254:80", nil), ErrAddress)
	require.NoError(t, p.Control("tcp", "93.184.216.34:443", nil))
	require.True(t, Policy{AllowLoopback: true}.AllowedAddr(netip.MustParseAddr("127.0.0.1")))
}

func FuzzCheckURL(f *testing.F) {
	f.Add("https://example.com/x")
	f.Add("http://[::1]:80/")
	f.Add("https://2130706433/")
	f.Add("https://0x7f.1:443/x")
	f.Add("https://1e100.net./")
	f.Fuzz(func(t *testing.T, s string) {
		_ = Policy{}.CheckURL(s)
		if (Policy{AllowLoopback: true}).CheckURL(s) != nil {
			return
		}
		// Whatever passes has a name or a plain address as its host.
		u, err := url.Parse(s)
		if err != nil {
			t.Fatalf("%q accepted but does not parse", s)
		}
		host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		if _, numeric := parseIPv4Number(host); numeric && !isDottedDecimal(host) {
			t.Fatalf("%q accepted with the numeric host %q", s, host)
		}
	})
}

func TestTransportAndTLSConfig(t *testing.T) {
	base := &tls.Config{ServerName: "x"}
	c := TLSConfig(base)
	require.Equal(t, uint16(tls.VersionTLS12), c.MinVersion)
	require.Equal(t, "x", c.ServerName)
	require.Zero(t, base.MinVersion, "the caller's config is not changed")
	require.Equal(t, uint16(tls.VersionTLS12), TLSConfig(nil).MinVersion)
	tr := Transport(nil, nil)
	require.Nil(t, tr.Proxy, "never a proxy from the environment")
}
