package media

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/netguard"
)

// Real magic bytes for each type the gateway sends.
var (
	jpegBytes = []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9")
	// An Ogg page: 27-byte header with one segment of 19 bytes, then OpusHead.
	oggOpus = append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13"),
		[]byte("OpusHead\x01\x01\x38\x01\x80\xBB\x00\x00\x00\x00\x00")...)
	mp4Bytes = []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41\x00\x00\x00\x08free")
	pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	// The headers of a lossless WebP and of a GIF: sniffing reads no further.
	webpBytes = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
	gifBytes  = []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	htmlPage  = []byte("<!DOCTYPE html><html><body>Not found, but 200</body></html>")
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))))
	return buf.Bytes()
}

// localTLS starts an https server on loopback and a Fetcher, in local mode,
// that trusts its certificate.
func localTLS(t *testing.T, h http.Handler, timeout time.Duration) (*httptest.Server, *Fetcher) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	f := New(Options{
		Policy:  netguard.Policy{AllowLoopback: true},
		Timeout: timeout,
		TLS:     serverTLS(srv),
	})
	logDials(f)
	return srv, f
}

func serverTLS(srv *httptest.Server) *tls.Config {
	return srv.Client().Transport.(*http.Transport).TLSClientConfig
}

// publicErr asserts err is an *Error with exactly msg.
func publicErr(t *testing.T, err error, msg string) *Error {
	t.Helper()
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, msg, e.Msg)
	require.Equal(t, msg, err.Error())
	return e
}

// TestTransport pins what no request-level test can see: environment
// proxies are ignored (a proxy would make the connection itself, past the
// address check) and the shared DefaultTransport is not used.
func TestTransport(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://10.0.0.1:3128")
	f := New(Options{})
	tr, ok := f.client.Transport.(*http.Transport)
	require.True(t, ok)
	require.NotSame(t, http.DefaultTransport, tr)
	require.Nil(t, tr.Proxy)
	require.NotZero(t, tr.TLSHandshakeTimeout)
	require.NotZero(t, tr.ResponseHeaderTimeout)
	require.Equal(t, 30*time.Second, f.timeout)
	require.Equal(t, 3, f.maxRedirects)
}

func TestLimit(t *testing.T) {
	require.Equal(t, int64(5<<20), Limit(message.Image))
	require.Equal(t, int64(16<<20), Limit(message.Video))
	require.Equal(t, int64(16<<20), Limit(message.Audio))
	require.Equal(t, int64(100<<20), Limit(message.Document))
	require.Equal(t, int64(1<<20), Limit(message.Sticker), "the limit is on the file at stickerUrl, before conversion")
	require.Zero(t, Limit(message.Text))
}

func TestFetchSuccess(t *testing.T) {
	cases := []struct {
		name, path, disposition string
		typ                     message.Type
		body                    []byte
		wantType, wantFile      string
	}{
		{"png", "/img/cat.png", "", message.Image, pngBytes(t), "image/png", "cat.png"},
		{"jpeg without extension", "/photo", "", message.Image, jpegBytes, "image/jpeg", "photo"},
		{"ogg opus voice note", "/v/note.ogg", "", message.Audio, oggOpus, "audio/ogg; codecs=opus", "note.ogg"},
		{"mp4", "/clip.mp4", "", message.Video, mp4Bytes, "video/mp4", "clip.mp4"},
		{"pdf named by disposition", "/dl", `attachment; filename="Q1 report.pdf"`, message.Document, pdfBytes, "application/pdf", "Q1 report.pdf"},
		{"disposition path stripped", "/dl", `attachment; filename="../../etc/passwd"`, message.Document, pdfBytes, "application/pdf", "passwd"},
		{"rfc 5987 disposition", "/dl", `attachment; filename*=UTF-8''Informe%20a%C3%B1o.pdf`, message.Document, pdfBytes, "application/pdf", "Informe año.pdf"},
		{"escaped url path", "/files/my%20doc.pdf", "", message.Document, pdfBytes, "application/pdf", "my doc.pdf"},
		{"no name at all", "/", "", message.Document, []byte("plain words"), "text/plain; charset=utf-8", ""},
		{"server content type ignored", "/x.png", "", message.Image, pngBytes(t), "image/png", "x.png"},
		{"png sticker", "/s.png", "", message.Sticker, pngBytes(t), "image/png", "s.png"},
		{"jpeg sticker", "/s", "", message.Sticker, jpegBytes, "image/jpeg", "s"},
		{"webp sticker", "/s.webp", "", message.Sticker, webpBytes, "image/webp", "s.webp"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, f := localTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				require.Equal(t, c.path, r.URL.EscapedPath())
				w.Header().Set("Content-Type", "application/octet-stream")
				if c.disposition != "" {
					w.Header().Set("Content-Disposition", c.disposition)
				}
				_, _ = w.Write(c.body)
			}), 5*time.Second)
			m, err := f.Fetch(context.Background(), c.typ, srv.URL+c.path)
			require.NoError(t, err)
			require.Equal(t, c.body, m.Data)
			require.Equal(t, c.wantType, m.ContentType)
			require.Equal(t, c.wantFile, m.FileName)
		})
	}
}

