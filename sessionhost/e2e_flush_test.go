package main

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// stalledMedia is an image URL on loopback whose answer waits until
// release: the host fetches media after its last pending check and
// before the send, so the test can act at exactly that point.
type stalledMedia struct {
	srv      *httptest.Server
	fetching chan struct{}
	stall    chan struct{}
	once     sync.Once
}

func newStalledMedia(t *testing.T) *stalledMedia {
	s := &stalledMedia{fetching: make(chan struct{}, 8), stall: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetching <- struct{}{}
		select {
		case <-s.stall:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...))
	}))
	t.Cleanup(func() { s.release(); s.srv.Close() })
	return s
}

func (s *stalledMedia) release() { s.once.Do(func() { close(s.stall) }) }

// TestFlushWhileFetchingMediaIsNeverSent: the black-box report of a
// flushed message that reached the phone. The flush lands while the host
// fetches the image; the message ends failed/flushed, the tenant hears
// message.failed, and nothing reaches the network, before or after the
// fetch completes.
func TestFlushWhileFetchingMediaIsNeverSent(t *testing.T) {
	g := startGateway(t, nil)
	key, name := g.demoKey, "demo__c__main"
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, name, h)
	g.link(key, name, "5491100000001")
	media := newStalledMedia(t)

	r := g.do("POST", "/message/image", map[string]any{"instanceName": name, "to": "5491112345678",
		"imageUrl": media.srv.URL + "/photo.png", "lane": "urgent"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	id := r.JSON(t)["id"].(string)
	<-media.fetching

	r = g.do("DELETE", "/instance/"+name+"/queue", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.EqualValues(t, 1, r.JSON(t)["flushed"])
	media.release()

	// The host sends one message of an instance at a time, in lane order:
	// once the next urgent message is out, it has finished with the image.
	r = g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678",
		"text": "after the flush", "lane": "urgent"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	next := r.JSON(t)["id"].(string)
	require.Equal(t, "sent", g.waitMessage(key, next)["status"])

	m := g.do("GET", "/message/"+id, nil, as(key)...).JSON(t)
	require.Equal(t, "failed", m["status"])
	require.Equal(t, "flushed", m["error"])
	failed := h.waitEvent("message.failed", func(r received) bool { return r.body["data"].(map[string]any)["id"] == id })
	require.Equal(t, "flushed", failed.body["data"].(map[string]any)["error"])
	sent := g.sent(key, name)
	require.Len(t, sent, 1, "only the message sent after the flush reached the network")
	require.Equal(t, next, sent[0].(map[string]any)["messageId"])
}
