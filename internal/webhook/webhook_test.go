package webhook

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/netguard/netguardtest"
)

var local = netguard.Policy{AllowLoopback: true}

// event is a realistic body: non-ASCII and spacing that any re-encoding
// would change, so a signature over anything but the exact bytes fails.
var event = []byte(`{ "event": "message.received", "instanceName": "acme__soporte__main",
  "data": { "from": "5491112345678", "pushName": "Juan Pérez", "messageType": "conversation",
            "text": "Hello, I need help \u00e9", "messageId": "AC3EADB76DB5BE4130602FBF2039604A",
            "timestamp": 1773596760 }, "timestamp": "2026-03-15T17:46:00Z" }`)

// pythonHMAC is what a receiver computes:
// hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest().
// It uses crypto/hmac directly, independent of Sign.
func pythonHMAC(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// logDials puts a netguardtest.DialLog in front of the transport's dials.
func logDials(c *Client) *netguardtest.DialLog {
	d := &netguardtest.DialLog{}
	c.dial = d.Wrap(c.dial)
	return d
}

func newClient(t testing.TB, o Options) (*Client, *netguardtest.DialLog) {
	t.Helper()
	c := New(o)
	t.Cleanup(c.CloseIdleConnections)
	return c, logDials(c)
}

func serverTLS(srv *httptest.Server) *tls.Config {
	return srv.Client().Transport.(*http.Transport).TLSClientConfig
}

func attempt(url string) Attempt {
	return Attempt{DeliveryID: "dlv_01", Event: "message.received", URL: url, Secret: "0123456789abcdef", Body: event}
}

func TestSignKnownVector(t *testing.T) {
	secret, body := "0123456789abcdef", []byte(`{"a":1}`)
	want := pythonHMAC(secret, body)
	require.Equal(t, want, Sign(secret, body))
	// Pinned from python3 -c 'import hmac,hashlib; print(hmac.new(
	// "0123456789abcdef".encode(), b"{\"a\":1}", hashlib.sha256).hexdigest())'
	require.Equal(t, "1c76fbb930d3aa8b1633728fae212c68ca68a6752bb319b98be6fe17e86cf5b8", want)
	require.Equal(t, strings.ToLower(want), want)
	require.Len(t, want, 64)
}

// TestReceiverVerifies plays a receiver that checks the signature exactly
// as API.md tells tenants to, and records the headers of two attempts of
// one delivery: retries must be indistinguishable to a deduplicating
// receiver.
func TestReceiverVerifies(t *testing.T) {
	type seen struct {
		header http.Header
		body   []byte
		valid  bool
	}
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(r.Body)
		valid := err == nil && hmac.Equal([]byte(pythonHMAC("0123456789abcdef", raw)), []byte(r.Header.Get("x-gateway-signature")))
		mu.Lock()
		got = append(got, seen{r.Header.Clone(), raw, valid && r.Method == http.MethodPost})
		mu.Unlock()
		if !valid {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	c, _ := newClient(t, Options{Policy: local})

	a := attempt(srv.URL + "/hooks/wa?token=abc")
	for range 2 {
		r := c.Deliver(context.Background(), a)
		require.Equal(t, Result{Delivered: true, StatusCode: 200, Took: r.Took}, r)
		require.Positive(t, r.Took)
	}
	snapshot := func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return append([]seen(nil), got...)
	}
	require.Len(t, snapshot(), 2)
	for _, s := range snapshot() {
		require.True(t, s.valid)
		require.Equal(t, event, s.body)
		require.Equal(t, "application/json", s.header.Get("Content-Type"))
		require.Equal(t, "wagateway-webhooks/1", s.header.Get("User-Agent"))
		require.Equal(t, Sign(a.Secret, event), s.header.Get("X-Gateway-Signature"))
		require.Equal(t, "message.received", s.header.Get("X-Gateway-Event"))
		require.Equal(t, "dlv_01", s.header.Get("X-Gateway-Delivery"))
		require.NotContains(t, s.header, "Idempotency-Key", "the replay marker is never sent")
	}
	for _, k := range []string{"Content-Type", "User-Agent", "X-Gateway-Signature", "X-Gateway-Event", "X-Gateway-Delivery"} {
		require.Equal(t, snapshot()[0].header.Values(k), snapshot()[1].header.Values(k), k)
	}

	// A wrong secret is caught by the receiver: the signature is keyed.
	a.Secret = "another-secret-0123"
	r := c.Deliver(context.Background(), a)
	require.Equal(t, "HTTP 401", r.Error)
	require.False(t, snapshot()[2].valid)

	// A custom User-Agent replaces the default.
	c2, _ := newClient(t, Options{Policy: local, UserAgent: "acme-gw/2"})
	require.True(t, c2.Deliver(context.Background(), attempt(srv.URL)).Delivered)
	require.Equal(t, "acme-gw/2", snapshot()[3].header.Get("User-Agent"))
}

// TestWireSpelling reads the raw request head: the gateway's own header
// names go out spelled as API.md spells them.
func TestWireSpelling(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	head := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		br := bufio.NewReader(conn)
		var b strings.Builder
		for {
			line, err := br.ReadString('\n')
			if err != nil || line == "\r\n" {
				break
			}
			b.WriteString(line)
		}
		head <- b.String()
		_, _ = io.WriteString(conn, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
	}()
	c, _ := newClient(t, Options{Policy: local})
	r := c.Deliver(context.Background(), attempt("http://"+ln.Addr().String()+"/"))
	require.True(t, r.Delivered, r.Error)
	h := <-head
	require.True(t, strings.HasPrefix(h, "POST / HTTP/1.1\r\n"), h)
	require.Contains(t, h, "\r\nx-gateway-signature: "+Sign("0123456789abcdef", event)+"\r\n")
	require.Contains(t, h, "\r\nx-gateway-event: message.received\r\n")
	require.Contains(t, h, "\r\nx-gateway-delivery: dlv_01\r\n")
	require.Contains(t, h, "\r\nContent-Type: application/json\r\n")
	require.Contains(t, h, fmt.Sprintf("\r\nContent-Length: %d\r\n", len(event)))
	require.NotContains(t, strings.ToLower(h), "idempotency-key")
	require.NotContains(t, strings.ToLower(h), "accept-encoding")
}

func TestStatus(t *testing.T) {
	var redirectedHits atomic.Int64
	cases := []struct {
		status    int
		delivered bool
		err       string
	}{
		{200, true, ""},
		{201, true, ""},
		{202, true, ""},
		{204, true, ""},
		{299, true, ""},
		{301, false, "HTTP 301"},
		{302, false, "HTTP 302"},
		{307, false, "HTTP 307"},
		{308, false, "HTTP 308"},
		{400, false, "HTTP 400"},
		{401, false, "HTTP 401"},
		{404, false, "HTTP 404"},
		{410, false, "HTTP 410"},
		{429, false, "HTTP 429"},
		{500, false, "HTTP 500"},
		{502, false, "HTTP 502"},
		{503, false, "HTTP 503"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/elsewhere" {
					redirectedHits.Add(1)
					return
				}
				hits.Add(1)
				if tc.status >= 300 && tc.status < 400 {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, "receiver says something")
			}))
			defer srv.Close()
			c, _ := newClient(t, Options{Policy: local})
			r := c.Deliver(context.Background(), attempt(srv.URL+"/hook"))
			require.Equal(t, tc.delivered, r.Delivered)
			require.Equal(t, tc.status, r.StatusCode)
			require.Equal(t, tc.err, r.Error)
			require.Equal(t, int64(1), hits.Load())
		})
	}
	require.Zero(t, redirectedHits.Load(), "redirects are never followed")
}