// stall blocks a handler until the client goes away, so tests never leave
// a server waiting on a sleep.
func stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func TestFetchFailures(t *testing.T) {
	big := func(n int64, withLength bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if withLength {
				w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
				w.WriteHeader(http.StatusOK)
				return // the claim alone must be enough to refuse
			}
			w.(http.Flusher).Flush() // no length: chunked
			chunk := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 0xE0}, 16<<10)
			for sent := int64(0); sent < n && r.Context().Err() == nil; sent += int64(len(chunk)) {
				_, _ = w.Write(chunk)
			}
		}
	}
	cases := []struct {
		name    string
		typ     message.Type
		handler http.HandlerFunc
		want    string
		is      error
	}{
		{"404", message.Image, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, "media URL answered 404", errStatus},
		{"500", message.Document, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, "media URL answered 500", errStatus},
		{"image over limit by content-length", message.Image, big(5<<20+1, true), "media larger than 5 MB", errTooLarge},
		{"document over limit by content-length", message.Document, big(100<<20+1, true), "media larger than 100 MB", errTooLarge},
		{"image over limit chunked", message.Image, big(5<<20+1, false), "media larger than 5 MB", errTooLarge},
		{"empty", message.Audio, func(w http.ResponseWriter, r *http.Request) {}, "media URL returned an empty body", errEmpty},
		{"html as image", message.Image, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png") // lies
			_, _ = w.Write(htmlPage)
		}, "media is not an image (got text/html)", errKind},
		{"sticker over limit chunked", message.Sticker, big(1<<20+1, false), "media larger than 1 MB", errTooLarge},
		{"gif as sticker", message.Sticker, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(gifBytes) },
			"sticker must be WebP, PNG or JPEG (got image/gif)", errKind},
		{"text as sticker", message.Sticker, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("not a picture")) },
			"sticker must be WebP, PNG or JPEG (got text/plain)", errKind},
		{"png as video", message.Video, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(pngBytes(t)) }, "media is not a video (got image/png)", errKind},
		{"pdf as audio", message.Audio, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(pdfBytes) }, "media is not audio (got application/pdf)", errKind},
		{"slow headers", message.Image, func(w http.ResponseWriter, r *http.Request) { stall(r) }, "timed out fetching media", context.DeadlineExceeded},
		{"slow body", message.Image, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			_, _ = w.Write(jpegBytes)
			w.(http.Flusher).Flush()
			stall(r)
		}, "timed out fetching media", context.DeadlineExceeded},
		{"text has no media", message.Text, func(w http.ResponseWriter, r *http.Request) { t.Error("text fetched") }, "message type carries no media", errNoMedia},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, f := localTLS(t, c.handler, 200*time.Millisecond)
			if strings.Contains(c.name, "limit") {
				f.timeout = 10 * time.Second // big bodies are about size, not speed
			}
			start := time.Now()
			_, err := f.Fetch(context.Background(), c.typ, srv.URL+"/m")
			e := publicErr(t, err, c.want)
			require.ErrorIs(t, e, c.is)
			require.Less(t, time.Since(start), 5*time.Second)
		})
	}
}

func TestFetchCanceled(t *testing.T) {
	srv, f := localTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { stall(r) }), 5*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := f.Fetch(ctx, message.Image, srv.URL+"/m")
	publicErr(t, err, "media fetch canceled")
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, errors.Is(err, context.DeadlineExceeded))
}

func TestFetchBadCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	f := New(Options{Policy: netguard.Policy{AllowLoopback: true}}) // system roots do not trust it
	logDials(f)
	_, err := f.Fetch(context.Background(), message.Image, srv.URL+"/m")
	publicErr(t, err, "media host has an invalid TLS certificate")
}
