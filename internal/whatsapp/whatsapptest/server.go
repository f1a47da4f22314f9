// Package whatsapptest is a fake WhatsApp server for tests: a TLS websocket
// on 127.0.0.1 that speaks the real protocol (Noise XX handshake with a
// certificate chain under a test root, framed binary nodes) so that an
// unmodified whatsmeow client links, logs in, sends and receives against
// it. Test code plays the phone and WhatsApp's servers through the
// Server's methods: scanning QR codes, entering pairing codes, replacing,
// banning, logging out or dropping connections, and reading what the
// client sent.
//
// The fake implements what a linked companion needs, not WhatsApp: every
// user has exactly one device (the phone), app state, history sync and
// presence are answered with empty results, and messages to a device that
// is not connected are not queued.
//
// Groups exist once test code creates them (CreateGroup: an id, a subject,
// member phone numbers) or a client does. The server answers a member's
// group info query (w:g2, addressing by phone number), 404 item-not-found
// for a group that does not exist and 403 forbidden for a non-member,
// which is all whatsmeow asks before sending to a group. A group message
// is read as the members' phones would: each phone opens its copy of the
// sender's SenderKeyDistributionMessage and keeps the sender key, then
// every member's phone must open the sender-key encrypted content (Sent
// lists it with the group as To and the devices that got the key). A
// member's phone writes to a group with DeliverGroup (its own sender key,
// handed to the client in a pairwise message alongside).
//
// Clients manage groups with WhatsApp's w:g2 queries (groupiq.go):
// listing, creating, participants, subject, description, announce and
// locked, invite links, joining by code and leaving, under WhatsApp's
// rules and with its error codes (401 for an admin's operation by a plain
// member; per-participant codes inside a participant change's answer).
// Members change groups from their phones with the controls of
// groupcontrols.go. Every change, whoever made it, reaches the members'
// connected devices as a w:gp2 notification, and the controls wait for
// the devices' acknowledgements. LID-addressed groups are not modelled.
//
// Phones send media with AttachMedia (encrypted and stored on the fake's
// media host, which whatsmeow downloads from; CorruptMedia and ExpireMedia
// spoil it) and vote in polls a client sent with VotePoll. They call with
// Call (a client's reject is in CallRejects), show what SetProfile sets
// (about, picture, a business's verified name, privacy) to usync and
// profile picture queries, and the server keeps each account's blocklist
// (Blocked).
package whatsapptest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/util/keys"
)

// Errors of the controls.
var (
	// ErrNoLinking: no linking in progress matches the QR code or phone.
	ErrNoLinking = errors.New("no linking in progress")
	// ErrNotConnected: no connected device matches.
	ErrNotConnected = errors.New("device not connected")
	// ErrUnknownDevice: no linked device matches.
	ErrUnknownDevice = errors.New("unknown device")
	// ErrNotAcknowledged: the client did not confirm an inbound message.
	ErrNotAcknowledged = errors.New("message not acknowledged")
)

// Server is a fake WhatsApp server. Create it with NewServer; it closes
// itself at the end of the test.
type Server struct {
	http       *httptest.Server
	pool       *x509.CertPool
	static     *keys.KeyPair
	certChain  []byte
	log        *slog.Logger
	grace      time.Duration
	platform   string
	fullUpload bool
	mediaAuth  string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	nextID    uint64
	conns     map[*conn]struct{}
	phones    map[string]*phone   // by phone number
	byLID     map[string]*phone   // by LID user
	absent    map[string]bool     // numbers not on WhatsApp
	linkings  map[string]*linking // by QR ref
	codeLinks map[string]*linking // by phone number, latest pairing-code request
	media     map[string][]byte   // uploaded blobs by direct path
	groups    map[string]*group   // by id, the group JID's user
	revoked   map[string]string   // revoked invite codes → group id (groupinvite.go)
	profiles  map[string]Profile  // by phone number (profile.go)
	blocked   map[string][]string // phone number → the numbers its account blocked, in order (blocklist.go)
	rejects   []CallReject        // calls the devices rejected, oldest first (call.go)

	holds map[string]*MediaHold // stalled downloads by path (HoldMedia)
}

// Option adjusts a Server.
type Option func(*Server)

// WithLogger logs the server's traffic (every node at debug level) and
// its failures to log; by default nothing is logged.
func WithLogger(log *slog.Logger) Option { return func(s *Server) { s.log = log } }

// WithCloseGrace sets how long the server waits, after sending a node that
// ends a connection (stream error, failure), before closing it if the
// client has not closed it first: the client must have handled the node
// by then. Default 250ms.
func WithCloseGrace(d time.Duration) Option { return func(s *Server) { s.grace = d } }

// WithPlatform sets the platform the phone reports at pairing
// (events.PairSuccess.Platform, Store.Platform). Default "android".
func WithPlatform(platform string) Option { return func(s *Server) { s.platform = platform } }

// WithFullPreKeyUpload reports no prekeys to a device that never
// uploaded any, as WhatsApp does, so whatsmeow generates and uploads its
// initial 812 (about 2 s per linking on a slow disk). By default the
// server claims a few and whatsmeow uploads a batch of 50.
func WithFullPreKeyUpload() Option { return func(s *Server) { s.fullUpload = true } }

// NewServer starts a fake WhatsApp server and installs the test root key
// in whatsmeow for the duration of t (see TrustTestRoot).
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	TrustTestRoot(t)
	s := &Server{
		static:    keys.NewKeyPair(),
		log:       slog.New(slog.DiscardHandler),
		grace:     250 * time.Millisecond,
		platform:  "android",
		mediaAuth: randomToken(16),
		conns:     map[*conn]struct{}{},
		phones:    map[string]*phone{},
		byLID:     map[string]*phone{},
		absent:    map[string]bool{},
		linkings:  map[string]*linking{},
		codeLinks: map[string]*linking{},
		media:     map[string][]byte{},
		groups:    map[string]*group{},
		revoked:   map[string]string{},
		profiles:  map[string]Profile{},
		blocked:   map[string][]string{},
	}
	for _, o := range opts {
		o(s)
	}
	var err error
	if s.certChain, err = noiseCertChain(s.static, time.Now()); err != nil {
		t.Fatalf("whatsapptest: %v", err)
	}
	cert, pool, err := tlsIdentity()
	if err != nil {
		t.Fatalf("whatsapptest: %v", err)
	}
	s.pool = pool
	s.ctx, s.cancel = context.WithCancel(context.Background())
	mux := http.NewServeMux()
	mux.HandleFunc("/ws/chat", s.serveChat)
	mux.HandleFunc("POST /mms/{kind}/{token}", s.serveUpload)
	mux.HandleFunc("GET /v/", s.serveDownload)
	s.http = httptest.NewUnstartedServer(mux)
	s.http.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.http.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// HTTPClient returns a client that reaches this server whatever host it
// asks for (web.whatsapp.com, media hosts) and trusts its certificate.
func (s *Server) HTTPClient() *http.Client {
	addr := s.http.Listener.Addr().String()
	var dialer net.Dialer
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", addr)
		},
		TLSClientConfig: &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12},
	}}
}

// Install points cli's websocket (before and after login) and media
// transfers at this server. Call it before cli connects.
func (s *Server) Install(cli *whatsmeow.Client) {
	hc := s.HTTPClient()
	cli.SetPreLoginHTTPClient(hc)
	cli.SetWebsocketHTTPClient(hc)
	cli.SetMediaHTTPClient(hc)
}

// Close ends every connection and stops the server; it is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	s.cancel()
	for _, c := range conns {
		c.close()
	}
	s.http.Close()
	s.wg.Wait()
}