// TestTransportFailures covers attempts with no HTTP answer.
func TestTransportFailures(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedURL := "http://" + closed.Addr().String() + "/hook"
	require.NoError(t, closed.Close())

	hangup := rawServer(t, func(c net.Conn, _ int) {
		_, _ = http.ReadRequest(bufio.NewReader(c))
		_ = c.Close()
	})

	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	tlsSrv.StartTLS()
	defer tlsSrv.Close()

	cases := []struct {
		name    string
		opts    Options
		url     string
		want    string
		minTook time.Duration
	}{
		{"timeout", Options{Policy: local, Timeout: 200 * time.Millisecond}, slow.URL, "timed out after 200ms", 200 * time.Millisecond},
		{"connection refused", Options{Policy: local, Timeout: 2 * time.Second}, closedURL, "connection refused", 0},
		{"hang up without answer", Options{Policy: local, Timeout: 2 * time.Second}, hangup, "connection closed without a response", 0},
		{"untrusted certificate", Options{Policy: local, Timeout: 2 * time.Second}, tlsSrv.URL, "TLS certificate not valid", 0},
		{"https to a plain server", Options{Policy: local, Timeout: 2 * time.Second, TLS: serverTLS(tlsSrv)}, strings.Replace(plain.URL, "http:", "https:", 1), "TLS error", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newClient(t, tc.opts)
			r := c.Deliver(context.Background(), attempt(tc.url))
			require.Equal(t, tc.want, r.Error)
			require.False(t, r.Delivered)
			require.Zero(t, r.StatusCode)
			require.GreaterOrEqual(t, r.Took, tc.minTook)
			require.Less(t, r.Took, tc.minTook+time.Second)
		})
	}
}

func TestCallerContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // the server notices a hang-up only after the body
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, _ := newClient(t, Options{Policy: local, Timeout: 5 * time.Second})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.Equal(t, "canceled", c.Deliver(ctx, attempt(srv.URL)).Error)

	// The caller's deadline comes before the attempt's own timeout.
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	r := c.Deliver(ctx, attempt(srv.URL))
	require.True(t, strings.HasPrefix(r.Error, "timed out after "), r.Error)
	d, err := time.ParseDuration(strings.TrimPrefix(r.Error, "timed out after "))
	require.NoError(t, err)
	require.GreaterOrEqual(t, d, 100*time.Millisecond)
	require.Less(t, d, 5*time.Second)
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		if r.TLS == nil || r.Header.Get("X-Gateway-Signature") != pythonHMAC("0123456789abcdef", raw) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	c, _ := newClient(t, Options{Policy: local, TLS: serverTLS(srv), Timeout: 2 * time.Second})
	r := c.Deliver(context.Background(), attempt(srv.URL+"/hook"))
	require.Equal(t, "", r.Error)
	require.True(t, r.Delivered)
	require.Equal(t, 201, r.StatusCode)
}

// TestRefusedBeforeDialing covers URLs whose host is itself forbidden: they
// fail without a single connection attempt.
func TestRefusedBeforeDialing(t *testing.T) {
	var hits atomic.Int64
	count := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) })
	plain := httptest.NewServer(count)
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(count)
	defer tlsSrv.Close()
	_, port, _ := net.SplitHostPort(tlsSrv.Listener.Addr().String())
	cloud := netguard.Policy{}
	cases := []struct {
		name   string
		policy netguard.Policy
		url    string
		want   string
	}{
		{"http loopback", cloud, plain.URL, "address not allowed"},
		{"https 127.0.0.1", cloud, tlsSrv.URL, "address not allowed"},
		{"https localhost", cloud, "https://localhost:" + port + "/hook", "address not allowed"},
		{"https ::1", cloud, "https://[::1]:" + port + "/hook", "address not allowed"},
		{"private", cloud, "https://10.0.0.1/hook", "address not allowed"},
		{"metadata even in local mode", local, "https://169.254.169.254/latest/meta-data", "address not allowed"},
		{"plain http to a public host", cloud, "http://hooks.example.com/x", "https required"},
		{"not a URL", cloud, "not a url", "invalid webhook URL"},
		{"empty", cloud, "", "invalid webhook URL"},
		{"credentials in URL", cloud, "https://user:pw@hooks.example.com/x", "invalid webhook URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, dials := newClient(t, Options{Policy: tc.policy, TLS: serverTLS(tlsSrv), Timeout: time.Second})
			r := c.Deliver(context.Background(), attempt(tc.url))
			require.Equal(t, Result{Error: tc.want, Took: r.Took}, r)
			require.Empty(t, dials.List())
		})
	}
	require.Zero(t, hits.Load())
}

// TestInvalidHeaderValue: an event name or delivery id that could split
// headers fails before dialling, with our text rather than the library's.
func TestInvalidHeaderValue(t *testing.T) {
	c, dials := newClient(t, Options{Policy: local})
	for _, a := range []Attempt{
		{DeliveryID: "d1", Event: "message.received\r\nX-Evil: 1", URL: "http://127.0.0.1:1/"},
		{DeliveryID: "d1\n", Event: "message.received", URL: "http://127.0.0.1:1/"},
	} {
		require.Equal(t, "invalid event or delivery id", c.Deliver(context.Background(), a).Error)
	}
	require.Empty(t, dials.List())
}

