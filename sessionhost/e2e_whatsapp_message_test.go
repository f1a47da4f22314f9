package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/whatsapp"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// TestWhatsAppMessages: what the API sends is what WhatsApp receives
// (decrypted by the recipient's phone at the fake server), and what a
// contact writes arrives as message.received exactly as API.md shows it.
func TestWhatsAppMessages(t *testing.T) {
	pdf := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/files/invoice-0042.pdf" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write(pdf)
	}))
	t.Cleanup(media.Close)
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)
	jid := g.link(key, waInst, waPhone)

	t.Run("text and document", func(t *testing.T) {
		text := g.send(key, "/message/text", map[string]any{"text": "Your order #42 has shipped"})
		doc := g.send(key, "/message/document", map[string]any{"documentUrl": media.URL + "/files/invoice-0042.pdf",
			"fileName": "invoice 0042.pdf", "caption": "{Your|The} invoice"})
		for _, id := range []string{text, doc} {
			m := g.waitMessage(key, id)
			require.Equal(t, "sent", m["status"], "%v", m)
			ev := h.waitEvent("message.sent", func(r received) bool { return r.body["data"].(map[string]any)["id"] == id })
			require.Equal(t, waPeer, ev.body["data"].(map[string]any)["to"])
		}

		sent := g.wa.Sent(jid)
		require.Len(t, sent, 2)
		for _, s := range sent {
			require.NoError(t, s.Err)
			require.Equal(t, jid, s.From)
			require.Equal(t, g.wa.LID(waPeer), s.To, "whatsmeow addresses the chat by LID")
			require.Equal(t, waPeer, s.Phone)
		}
		require.Equal(t, whatsapp.MessageID(text), sent[0].ID, "the WhatsApp id derives from ours")
		require.Equal(t, "text", sent[0].Type)
		require.Equal(t, "Your order #42 has shipped", sent[0].Message.GetConversation())

		require.Equal(t, whatsapp.MessageID(doc), sent[1].ID)
		require.Equal(t, "media", sent[1].Type)
		require.Equal(t, "document", sent[1].MediaType)
		// A captioned document goes wrapped, as WhatsApp's own clients send it.
		d := sent[1].Message.GetDocumentWithCaptionMessage().GetMessage().GetDocumentMessage()
		require.NotNil(t, d, "a captioned DocumentMessage: %v", sent[1].Message)
		require.Equal(t, "invoice 0042.pdf", d.GetFileName())
		require.Equal(t, "application/pdf", d.GetMimetype())
		require.Contains(t, []string{"Your invoice", "The invoice"}, d.GetCaption(), "spintax resolved")
		require.Equal(t, uint64(len(pdf)), d.GetFileLength())
		sum := sha256.Sum256(pdf)
		require.Equal(t, sum[:], d.GetFileSHA256())
		require.Len(t, d.GetMediaKey(), 32)
		require.NotEmpty(t, d.GetDirectPath())
		require.Equal(t, pdf, sent[1].Media, "the upload decrypts to the fetched file")
	})

	t.Run("inbound from a LID", func(t *testing.T) {
		at := time.Unix(1773596760, 0)
		in := whatsapptest.Inbound{ID: "AC3EADB76DB5BE4130602FBF2039604A", From: waPeer, PushName: "Juan Pérez", Time: at,
			Message: &waE2E.Message{Conversation: proto.String("Hello, I need help")}}
		require.NoError(t, g.wa.Deliver(context.Background(), jid, in), "the gateway acknowledged it")
		rec := h.waitEvent("message.received", nil)
		require.Equal(t, waInst, rec.body["instanceName"])
		require.Regexp(t, timestamp, rec.body["timestamp"])
		require.Equal(t, map[string]any{"from": waPeer, "pushName": "Juan Pérez", "messageType": "conversation",
			"text": "Hello, I need help", "messageId": "AC3EADB76DB5BE4130602FBF2039604A", "timestamp": float64(1773596760),
			"chat": waPeer, "isGroup": false, "participant": nil, "quoted": nil, "mentions": []any{}, "media": nil,
			"location": nil, "contacts": []any{}, "poll": nil},
			rec.body["data"], "from is the phone number though WhatsApp sent from %s", g.wa.LID(waPeer))

		photo := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte("broken part "), 4000)...)
		imgMsg := &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("the broken part"), Mimetype: proto.String("image/jpeg")}}
		_, err := g.wa.AttachMedia(imgMsg, photo)
		require.NoError(t, err)
		img := whatsapptest.Inbound{ID: "AC3EADB76DB5BE4130602FBF2039604B", From: waPeer, PushName: "Juan Pérez", Time: at, Message: imgMsg}
		require.NoError(t, g.wa.Deliver(context.Background(), types.NewJID(waPhone, types.DefaultUserServer), img))
		rec = h.waitEvent("message.received", func(r received) bool {
			return r.body["data"].(map[string]any)["messageType"] == "imageMessage"
		})
		sum := sha256.Sum256(photo)
		mediaURL := g.base + "/instance/" + waInst + "/media/AC3EADB76DB5BE4130602FBF2039604B"
		require.Equal(t, map[string]any{"from": waPeer, "pushName": "Juan Pérez", "messageType": "imageMessage",
			"text": nil, "caption": "the broken part", "messageId": "AC3EADB76DB5BE4130602FBF2039604B", "timestamp": float64(1773596760),
			"chat": waPeer, "isGroup": false, "participant": nil, "quoted": nil, "mentions": []any{},
			"media": map[string]any{"url": mediaURL, "mimetype": "image/jpeg", "fileName": nil, "size": float64(len(photo)),
				"sha256": hex.EncodeToString(sum[:])},
			"location": nil, "contacts": []any{}, "poll": nil},
			rec.body["data"])
		// The photo, downloaded from WhatsApp and decrypted, is served as it was sent.
		r := g.do("GET", "/instance/"+waInst+"/media/AC3EADB76DB5BE4130602FBF2039604B", nil, as(key)...)
		require.Equal(t, http.StatusOK, r.Status)
		require.Equal(t, photo, r.Body)
		require.Equal(t, "image/jpeg", r.Header.Get("Content-Type"))
		require.Equal(t, 2, h.count("message.received"))
	})

	t.Run("number not on WhatsApp", func(t *testing.T) {
		const nobody = "5491100000000"
		g.wa.NotOnWhatsApp(nobody)
		before := len(g.wa.Sent(jid))
		id := g.send(key, "/message/text", map[string]any{"text": "anyone?", "to": nobody})
		m := g.waitMessage(key, id)
		require.Equal(t, "failed", m["status"])
		require.Equal(t, "number not on WhatsApp", m["error"])
		ev := h.waitEvent("message.failed", nil)
		require.Equal(t, map[string]any{"id": id, "to": nobody, "lane": "urgent", "type": "text", "error": "number not on WhatsApp"},
			ev.body["data"])
		require.Len(t, g.wa.Sent(jid), before, "nothing reached WhatsApp")
		require.Equal(t, "open", g.status(key, waInst)["state"], "the instance keeps working")
	})
}

// send posts a message from waInst (to waPeer, urgent lane, unless body
// says otherwise) and returns its id.
func (g *waGateway) send(key, path string, body map[string]any) string {
	g.t.Helper()
	body["instanceName"] = waInst
	if _, ok := body["to"]; !ok {
		body["to"] = waPeer
	}
	if _, ok := body["lane"]; !ok {
		body["lane"] = "urgent"
	}
	r := g.do("POST", path, body, as(key)...)
	require.Equal(g.t, http.StatusAccepted, r.Status, string(r.Body))
	return r.JSON(g.t)["id"].(string)
}
