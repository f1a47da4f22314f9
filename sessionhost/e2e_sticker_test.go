package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"
)

// stickerFiles serves what the sticker tests fetch: a PNG picture, a file
// over the 1 MB limit, and files of types a sticker cannot be made from.
func stickerFiles(t *testing.T) *httptest.Server {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 150 { // the right half stays transparent
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 200, A: 255})
		}
	}
	var picture bytes.Buffer
	require.NoError(t, png.Encode(&picture, img))
	// Over 1 MB, and a real PNG by its magic: the size alone refuses it.
	big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 2<<20)...)
	files := map[string][]byte{
		"/a.png":   picture.Bytes(),
		"/big.png": big,
		"/a.gif":   []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"/a.txt":   []byte("not a picture at all"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSticker: a PNG goes out as a sticker, by its own route and by
// POST /message/send; a file over 1 MB, or one that is no WebP, PNG or
// JPEG, fails its message with an error that says so.
func TestSticker(t *testing.T) {
	files := stickerFiles(t)
	g := startGateway(t, nil)
	key := g.demoKey
	const inst = "demo__c__main"
	g.newInstance(key, inst)
	g.link(key, inst, "5491100000001")

	send := func(path string, body map[string]any) string {
		t.Helper()
		body["to"], body["lane"] = "5491112345678", "urgent"
		if path == "/message/sticker" {
			body["instanceName"] = inst
		}
		r := g.do("POST", path, body, as(key)...)
		require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
		return r.JSON(t)["id"].(string)
	}
	byRoute := send("/message/sticker", map[string]any{"stickerUrl": files.URL + "/a.png"})
	bySend := send("/message/send", map[string]any{"tenantId": "demo", "clientId": "c", "type": "sticker",
		"stickerUrl": files.URL + "/a.png"})
	for _, id := range []string{byRoute, bySend} {
		m := g.waitMessage(key, id)
		require.Equal(t, "sent", m["status"], "%v", m)
		require.Equal(t, "sticker", m["type"])
	}
	entries := g.sentEntries(key, inst, "sticker")
	require.Len(t, entries, 2)
	for _, e := range entries {
		require.Equal(t, files.URL+"/a.png", e["mediaUrl"], "the sandbox shows the URL the sticker came from")
		require.Nil(t, e["caption"])
	}

	failures := []struct{ path, want string }{
		{"/big.png", "media larger than 1 MB"},
		{"/a.gif", "sticker must be WebP, PNG or JPEG (got image/gif)"},
		{"/a.txt", "sticker must be WebP, PNG or JPEG (got text/plain)"},
	}
	for _, f := range failures {
		m := g.waitMessage(key, send("/message/sticker", map[string]any{"stickerUrl": files.URL + f.path}))
		require.Equal(t, "failed", m["status"], "%s: %v", f.path, m)
		require.Equal(t, f.want, m["error"], f.path)
	}
	require.Len(t, g.sentEntries(key, inst, "sticker"), 2, "nothing more went out")

	r := g.do("POST", "/message/sticker", map[string]any{"instanceName": inst, "to": "5491112345678",
		"stickerUrl": files.URL + "/a.png", "caption": "hi"}, as(key)...)
	require.Equal(t, http.StatusBadRequest, r.Status, "a sticker takes no caption: %s", r.Body)
}

// TestWhatsAppSticker: over whatsmeow, the recipient's phone (the fake
// server) gets a StickerMessage whose file, decrypted, is a 512×512 WebP.
func TestWhatsAppSticker(t *testing.T) {
	files := stickerFiles(t)
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)
	jid := g.link(key, waInst, waPhone)

	id := g.send(key, "/message/sticker", map[string]any{"stickerUrl": files.URL + "/a.png"})
	m := g.waitMessage(key, id)
	require.Equal(t, "sent", m["status"], "%v", m)
	ev := h.waitEvent("message.sent", func(r received) bool { return r.body["data"].(map[string]any)["id"] == id })
	require.Equal(t, "sticker", ev.body["data"].(map[string]any)["type"])

	sent := g.wa.Sent(jid)
	require.Len(t, sent, 1)
	require.NoError(t, sent[0].Err, "the fake server decrypted and checked the sticker")
	require.Equal(t, "sticker", sent[0].MediaType)
	x := sent[0].Message.GetStickerMessage()
	require.NotNil(t, x, "%v", sent[0].Message)
	require.Equal(t, "image/webp", x.GetMimetype())
	require.Equal(t, [2]uint32{512, 512}, [2]uint32{x.GetWidth(), x.GetHeight()})
	img, err := webp.Decode(bytes.NewReader(sent[0].Media))
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, 512, 512), img.Bounds())
	_, _, _, a := img.At(500, 256).RGBA()
	require.Zero(t, a, "the transparent half stays transparent")
}