// TestNameResolvingToLoopback is the DNS-rebinding case: a public-looking
// name passes CheckURL, and only the dialer's Control hook, which sees the
// resolved address, stops it. An in-memory DNS server answers 127.0.0.1 for
// every name, so nothing leaves the process.
func TestNameResolvingToLoopback(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	url := "https://hooks.rebind.test:" + port + "/hook"

	cloud, dials := newClient(t, Options{Policy: netguard.Policy{}, TLS: serverTLS(srv), Timeout: 2 * time.Second})
	cloud.dialer.Resolver = netguardtest.LoopbackResolver()
	r := cloud.Deliver(context.Background(), attempt(url))
	require.Equal(t, "address not allowed", r.Error)
	require.Equal(t, []string{"hooks.rebind.test:" + port}, dials.List(), "refused at dial, not before")
	require.Zero(t, hits.Load())

	// Control: the same name and resolver in local mode reaches the
	// server, so the refusal above came from the address, not from DNS.
	tlsConf := serverTLS(srv).Clone()
	tlsConf.ServerName = "example.com" // a name in httptest's certificate
	lc, _ := newClient(t, Options{Policy: local, TLS: tlsConf, Timeout: 2 * time.Second})
	lc.dialer.Resolver = netguardtest.LoopbackResolver()
	r = lc.Deliver(context.Background(), attempt(url))
	require.True(t, r.Delivered, r.Error)
	require.Equal(t, int64(1), hits.Load())
}

// countingBody counts what Deliver reads of a response body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

type countingTransport struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if resp != nil {
		resp.Body = countingBody{resp.Body, t.n}
	}
	return resp, err
}

// TestResponseBodyBounded: a receiver's body is read to at most 64 KiB
// and never holds the attempt past its timeout, however large or slow.
func TestResponseBodyBounded(t *testing.T) {
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	huge := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(status)
			for range 64 << 20 / len(chunk) { // 64 MiB, chunked
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
	}
	drip := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(status)
			for {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}
	}
	const timeout = 200 * time.Millisecond
	cases := []struct {
		name      string
		h         http.HandlerFunc
		delivered bool
		err       string
		maxTook   time.Duration
	}{
		{"huge 200", huge(200), true, "", timeout},
		{"huge 500", huge(500), false, "HTTP 500", timeout},
		{"drip 200", drip(200), true, "", timeout + 300*time.Millisecond},
		{"drip 503", drip(503), false, "HTTP 503", timeout + 300*time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			c, _ := newClient(t, Options{Policy: local, Timeout: timeout})
			var read atomic.Int64
			c.transport = countingTransport{c.transport, &read}
			r := c.Deliver(context.Background(), attempt(srv.URL))
			require.Equal(t, tc.delivered, r.Delivered)
			require.Equal(t, tc.err, r.Error)
			require.LessOrEqual(t, read.Load(), int64(64<<10))
			require.Less(t, r.Took, tc.maxTook)
			if strings.HasPrefix(tc.name, "huge") {
				require.Equal(t, int64(64<<10), read.Load(), "read up to the cap, then stop")
			}
		})
	}

	// A declared length over the cap is not read at all.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(10<<20))
		huge(200)(w, r)
	}))
	defer srv.Close()
	c, _ := newClient(t, Options{Policy: local, Timeout: timeout})
	var read atomic.Int64
	c.transport = countingTransport{c.transport, &read}
	require.True(t, c.Deliver(context.Background(), attempt(srv.URL)).Delivered)
	require.Zero(t, read.Load())
}

// TestKeepAlive: receivers get many events, so small answers of any kind
// leave the connection reusable.
func TestKeepAlive(t *testing.T) {
	var conns atomic.Int64
	bodies := map[string][]byte{
		"/empty": nil,
		"/small": []byte(`{"ok":true}`),
		"/32k":   bytes.Repeat([]byte("y"), 32<<10),
		"/64k":   bytes.Repeat([]byte("z"), 64<<10),
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := bodies[r.URL.Path]
		if r.URL.Path == "/64k" {
			w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		}
		if r.URL.Query().Get("fail") != "" {
			w.WriteHeader(http.StatusInternalServerError)
		}
		_, _ = w.Write(b)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, _ := newClient(t, Options{Policy: local})
	for range 3 {
		for _, p := range []string{"/empty", "/small", "/32k", "/64k", "/small?fail=1", "/32k?fail=1"} {
			r := c.Deliver(context.Background(), attempt(srv.URL+p))
			require.Equal(t, !strings.Contains(p, "fail"), r.Delivered, p)
		}
	}
	require.Equal(t, int64(1), conns.Load())
}

// rawServer runs serve for every connection to a fresh loopback listener
// (i counts connections) and returns its URL.
func rawServer(t *testing.T, serve func(c net.Conn, i int)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for i := 0; ; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c, i)
		}
	}()
	return "http://" + ln.Addr().String() + "/hook"
}

