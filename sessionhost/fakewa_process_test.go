package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// A fake WhatsApp server in a process of its own, so that a benchmark of
// the session host measures the host's memory and goroutines, not the
// server's. The child is this test binary running BenchmarkSessionDensity
// with -bench.fakewa: it serves whatsapptest.Server and a small control
// API on loopback until its stdin closes.

var fakeWAChild = flag.Bool("bench.fakewa", false, "internal: run as BenchmarkSessionDensity's fake WhatsApp server process")

// fakeWAReady is the line the child prints once it serves.
const fakeWAReady = "fakewa-ready "

// fakeWAAddrs is what the child tells the parent.
type fakeWAAddrs struct {
	Addr    string `json:"addr"`    // the fake server's TLS listener
	CA      []byte `json:"ca"`      // its certificate authority (DER)
	Control string `json:"control"` // base URL of the control API
}

// fakeWAStats is the child's GET /stats.
type fakeWAStats struct {
	Linked     int   `json:"linked"`
	Connected  int   `json:"connected"`
	RSS        int64 `json:"rss"`
	Goroutines int   `json:"goroutines"`
}

// serveFakeWhatsApp is the child process: it serves until stdin closes.
func serveFakeWhatsApp(b *testing.B) {
	s := whatsapptest.NewServer(b)
	// One request through the server's own client tells where it listens
	// (the client dials it whatever the host) and its CA (last in the
	// chain it presents).
	var addr string
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { addr = i.Conn.RemoteAddr().String() }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, "https://web.whatsapp.com/", nil)
	require.NoError(b, err)
	res, err := s.HTTPClient().Do(req)
	require.NoError(b, err)
	_ = res.Body.Close()
	chain := res.TLS.PeerCertificates
	ca := chain[len(chain)-1].Raw

	var mu sync.Mutex
	var linked []types.JID
	mux := http.NewServeMux()
	mux.HandleFunc("POST /scan", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Code, Phone string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		jid, err := s.Scan(r.Context(), req.Code, req.Phone)
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		mu.Lock()
		linked = append(linked, jid)
		mu.Unlock()
		_, _ = io.WriteString(w, jid.String())
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		st := fakeWAStats{Linked: len(linked), Goroutines: runtime.NumGoroutine()}
		for _, jid := range linked {
			if s.Connected(jid) {
				st.Connected++
			}
		}
		mu.Unlock()
		st.RSS, _ = rss()
		_ = json.NewEncoder(w).Encode(st)
	})
	serveInboundControl(mux, s) // bench_inbound_test.go
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	line, err := json.Marshal(fakeWAAddrs{Addr: addr, CA: ca, Control: "http://" + ln.Addr().String()})
	require.NoError(b, err)
	fmt.Printf("\n%s%s\n", fakeWAReady, line)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// fakeWAProcess is the parent's handle on the child.
type fakeWAProcess struct {
	fakeWAAddrs
	ctl *http.Client
}

// startFakeWAProcess starts the child and waits until it serves; it stops
// at the end of b.
func startFakeWAProcess(b *testing.B) *fakeWAProcess {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^BenchmarkSessionDensity$", "-test.benchtime=1x", "-bench.fakewa")
	stdin, err := cmd.StdinPipe()
	require.NoError(b, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(b, err)
	cmd.Stderr = os.Stderr
	require.NoError(b, cmd.Start())
	b.Cleanup(func() {
		_ = stdin.Close() // the child's signal to end
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	ready := make(chan fakeWAAddrs, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() { // read to the end, so the child never blocks on its output
			if raw, ok := strings.CutPrefix(sc.Text(), fakeWAReady); ok && !sent {
				var a fakeWAAddrs
				if json.Unmarshal([]byte(raw), &a) == nil {
					ready <- a
					sent = true
				}
			}
		}
	}()
	select {
	case a := <-ready:
		return &fakeWAProcess{fakeWAAddrs: a, ctl: &http.Client{Timeout: 30 * time.Second}}
	case <-time.After(60 * time.Second):
		b.Fatal("the fake WhatsApp process did not start")
		return nil
	}
}

// whatsAppClient reaches the child's server and trusts only its CA.
func (p *fakeWAProcess) whatsAppClient(b *testing.B) *http.Client {
	ca, err := x509.ParseCertificate(p.CA)
	require.NoError(b, err)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	var dialer net.Dialer
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", p.Addr)
		},
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
}

// scan has the phone scan a QR code; it returns the new device.
func (p *fakeWAProcess) scan(ctx context.Context, code, phone string) (string, error) {
	body, _ := json.Marshal(map[string]string{"code": code, "phone": phone})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Control+"/scan", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	res, err := p.ctl.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return "", errors.New(strings.TrimSpace(string(got)))
	}
	return string(got), nil
}

func (p *fakeWAProcess) stats(b *testing.B) fakeWAStats {
	res, err := p.ctl.Get(p.Control + "/stats")
	require.NoError(b, err)
	defer res.Body.Close()
	var st fakeWAStats
	require.NoError(b, json.NewDecoder(res.Body).Decode(&st))
	return st
}
