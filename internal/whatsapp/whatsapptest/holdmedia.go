package whatsapptest

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// MediaHold stalls the downloads of one attachment in the middle, as a
// slow media host or a large file does: a download gets the first half of
// the blob (and the full Content-Length), then waits until Release or
// until its client goes away. Create one with HoldMedia.
type MediaHold struct {
	started     chan struct{} // closed when the first download is stalled
	abandoned   chan struct{} // closed when a stalled download's client went away
	released    chan struct{}
	startOnce   sync.Once
	abandonOnce sync.Once
	releaseOnce sync.Once
}

// HoldMedia stalls every download of the attachment at directPath (as
// AttachMedia returned it) from now until Release. The attachment need not
// be stored yet.
func (s *Server) HoldMedia(directPath string) *MediaHold {
	path, _, _ := strings.Cut(directPath, "?")
	h := &MediaHold{started: make(chan struct{}), abandoned: make(chan struct{}), released: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holds == nil {
		s.holds = map[string]*MediaHold{}
	}
	s.holds[path] = h
	return h
}

// Started is closed once a download of the attachment has begun and is
// stalled: its client got part of the file and waits for the rest.
func (h *MediaHold) Started() <-chan struct{} { return h.started }

// Abandoned is closed once the client of a stalled download went away
// (its connection closed) before Release.
func (h *MediaHold) Abandoned() <-chan struct{} { return h.abandoned }

// Release lets stalled downloads finish and later ones through at once. It
// is idempotent.
func (h *MediaHold) Release() { h.releaseOnce.Do(func() { close(h.released) }) }

// holdOf is the hold on the attachment at path, if any.
func (s *Server) holdOf(path string) *MediaHold {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holds[path]
}

// serveHeld writes blob under h: the first half at once, the rest after
// Release; nothing more if the client goes away first.
func (h *MediaHold) serveHeld(w http.ResponseWriter, r *http.Request, blob []byte) {
	select {
	case <-h.released:
		_, _ = w.Write(blob)
		return
	default:
	}
	half := len(blob) / 2
	w.Header().Set("Content-Length", strconv.Itoa(len(blob)))
	_, _ = w.Write(blob[:half])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	h.startOnce.Do(func() { close(h.started) })
	if !h.wait(r.Context()) {
		h.abandonOnce.Do(func() { close(h.abandoned) })
		return
	}
	_, _ = w.Write(blob[half:])
}

// wait reports whether the hold was released before ctx ended.
func (h *MediaHold) wait(ctx context.Context) bool {
	select {
	case <-h.released:
		return true
	case <-ctx.Done():
		return false
	}
}