// TestStaleKeepAliveReplayed: a receiver that drops a kept-alive
// connection just as the next event goes out (Node closes idle sockets
// after 5 s) never answered it, so the attempt is made again on a fresh
// connection instead of failing.
func TestStaleKeepAliveReplayed(t *testing.T) {
	var mu sync.Mutex
	var deliveries []string
	url := rawServer(t, func(c net.Conn, i int) {
		defer c.Close()
		br := bufio.NewReader(c)
		for n := 0; ; n++ {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, req.Body)
			mu.Lock()
			deliveries = append(deliveries, req.Header.Get("X-Gateway-Delivery"))
			mu.Unlock()
			if i == 0 && n == 1 {
				return // read the second request, hang up without answering
			}
			_, _ = io.WriteString(c, "HTTP/1.1 204 No Content\r\n\r\n")
		}
	})
	c, dials := newClient(t, Options{Policy: local, Timeout: 2 * time.Second})
	a := attempt(url)
	a.DeliveryID = "d1"
	require.True(t, c.Deliver(context.Background(), a).Delivered)
	a.DeliveryID = "d2"
	r := c.Deliver(context.Background(), a)
	require.True(t, r.Delivered, r.Error)
	mu.Lock()
	require.Equal(t, []string{"d1", "d2", "d2"}, deliveries)
	mu.Unlock()
	require.Len(t, dials.List(), 2)

	// Control: a plain client POST hits the same hang-up and fails, so the
	// scenario above really exercised the replay.
	url = rawServer(t, func(c net.Conn, i int) {
		defer c.Close()
		br := bufio.NewReader(c)
		for n := 0; ; n++ {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, req.Body)
			if i == 0 && n == 1 {
				return
			}
			_, _ = io.WriteString(c, "HTTP/1.1 204 No Content\r\n\r\n")
		}
	})
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	plain := &http.Client{Transport: tr}
	resp, err := plain.Post(url, "application/json", bytes.NewReader(event))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	_, err = plain.Post(url, "application/json", bytes.NewReader(event))
	require.Error(t, err)
}

// TestErrorNeverLeaks: lastError is shown to tenants and stored, so no
// failure may carry the secret, the body or the URL, even when the
// receiver echoes them back.
func TestErrorNeverLeaks(t *testing.T) {
	const secret = "s3cr3t-DO-NOT-LEAK"
	body := []byte(`{"marker":"BODY-DO-NOT-LEAK"}`)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.Copy(w, r.Body)
		_, _ = io.WriteString(w, r.Header.Get("X-Gateway-Signature")+secret)
	}))
	defer echo.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // the server notices a hang-up only after the body
		<-r.Context().Done()
	}))
	defer slow.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, closed.Close())
	for _, tc := range []struct {
		policy netguard.Policy
		url    string
	}{
		{local, echo.URL + "/URL-DO-NOT-LEAK?token=" + secret},
		{local, slow.URL + "/URL-DO-NOT-LEAK"},
		{local, "http://" + closed.Addr().String() + "/URL-DO-NOT-LEAK"},
		{netguard.Policy{}, echo.URL + "/URL-DO-NOT-LEAK"},
		{local, "https://" + echo.Listener.Addr().String() + "/URL-DO-NOT-LEAK"},
		{local, "ftp://URL-DO-NOT-LEAK/" + secret},
	} {
		c, _ := newClient(t, Options{Policy: tc.policy, Timeout: 200 * time.Millisecond})
		r := c.Deliver(context.Background(), Attempt{DeliveryID: "d", Event: "e", URL: tc.url, Secret: secret, Body: body})
		require.NotEmpty(t, r.Error)
		for _, s := range []string{secret, "DO-NOT-LEAK", Sign(secret, body), "127.0.0.1"} {
			require.NotContains(t, r.Error, s, tc.url)
		}
		require.LessOrEqual(t, len(r.Error), 64)
	}
}

