package main

import (
	"github.com/wagateway/wagateway/internal/local"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
)

// jumpClock is the real clock moved ahead by a jump the test sets: timers
// run as ever, "now" is later. It lets a whole gateway live through a
// month of retention in a moment.
type jumpClock struct{ ahead atomic.Int64 }

func (c *jumpClock) Now() time.Time                         { return time.Now().UTC().Add(time.Duration(c.ahead.Load())) }
func (c *jumpClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// TestInboundRetention: received messages and their media are served for
// GATEWAY_MEDIA_RETENTION_DAYS, and not a moment longer; what the instance
// sent stays listed.
func TestInboundRetention(t *testing.T) {
	clk := &jumpClock{}
	g := startGatewayWith(t, func(c *config.Local) { c.MediaRetentionDays = 2 }, local.Options{Clock: clk})
	key, name := g.demoKey, "demo__c__main"
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, name, h)
	g.link(key, name, inbPhone)
	h.waitEvent("instance.connected", nil)

	id := g.phoneWrites(key, name, map[string]any{"from": inbPeer, "messageType": "imageMessage",
		"media": map[string]any{"base64": "/9j/4AAQSkZJRgABAQ==", "mimetype": "image/jpeg"}})
	h.inbData("message.received", "messageId", id)
	r := g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": inbPeer, "text": "kept", "lane": "urgent"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))

	listed := func() (in, out int) {
		r := g.do("GET", "/instance/"+name+"/messages", nil, as(key)...)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		for _, it := range r.JSON(t)["items"].([]any) {
			if it.(map[string]any)["direction"] == "in" {
				in++
			} else {
				out++
			}
		}
		return in, out
	}
	media := "/instance/" + name + "/media/" + id

	clk.ahead.Store(int64(2*24*time.Hour - time.Minute))
	require.Equal(t, http.StatusOK, g.do("GET", media, nil, as(key)...).Status, "a minute before the end")
	in, out := listed()
	require.Equal(t, [2]int{1, 1}, [2]int{in, out})

	clk.ahead.Store(int64(2*24*time.Hour + time.Minute))
	require.Equal(t, http.StatusNotFound, g.do("GET", media, nil, as(key)...).Status, "past retention")
	in, out = listed()
	require.Equal(t, [2]int{0, 1}, [2]int{in, out}, "the received message is gone, the sent one stays")
}

// TestInboundDeletedWithInstance: deleting an instance deletes what it
// received and its media; a new instance of the same name starts empty.
func TestInboundDeletedWithInstance(t *testing.T) {
	g, key, name, h := inbSetup(t)
	id := g.phoneWrites(key, name, map[string]any{"from": inbPeer, "messageType": "imageMessage",
		"media": map[string]any{"base64": "/9j/4AAQSkZJRgABAQ==", "mimetype": "image/jpeg"}})
	h.inbData("message.received", "messageId", id)
	media := "/instance/" + name + "/media/" + id
	require.Equal(t, http.StatusOK, g.do("GET", media, nil, as(key)...).Status)

	require.Equal(t, http.StatusOK, g.do("DELETE", "/instance/"+name, nil, as(key)...).Status)
	g.instanceWithHook(key, name, h)
	require.Equal(t, http.StatusNotFound, g.do("GET", media, nil, as(key)...).Status, "the media went with the instance")
	r := g.do("GET", "/instance/"+name+"/messages?direction=in", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Empty(t, r.JSON(t)["items"], "and so did the messages")
}
