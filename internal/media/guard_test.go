package media

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/netguard/netguardtest"
)

// logDials puts a netguardtest.DialLog in front of the transport's dials.
func logDials(f *Fetcher) *netguardtest.DialLog {
	d := &netguardtest.DialLog{}
	f.dial = d.Wrap(f.dial)
	return d
}

// counting serves a PNG at /img/cat.png and redirects elsewhere according
// to redirects; hits counts requests.
func counting(t *testing.T, hits *atomic.Int64, redirects map[string]func() string) http.Handler {
	body := pngBytes(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if to, ok := redirects[r.URL.Path]; ok {
			http.Redirect(w, r, to(), http.StatusFound)
			return
		}
		_, _ = w.Write(body)
	})
}

func TestRedirects(t *testing.T) {
	var plainHits atomic.Int64
	plain := httptest.NewServer(counting(t, &plainHits, nil))
	defer plain.Close()
	cases := []struct {
		name     string
		to       func() string
		want     string // public error; "" for success
		is       error
		hits     int64 // requests the https server must have seen
		wantFile string
	}{
		{"followed", func() string { return "/img/cat.png" }, "", nil, 2, "cat.png"},
		{"loop capped", func() string { return "/start" }, "media URL redirected too many times", errTooManyRedirects, 4, ""},
		{"metadata refused", func() string { return "https://169.254.169.254/latest/meta-data" },
			"media redirect not allowed: must not point to a private, loopback or link-local address", netguard.ErrAddress, 1, ""},
		{"private refused", func() string { return "https://10.0.0.1/x.png" },
			"media redirect not allowed: must not point to a private, loopback or link-local address", netguard.ErrAddress, 1, ""},
		{"downgrade to public http refused", func() string { return "http://media.example.com/x.png" },
			"media redirect not allowed: must be an https URL (http only to loopback in local mode)", netguard.ErrScheme, 1, ""},
		{"downgrade to loopback allowed in local mode", func() string { return plain.URL + "/img/dog.png" }, "", nil, 1, "dog.png"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hits atomic.Int64
			srv, f := localTLS(t, counting(t, &hits, map[string]func() string{"/start": c.to}), 5*time.Second)
			dials := logDials(f)
			m, err := f.Fetch(context.Background(), message.Image, srv.URL+"/start")
			require.Equal(t, c.hits, hits.Load())
			for _, a := range dials.List() {
				require.Contains(t, []string{srv.Listener.Addr().String(), plain.Listener.Addr().String()}, a)
			}
			if c.want != "" {
				publicErr(t, err, c.want)
				require.ErrorIs(t, err, c.is)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "image/png", m.ContentType)
			require.Equal(t, c.wantFile, m.FileName)
		})
	}
}

// TestRefusedBeforeDialing covers URLs whose host is itself forbidden: they
// fail at acceptance, without a single connection attempt.
func TestRefusedBeforeDialing(t *testing.T) {
	var hits atomic.Int64
	tlsSrv := httptest.NewTLSServer(counting(t, &hits, nil))
	defer tlsSrv.Close()
	plain := httptest.NewServer(counting(t, &hits, nil))
	defer plain.Close()
	_, port, _ := net.SplitHostPort(tlsSrv.Listener.Addr().String())
	cloud := netguard.Policy{}
	cases := []struct {
		name   string
		policy netguard.Policy
		url    string
		is     error
	}{
		{"http loopback without local mode", cloud, plain.URL + "/img/cat.png", netguard.ErrAddress},
		{"https 127.0.0.1 without local mode", cloud, tlsSrv.URL + "/img/cat.png", netguard.ErrAddress},
		{"https localhost without local mode", cloud, "https://localhost:" + port + "/img/cat.png", netguard.ErrAddress},
		{"metadata even in local mode", netguard.Policy{AllowLoopback: true}, "https://169.254.169.254/latest/meta-data", netguard.ErrAddress},
		{"plain http to a public host", cloud, "http://media.example.com/x.png", netguard.ErrScheme},
		{"not a URL", cloud, "not a url", netguard.ErrURL},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := New(Options{Policy: c.policy, TLS: serverTLS(tlsSrv), Timeout: time.Second})
			dials := logDials(f)
			_, err := f.Fetch(context.Background(), message.Image, c.url)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Contains(t, e.Msg, "media URL not allowed: ")
			require.ErrorIs(t, err, c.is)
			require.Empty(t, dials.List())
		})
	}
	require.Zero(t, hits.Load())
}

func TestPlainHTTPLoopbackInLocalMode(t *testing.T) {
	var hits atomic.Int64
	plain := httptest.NewServer(counting(t, &hits, nil))
	defer plain.Close()
	_, port, _ := net.SplitHostPort(plain.Listener.Addr().String())
	f := New(Options{Policy: netguard.Policy{AllowLoopback: true}, Timeout: 5 * time.Second})
	for _, u := range []string{plain.URL, "http://localhost:" + port} {
		m, err := f.Fetch(context.Background(), message.Image, u+"/img/cat.png")
		require.NoError(t, err, u)
		require.Equal(t, "image/png", m.ContentType)
	}
}

// TestNameResolvingToLoopback is the DNS-rebinding case: a public-looking
// name passes CheckURL, and only the dialer's Control hook, which sees the
// resolved address, stops it. An in-memory DNS server answers 127.0.0.1 for
// every name, so nothing leaves the process.
func TestNameResolvingToLoopback(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewTLSServer(counting(t, &hits, nil))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	url := "https://media.rebind.test:" + port + "/img/cat.png"

	cloud := New(Options{Policy: netguard.Policy{}, TLS: serverTLS(srv), Timeout: 2 * time.Second})
	cloud.dialer.Resolver = netguardtest.LoopbackResolver()
	dials := logDials(cloud)
	_, err := cloud.Fetch(context.Background(), message.Image, url)
	publicErr(t, err, "media host resolves to a private, loopback or link-local address")
	require.ErrorIs(t, err, netguard.ErrAddress)
	require.Equal(t, []string{"media.rebind.test:" + port}, dials.List(), "refused at dial, not at acceptance")
	require.Zero(t, hits.Load())

	// Control: the same name and resolver in local mode reaches the server,
	// so the refusal above came from the address, not from a DNS failure.
	tlsConf := serverTLS(srv).Clone()
	tlsConf.ServerName = "example.com" // a name in httptest's certificate
	local := New(Options{Policy: netguard.Policy{AllowLoopback: true}, TLS: tlsConf, Timeout: 2 * time.Second})
	local.dialer.Resolver = netguardtest.LoopbackResolver()
	m, err := local.Fetch(context.Background(), message.Image, url)
	require.NoError(t, err)
	require.Equal(t, "image/png", m.ContentType)
	require.Equal(t, int64(1), hits.Load())
}