// TestConcurrent shares one Client between many goroutines delivering
// differently keyed events; run with -race.
func TestConcurrent(t *testing.T) {
	const workers, each = 32, 20
	secrets := map[string]string{}
	for w := range workers {
		for i := range each {
			secrets[fmt.Sprintf("d-%d-%d", w, i)] = fmt.Sprintf("secret-%d-%d", w, i)
		}
	}
	var good atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		id := r.Header.Get("X-Gateway-Delivery")
		if r.Header.Get("X-Gateway-Signature") != pythonHMAC(secrets[id], raw) || !bytes.Contains(raw, []byte(id)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		good.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, _ := newClient(t, Options{Policy: local, Timeout: 5 * time.Second})
	var wg sync.WaitGroup
	errs := make(chan string, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("d-%d-%d", w, i)
				r := c.Deliver(context.Background(), Attempt{
					DeliveryID: id, Event: "message.sent", URL: srv.URL,
					Secret: secrets[id], Body: []byte(`{"id":"` + id + `"}`),
				})
				if !r.Delivered {
					errs <- id + ": " + r.Error
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		require.Fail(t, e)
	}
	require.Equal(t, int64(workers*each), good.Load())
}

func TestNext(t *testing.T) {
	cases := []struct {
		n     int
		delay time.Duration
		dead  bool
	}{
		{0, time.Second, false},
		{1, time.Second, false},
		{2, 5 * time.Second, false},
		{3, 30 * time.Second, false},
		{4, 0, true},
		{5, 0, true},
	}
	for _, tc := range cases {
		d, dead := Next(tc.n)
		require.Equal(t, tc.delay, d, "attempt %d", tc.n)
		require.Equal(t, tc.dead, dead, "attempt %d", tc.n)
	}
	require.Equal(t, 4, MaxAttempts)
	s := Schedule()
	require.Equal(t, [3]time.Duration{time.Second, 5 * time.Second, 30 * time.Second}, s)
	s[0] = time.Hour
	require.Equal(t, time.Second, Schedule()[0], "callers get a copy")
}

// TestTransport pins what no request-level test can see: environment
// proxies are ignored (a proxy would make the connection itself, past the
// address check), the shared DefaultTransport is not used, and the
// caller's TLS config is not modified.
func TestTransport(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://10.0.0.1:3128")
	t.Setenv("HTTP_PROXY", "http://10.0.0.1:3128")
	conf := &tls.Config{}
	c := New(Options{TLS: conf})
	tr, ok := c.transport.(*http.Transport)
	require.True(t, ok)
	require.NotSame(t, http.DefaultTransport, tr)
	require.Nil(t, tr.Proxy)
	require.True(t, tr.DisableCompression)
	require.Greater(t, tr.MaxIdleConnsPerHost, http.DefaultMaxIdleConnsPerHost)
	require.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	require.Zero(t, conf.MinVersion)
	require.Equal(t, 10*time.Second, c.timeout)
	require.Equal(t, "wagateway-webhooks/1", c.userAgent)
}

// benchBody is the size of a typical event.
var benchBody = event

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkDeliver: parallel signed deliveries through one Client to a
// loopback receiver. Compare with BenchmarkPlainPost for the overhead of
// signing, checks and classification over a bare POST.
func BenchmarkDeliver(b *testing.B) {
	srv := benchServer(b)
	c, _ := newClient(b, Options{Policy: local})
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		a := Attempt{DeliveryID: "dlv", Event: "message.received", URL: srv.URL + "/hook", Secret: "0123456789abcdef", Body: benchBody}
		for pb.Next() {
			if r := c.Deliver(context.Background(), a); !r.Delivered {
				b.Error(r.Error)
				return
			}
		}
	})
}

// BenchmarkPlainPost: the same bodies, plain http.Client POSTs, no
// signing, with the same idle pool size so only Deliver's own work
// differs.
func BenchmarkPlainPost(b *testing.B) {
	srv := benchServer(b)
	tr := &http.Transport{MaxIdleConns: maxIdleTotal, MaxIdleConnsPerHost: maxIdlePerHost, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(srv.URL+"/hook", "application/json", bytes.NewReader(benchBody))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Error(resp.Status)
				return
			}
		}
	})
}
