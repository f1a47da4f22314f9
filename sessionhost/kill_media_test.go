package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/wagateway/wagateway/internal/local"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/whatsapp"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// A gateway on the whatsmeow driver, killed with SIGKILL: the gateway
// binary cannot be pointed at a fake WhatsApp server (only tests inject
// the driver's HTTP client), so the process killed is this test binary,
// re-run as the local gateway exactly as runLocal wires it, its whatsmeow
// clients dialing the fake server that the parent test runs (and holds
// the media of). killGatewayEnv carries the child's end of the
// connection: the fake server's address and CA.

// killGatewayEnv, when set, makes TestKill9DuringMediaDownload the
// gateway process.
const killGatewayEnv = "WAGATEWAY_TEST_KILL_GATEWAY"

// killGatewayFake is killGatewayEnv's value.
type killGatewayFake struct {
	Addr string `json:"addr"` // the fake server's TLS listener
	CA   []byte `json:"ca"`   // its certificate authority (DER)
}

// fakeEndpoint is where s listens and its CA: what a client in another
// process needs to reach it.
func fakeEndpoint(t testing.TB, s *whatsapptest.Server) killGatewayFake {
	t.Helper()
	var addr string
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { addr = i.Conn.RemoteAddr().String() }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, "https://web.whatsapp.com/", nil)
	require.NoError(t, err)
	res, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	chain := res.TLS.PeerCertificates
	return killGatewayFake{Addr: addr, CA: chain[len(chain)-1].Raw}
}

// client reaches the fake server whatever host it asks for, trusting only
// its CA.
func (f killGatewayFake) client(t testing.TB) *http.Client {
	ca, err := x509.ParseCertificate(f.CA)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	var dialer net.Dialer
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", f.Addr)
		},
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
}

// serveKillGateway is the child: the local gateway on the whatsmeow
// driver, configured from the environment as the binary is, until its
// stdin closes (or it is killed, which is the point).
func serveKillGateway(t *testing.T, raw string) {
	var fake killGatewayFake
	require.NoError(t, json.Unmarshal([]byte(raw), &fake))
	whatsapptest.TrustTestRoot(t)
	cfg, err := config.LocalFromEnv(os.Getenv)
	require.NoError(t, err)
	log := newLogger(cfg, os.Stderr)
	whatsapp.RouteSignalLogs(log)
	ln, err := net.Listen("tcp", cfg.Addr)
	require.NoError(t, err)
	cfg = cfg.WithListener(ln.Addr().String())
	ctx := context.Background()
	app, err := local.OpenWith(ctx, cfg, os.Stdout, log, local.Options{WhatsAppHTTPClient: fake.client(t)})
	require.NoError(t, err)
	srv := &http.Server{Handler: app.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go app.Housekeeping(ctx, log)
	app.StartHost(ctx, log)
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0) // the parent is gone: no graceful stop to test here
}

// startKillGateway runs this test binary as the gateway (serveKillGateway)
// on dataDir, with its temporary files (whatsmeow's downloads) in tmpDir,
// and waits until it answers /health; it returns the demo key when the
// process printed one. Its log goes to logPath.
func startKillGateway(t *testing.T, fake killGatewayFake, dataDir, tmpDir, logPath string) (*process, string) {
	t.Helper()
	raw, err := json.Marshal(fake)
	require.NoError(t, err)
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9DuringMediaDownload$", "-test.count=1")
	cmd.Env = append(os.Environ(), killGatewayEnv+"="+string(raw), "TMPDIR="+tmpDir,
		"GATEWAY_ADDR="+addr, "GATEWAY_DATA_DIR="+dataDir, "GATEWAY_DRIVER=whatsmeow", "GATEWAY_LOG_LEVEL=debug",
		"GATEWAY_ADMIN_KEY="+testAdminKey, "GATEWAY_RATE_LIMIT=0", "GATEWAY_LANE_DELAY_SCALE=")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	require.NoError(t, err)
	defer logFile.Close()
	cmd.Stderr = logFile
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
	keys := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`^\s+(wgk_\S+)$`)
		sc := bufio.NewScanner(out)
		for sc.Scan() { // to the end, so the child never blocks on its output
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				keys <- m[1]
			}
		}
	}()
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/health")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 60*time.Second, 20*time.Millisecond, "the gateway process serves")
	select {
	case k := <-keys:
		return &process{cmd: cmd, addr: addr}, k
	case <-time.After(200 * time.Millisecond):
		return &process{cmd: cmd, addr: addr}, ""
	}
}

