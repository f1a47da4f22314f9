package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/whatsapp"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// TestWhatsAppInbound: what contacts write and do reaches the webhook as
// API.md shows it, over the whatsmeow driver linked to the fake WhatsApp
// server: each kind of message.received (its whole data), replies and
// mentions, groups only with receiveGroups, and the updates to messages
// (reaction, edit, deletion, poll vote). Receipts (message.delivered,
// message.read) are in e2e_whatsapp_receipts_test.go.
func TestWhatsAppInbound(t *testing.T) {
	const carla = "5491155550000" // a third person, in the group
	ctx := context.Background()
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)
	jid := g.link(key, waInst, waPhone)
	at := time.Unix(1773596760, 0)
	ts := float64(at.Unix())

	// deliver has waPeer write m to the instance, and returns the data of
	// its message.received.
	deliver := func(t *testing.T, id string, m *waE2E.Message) map[string]any {
		t.Helper()
		require.NoError(t, g.wa.Deliver(ctx, jid, whatsapptest.Inbound{ID: id, From: waPeer, PushName: "Juan Pérez",
			Time: at, Message: m}), "the gateway acknowledged it")
		return h.waitEvent("message.received", byMessageID(id)).body["data"].(map[string]any)
	}
	// want is the data of a direct message from waPeer of type typ: what
	// set names, the rest null or empty. Compared whole.
	want := func(typ, id string, set map[string]any) map[string]any {
		m := map[string]any{"from": waPeer, "pushName": "Juan Pérez", "messageType": typ, "text": nil, "messageId": id,
			"timestamp": ts, "chat": waPeer, "isGroup": false, "participant": nil, "quoted": nil, "mentions": []any{},
			"media": nil, "location": nil, "contacts": []any{}, "poll": nil}
		maps.Copy(m, set)
		return m
	}
	// update has waPeer send m (a reaction, edit, deletion or vote) and
	// returns the data of the event it makes, matched by messageId.
	update := func(t *testing.T, event, messageID string, m *waE2E.Message) map[string]any {
		t.Helper()
		require.NoError(t, g.wa.Deliver(ctx, jid, whatsapptest.Inbound{From: waPeer, PushName: "Juan Pérez", Time: at, Message: m}))
		return h.waitEvent(event, byMessageID(messageID)).body["data"].(map[string]any)
	}
	// ours sends a message through the API, waits for it to go out and
	// returns what the fake server received: its WhatsApp id derives from id.
	ours := func(t *testing.T, path string, body map[string]any) (id string, s whatsapptest.Sent) {
		t.Helper()
		id = g.send(key, path, body)
		require.Equal(t, "sent", g.waitMessage(key, id)["status"])
		for _, s := range g.wa.Sent(jid) {
			if s.ID == whatsapp.MessageID(id) {
				require.NoError(t, s.Err)
				return id, s
			}
		}
		require.FailNow(t, "not on the wire", id)
		return
	}
	peerKey := func(id string) *waCommon.MessageKey { // a message of the chat, as waPeer's phone names it
		return &waCommon.MessageKey{RemoteJID: proto.String(waPhone + "@s.whatsapp.net"), FromMe: proto.Bool(true), ID: proto.String(id)}
	}

	const locID = "3EB0A1B2C3D4E5F60001"
	t.Run("location, contact, poll", func(t *testing.T) {
		got := deliver(t, locID, &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-34.603722),
			DegreesLongitude: proto.Float64(-58.381592), Name: proto.String("Obelisco"), Address: proto.String("Av. 9 de Julio s/n")}})
		require.Equal(t, want("locationMessage", locID, map[string]any{"location": map[string]any{"latitude": -34.603722,
			"longitude": -58.381592, "name": "Obelisco", "address": "Av. 9 de Julio s/n"}}), got)

		got = deliver(t, "3EB0A1B2C3D4E5F60002", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String("Ana"),
			Vcard: proto.String("BEGIN:VCARD\r\nVERSION:3.0\r\nN:;Ana;;;\r\nFN:Ana Gómez\r\n" +
				"item1.TEL;waid=5491144443333:+54 9 11 4444-3333\r\nTEL;type=HOME:+54 11 4444-1234\r\nEND:VCARD")}})
		require.Equal(t, want("contactMessage", "3EB0A1B2C3D4E5F60002", map[string]any{"contacts": []any{map[string]any{
			"fullName": "Ana Gómez", "phoneNumbers": []any{"5491144443333", "541144441234"}}}}), got)

		got = deliver(t, "3EB0A1B2C3D4E5F60003", &waE2E.Message{PollCreationMessageV3: &waE2E.PollCreationMessage{
			Name: proto.String("¿Qué día entregamos?"), SelectableOptionsCount: proto.Uint32(0),
			Options: []*waE2E.PollCreationMessage_Option{{OptionName: proto.String("Lunes")}, {OptionName: proto.String("Martes 🚚")}}}})
		require.Equal(t, want("pollCreationMessage", "3EB0A1B2C3D4E5F60003", map[string]any{"poll": map[string]any{
			"question": "¿Qué día entregamos?", "options": []any{"Lunes", "Martes 🚚"}, "selectableCount": float64(0)}}), got)
	})

	t.Run("sticker and document", func(t *testing.T) {
		for _, c := range []struct {
			id, typ  string
			msg      *waE2E.Message
			data     []byte
			mimetype string
			fileName any
			caption  any
		}{
			{"3EB0A1B2C3D4E5F60004", "stickerMessage", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{
				Mimetype: proto.String("image/webp")}}, []byte("RIFF\x10\x00\x00\x00WEBPVP8 sticker"), "image/webp", nil, nil},
			{"3EB0A1B2C3D4E5F60005", "documentMessage", &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
				FileName: proto.String("F-0001.pdf"), Mimetype: proto.String("application/pdf"), Caption: proto.String("la factura")}},
				[]byte("%PDF-1.7\n% the invoice\n%%EOF\n"), "application/pdf", "F-0001.pdf", "la factura"},
		} {
			_, err := g.wa.AttachMedia(c.msg, c.data)
			require.NoError(t, err)
			got := deliver(t, c.id, c.msg)
			sum := sha256.Sum256(c.data)
			require.Equal(t, want(c.typ, c.id, map[string]any{"caption": c.caption, "media": map[string]any{
				"url": g.base + "/instance/" + waInst + "/media/" + c.id, "mimetype": c.mimetype, "fileName": c.fileName,
				"size": float64(len(c.data)), "sha256": hex.EncodeToString(sum[:])}}), got)
			r := g.do("GET", "/instance/"+waInst+"/media/"+c.id, nil, as(key)...)
			require.Equal(t, http.StatusOK, r.Status)
			require.Equal(t, c.data, r.Body, "downloaded from WhatsApp, decrypted, served as sent")
		}
	})

	t.Run("reply with a mention", func(t *testing.T) {
		text := "@" + carla + " ¿llegás a esta dirección?"
		got := deliver(t, "3EB0A1B2C3D4E5F60006", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
			Text: proto.String(text), ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String(locID),
				Participant: proto.String(waPeer + "@s.whatsapp.net"), MentionedJID: []string{carla + "@s.whatsapp.net"},
				QuotedMessage: &waE2E.Message{LocationMessage: &waE2E.LocationMessage{Name: proto.String("Obelisco")}}}}})
		require.Equal(t, want("conversation", "3EB0A1B2C3D4E5F60006", map[string]any{"text": text,
			"quoted": map[string]any{"messageId": locID, "from": waPeer}, "mentions": []any{carla}}), got)
	})

	t.Run("group only with receiveGroups", func(t *testing.T) {
		group, err := g.wa.CreateGroup("120363025246125486", "Ventas", waPeer, waPhone, carla)
		require.NoError(t, err)
		write := func(id, text string) {
			require.NoError(t, g.wa.DeliverGroup(ctx, jid, group, whatsapptest.Inbound{ID: id, From: carla, PushName: "Carla",
				Time: at, Message: &waE2E.Message{Conversation: proto.String(text)}}), "acknowledged, kept or dropped")
		}
		const early, later = "3EB0A1B2C3D4E5F60007", "3EB0A1B2C3D4E5F60008"
		write(early, "¿hay alguien?")
		r := g.do("PATCH", "/instance/"+waInst+"/settings", map[string]any{"receiveGroups": true}, as(key)...)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		require.Equal(t, true, r.JSON(t)["receiveGroups"])
		write(later, "ahora sí")
		got := h.waitEvent("message.received", byMessageID(later)).body["data"]
		require.Equal(t, map[string]any{"from": carla, "pushName": "Carla", "messageType": "conversation", "text": "ahora sí",
			"messageId": later, "timestamp": ts, "chat": "120363025246125486@g.us", "isGroup": true, "participant": carla,
			"quoted": nil, "mentions": []any{}, "media": nil, "location": nil, "contacts": []any{}, "poll": nil}, got)
		// Webhooks go out oldest first: had the earlier one been kept, it
		// would have arrived before the later one.
		for _, e := range h.events() {
			require.NotEqual(t, early, e.body["data"].(map[string]any)["messageId"], "dropped with receiveGroups off: %v", e.body)
		}
	})

	t.Run("updates", func(t *testing.T) {
		received := h.count("message.received")
		text, _ := ours(t, "/message/text", map[string]any{"text": "Your order #42 has shipped"})
		waText := whatsapp.MessageID(text)
		got := update(t, "message.reaction", waText, &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: peerKey(waText),
			Text: proto.String("👍🏽"), SenderTimestampMS: proto.Int64(at.UnixMilli())}})
		require.Equal(t, map[string]any{"from": waPeer, "chat": waPeer, "messageId": waText, "id": text, "emoji": "👍🏽",
			"timestamp": ts}, got, "id is ours: the reaction is to our message")

		// waPeer edits, then deletes, a message of theirs.
		const theirs = "3EB0A1B2C3D4E5F60009"
		deliver(t, theirs, &waE2E.Message{Conversation: proto.String("Paso a las 5")})
		received++
		got = update(t, "message.edited", theirs, &waE2E.Message{EditedMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{
			ProtocolMessage: &waE2E.ProtocolMessage{Key: peerKey(theirs), Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
				EditedMessage: &waE2E.Message{Conversation: proto.String("Paso a las 6")}, TimestampMS: proto.Int64(at.UnixMilli())}}}})
		require.Equal(t, map[string]any{"from": waPeer, "chat": waPeer, "messageId": theirs, "text": "Paso a las 6", "timestamp": ts}, got)
		got = update(t, "message.revoked", theirs, &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Key: peerKey(theirs),
			Type: waE2E.ProtocolMessage_REVOKE.Enum()}})
		require.Equal(t, map[string]any{"from": waPeer, "chat": waPeer, "messageId": theirs, "timestamp": ts}, got)

		// waPeer's phone decrypts our poll, and votes with its secret.
		poll, sent := ours(t, "/message/poll", map[string]any{"question": "¿Dónde almorzamos?",
			"options": []any{"Pizza 🍕", "Sushi", "Empanadas"}, "selectableCount": 2})
		vote, err := g.wa.VotePoll(waPeer, sent, "Sushi", "Empanadas")
		require.NoError(t, err)
		got = update(t, "poll.vote", sent.ID, vote)
		require.Equal(t, map[string]any{"from": waPeer, "chat": waPeer, "messageId": whatsapp.MessageID(poll), "id": poll,
			"selectedOptions": []any{"Sushi", "Empanadas"}, "timestamp": ts}, got, "the options by name, matched from their hashes")
		require.Equal(t, received, h.count("message.received"), "updates are no messages")
		for _, e := range []string{"message.reaction", "message.edited", "message.revoked", "poll.vote"} {
			require.Equal(t, 1, h.count(e), "one %s", e)
		}
	})
}