// filesUnder lists the regular files under root, relative to it, with
// their sizes.
func filesUnder(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, p)
			if info, err := d.Info(); err == nil {
				rel += fmt.Sprintf(" (%d bytes)", info.Size())
			}
			out = append(out, rel)
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// TestKill9DuringMediaDownload: a gateway killed (SIGKILL) while it
// downloads an inbound message's media has not acknowledged it, so
// WhatsApp delivers it again; after the restart that delivery produces
// exactly one message.received, once the media is stored, with the media
// served as it was sent. Nothing of the interrupted attempt is visible
// through the API.
func TestKill9DuringMediaDownload(t *testing.T) {
	if raw := os.Getenv(killGatewayEnv); raw != "" {
		serveKillGateway(t, raw)
		return
	}
	if testing.Short() {
		t.Skip("runs the gateway as a child process")
	}
	wa := whatsapptest.NewServer(t) // first: it closes after the gateways stopped
	fake := fakeEndpoint(t, wa)
	dir := t.TempDir()
	dataDir, tmpDir := filepath.Join(dir, "data"), filepath.Join(dir, "tmp")
	require.NoError(t, os.Mkdir(tmpDir, 0o700))
	logPath := filepath.Join(dir, "gateway.log")
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				t.Logf("gateway log:\n%s", b)
			}
		}
	})

	h := newHook(t, "a-secret-of-16-chars")
	p, key := startKillGateway(t, fake, dataDir, tmpDir, logPath)
	require.NotEmpty(t, key)
	g := &gw{t: t, base: "http://" + p.addr, client: &http.Client{Timeout: 10 * time.Second}, checker: startGatewayChecker(t)}
	g.instanceWithHook(key, waInst, h)
	r := g.do("POST", "/instance/"+waInst+"/pairing-code", map[string]any{"phoneNumber": waPhone}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	ctx := context.Background()
	jid, err := wa.EnterCode(ctx, waPhone, r.JSON(t)["pairingCode"].(string))
	require.NoError(t, err)
	g.waitState(key, waInst, "open")
	require.Eventually(t, func() bool { return wa.Connected(jid) }, waWait, 10*time.Millisecond)

	photo := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte("half now, half later "), 20000)...)
	msg := &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("killed mid-download"), Mimetype: proto.String("image/jpeg")}}
	path, err := wa.AttachMedia(msg, photo)
	require.NoError(t, err)
	hold := wa.HoldMedia(path)
	defer hold.Release()
	const id = "AC3EADB76DB5BE4130602FBF2039604C"
	in := whatsapptest.Inbound{ID: id, From: waPeer, PushName: "Juan Pérez", Time: time.Unix(1773596760, 0), Message: msg}

	delivered := make(chan error, 1)
	go func() {
		dctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		delivered <- wa.Deliver(dctx, jid, in)
	}()
	select {
	case <-hold.Started():
	case err := <-delivered:
		t.Fatalf("the delivery ended before the media download began: %v", err)
	case <-time.After(waWait):
		t.Fatal("the gateway did not start downloading the media")
	}
	// A probe, once the download began: a text from another chat.
	// whatsmeow handles a connection's nodes one at a time, so a gateway
	// that acknowledged the image before keeping it (the receipt goes out
	// when its handler returns) has sent that receipt before it handles
	// the probe; a gateway that waits on the download handles neither,
	// and the probe goes unacknowledged until its deadline. Either way the
	// image must still be unacknowledged after it. (A deadline, not a
	// sleep: proving that something does not happen takes one.)
	const probeID = "AC3EADB76DB5BE4130602FBF2039604D"
	probe := whatsapptest.Inbound{ID: probeID, From: killPeer, PushName: "Ana", Time: time.Unix(1773596761, 0),
		Message: &waE2E.Message{Conversation: proto.String("behind the photo")}}
	pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
	probeErr := wa.Deliver(pctx, jid, probe)
	pcancel()
	select {
	case err := <-delivered:
		t.Fatalf("the image was acknowledged while its media was downloading (delivery: %v, probe: %v)", err, probeErr)
	default:
	}
	t.Logf("the probe before the kill: %v", probeErr)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	_, _ = p.cmd.Process.Wait()
	select {
	case err := <-delivered:
		require.ErrorIs(t, err, whatsapptest.ErrNotAcknowledged, "the gateway died before acknowledging the message")
	case <-time.After(waWait):
		t.Fatal("the delivery did not end with the gateway's death")
	}
	select {
	case <-hold.Abandoned():
	case <-time.After(waWait):
		t.Fatal("the fake media host did not see the download break off")
	}
	require.Zero(t, h.receivedOf(id), "no event of a message not kept")
	t.Logf("after the kill: media folder %q, temporary folder %q",
		filesUnder(t, filepath.Join(dataDir, "media")), filesUnder(t, tmpDir))

	// The restart: the instance reconnects; nothing of the message yet.
	p2, _ := startKillGateway(t, fake, dataDir, tmpDir, logPath)
	g.base = "http://" + p2.addr
	g.waitState(key, waInst, "open")
	require.Eventually(t, func() bool { return wa.Connected(jid) }, waWait, 10*time.Millisecond)
	h.nth("instance.connected", 2) // the new process's dispatcher runs
	require.NotContains(t, g.inboundIDs(key), id, "the message is not kept")
	mediaPath := "/instance/" + waInst + "/media/" + id
	require.Equal(t, http.StatusNotFound, g.do("GET", mediaPath, nil, as(key)...).Status, "no media served")
	require.Zero(t, h.receivedOf(id))

	// WhatsApp delivers again what was not acknowledged, the media host
	// back to normal.
	hold.Release()
	dctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	require.NoError(t, wa.Deliver(dctx, jid, in), "acknowledged once kept")
	if probeErr != nil {
		require.NoError(t, wa.Deliver(dctx, jid, probe))
	}
	rec := h.waitEvent("message.received", func(r received) bool { return receivedID(r) == id })
	data := rec.body["data"].(map[string]any)
	require.Equal(t, "imageMessage", data["messageType"])
	require.Equal(t, "killed mid-download", data["caption"])
	sum := sha256.Sum256(photo)
	require.Equal(t, map[string]any{"url": g.base + mediaPath, "mimetype": "image/jpeg", "fileName": nil,
		"size": float64(len(photo)), "sha256": hex.EncodeToString(sum[:])}, data["media"])
	got := g.do("GET", mediaPath, nil, as(key)...)
	require.Equal(t, http.StatusOK, got.Status)
	require.Equal(t, photo, got.Body, "the media as it was sent")
	h.waitEvent("message.received", func(r received) bool { return receivedID(r) == probeID })
	// Every event was created by now (each before its acknowledgement):
	// one per message.
	require.Equal(t, 2, g.inbEvents(key, waInst, "message.received"), "exactly one message.received each")
	require.ElementsMatch(t, []string{id, probeID}, g.inboundIDs(key))
	require.Equal(t, 1, h.receivedOf(id))
	require.Equal(t, 1, h.receivedOf(probeID))

	// What is on disk: the object, complete; no temp file of the media
	// store (the crash came before its Put began).
	media := filesUnder(t, filepath.Join(dataDir, "media"))
	var object string
	for _, f := range media {
		require.False(t, strings.HasPrefix(filepath.Base(f), ".put-"), "a temp file of the media store: %s", f)
		if strings.HasPrefix(filepath.Base(f), id+" ") {
			object = f
		}
	}
	require.NotEmpty(t, object, "the stored object among %q", media)
	t.Logf("after the redelivery: media folder %q, temporary folder %q", media, filesUnder(t, tmpDir))
}

// killPeer writes to the instance from another chat.
const killPeer = "5491155550000"

// inboundIDs is the messageId of each item of GET
// /instance/{waInst}/messages?direction=in.
func (g *gw) inboundIDs(key string) []string {
	g.t.Helper()
	r := g.do("GET", "/instance/"+waInst+"/messages?"+url.Values{"direction": {"in"}}.Encode(), nil, as(key)...)
	require.Equal(g.t, http.StatusOK, r.Status, string(r.Body))
	var page struct {
		Items []struct {
			MessageID string `json:"messageId"`
		} `json:"items"`
	}
	require.NoError(g.t, json.Unmarshal(r.Body, &page))
	ids := []string{}
	for _, it := range page.Items {
		ids = append(ids, it.MessageID)
	}
	return ids
}

// receivedID is a message.received's data.messageId.
func receivedID(r received) string {
	data, _ := r.body["data"].(map[string]any)
	id, _ := data["messageId"].(string)
	return id
}

// receivedOf counts the message.received webhooks of a WhatsApp message.
func (h *hook) receivedOf(id string) int {
	n := 0
	for _, r := range h.events() {
		if r.event == "message.received" && receivedID(r) == id {
			n++
		}
	}
	return n
}
