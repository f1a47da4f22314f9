package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// Replies (replyTo) and reactions over HTTP on the sandbox: a message the
// instance received (POST /sandbox/{name}/inbound) or one it sent can be
// quoted; what went out names the WhatsApp id quoted.

const (
	replyInst  = "demo__c__main"
	replyOther = "demo__c__other"
	replyPeer  = "5491112345678"
)

// inbound makes the sandbox deliver a text from from to name, and returns
// its WhatsApp id.
func (g *gw) inbound(key, name, from, text string) string {
	g.t.Helper()
	r := g.do("POST", "/sandbox/"+name+"/inbound", map[string]any{"from": from, "messageType": "conversation",
		"text": text}, as(key)...)
	require.Equal(g.t, http.StatusOK, r.Status, string(r.Body))
	return r.JSON(g.t)["messageId"].(string)
}

// sentEntry returns the sandbox's entry of our message id.
func (g *gw) sentEntry(key, name, id string) map[string]any {
	g.t.Helper()
	for _, e := range g.sent(key, name) {
		if e := e.(map[string]any); e["messageId"] == id {
			return e
		}
	}
	g.t.Fatalf("message %s was not sent by %s", id, name)
	return nil
}

func TestReplyTo(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, replyInst)
	g.link(key, replyInst, "5491100000001")
	g.newInstance(key, replyOther)
	g.link(key, replyOther, "5491100000002")

	// A reply to a received message quotes its WhatsApp id.
	waID := g.inbound(key, replyInst, replyPeer, "¿Tienen stock?")
	reply := g.accept(key, "/message/text", map[string]any{"instanceName": replyInst, "to": replyPeer,
		"text": "Sí, tenemos", "replyTo": waID})
	require.Equal(t, "sent", g.waitMessage(key, reply)["status"])
	e := g.sentEntry(key, replyInst, reply)
	require.Equal(t, waID, e["replyTo"])

	// A reply to one of our sent messages quotes the WhatsApp id it went
	// out under; any kind can reply.
	again := g.accept(key, "/message/location", map[string]any{"instanceName": replyInst, "to": replyPeer,
		"latitude": -34.6, "longitude": -58.4, "replyTo": reply})
	require.Equal(t, "sent", g.waitMessage(key, again)["status"])
	require.Equal(t, e["waMessageId"], g.sentEntry(key, replyInst, again)["replyTo"])

	// Without replyTo, null.
	plain := g.sendText(key, replyInst, "hola", "urgent")
	g.waitMessage(key, plain)
	require.Nil(t, g.sentEntry(key, replyInst, plain)["replyTo"])

	// POST /message/send goes from the instance that received the message
	// (the client has two open ones).
	other := g.inbound(key, replyOther, replyPeer, "hola otra")
	r := g.do("POST", "/message/send", map[string]any{"tenantId": "demo", "clientId": "c", "type": "text",
		"to": replyPeer, "text": "respuesta", "replyTo": other}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	acc := r.JSON(t)
	require.Equal(t, replyOther, acc["instanceName"])
	g.waitMessage(key, acc["id"].(string))
	require.Equal(t, other, g.sentEntry(key, replyOther, acc["id"].(string))["replyTo"])
}

func TestReplyToErrors(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, replyInst)
	g.link(key, replyInst, "5491100000001")
	g.newInstance(key, replyOther)
	g.link(key, replyOther, "5491100000002")
	received := g.inbound(key, replyOther, replyPeer, "to the other instance")
	ours := g.sendText(key, replyOther, "from the other instance", "urgent")
	g.waitMessage(key, ours)
	pending := g.sendText(key, replyInst, "not yet", "bulk")

	for name, ref := range map[string]string{
		"received by another instance": received,
		"sent by another instance":     ours,
		"unknown WhatsApp id":          "3EB0FFFFFFFFFFFFFFFFFF",
		"unknown id":                   "3b2e1f4a-1111-4222-8333-444455556666",
		"not sent yet":                 pending,
	} {
		t.Run(name, func(t *testing.T) {
			r := g.do("POST", "/message/text", map[string]any{"instanceName": replyInst, "to": replyPeer,
				"text": "x", "replyTo": ref}, as(key)...)
			requireIssue(t, r, "replyTo", "Must be the id of a message this instance sent")
		})
	}
	r := g.do("POST", "/message/send", map[string]any{"tenantId": "demo", "clientId": "c", "type": "text",
		"to": replyPeer, "text": "x", "replyTo": "3EB0FFFFFFFFFFFFFFFFFF"}, as(key)...)
	requireIssue(t, r, "replyTo", "Must be the id of a message this instance sent")

	// The instance that knows the message is not open: 409, not another one.
	r = g.do("POST", "/sandbox/"+replyOther+"/disconnect", map[string]any{"reason": "replaced"}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	g.waitState(key, replyOther, "close")
	r = g.do("POST", "/message/send", map[string]any{"tenantId": "demo", "clientId": "c", "type": "text",
		"to": replyPeer, "text": "x", "replyTo": received}, as(key)...)
	require.Equal(t, http.StatusConflict, r.Status, string(r.Body))
}

func TestReaction(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, replyInst)
	g.link(key, replyInst, "5491100000001")
	waID := g.inbound(key, replyInst, replyPeer, "¡Llegó el pedido!")

	react := func(body map[string]any) string {
		body["instanceName"], body["to"] = replyInst, replyPeer
		id := g.accept(key, "/message/reaction", body)
		require.Equal(t, "sent", g.waitMessage(key, id)["status"])
		return id
	}
	thumbs := react(map[string]any{"messageId": waID, "emoji": "👍🏽"})
	e := g.sentEntry(key, replyInst, thumbs)
	require.Equal(t, "reaction", e["type"])
	require.Equal(t, map[string]any{"messageId": waID, "emoji": "👍🏽"}, e["reaction"])
	require.Nil(t, e["replyTo"])

	removed := react(map[string]any{"messageId": waID, "emoji": ""})
	require.Equal(t, map[string]any{"messageId": waID, "emoji": ""}, g.sentEntry(key, replyInst, removed)["reaction"])

	// To one of ours: the WhatsApp id it went out under.
	ours := g.sendText(key, replyInst, "gracias", "urgent")
	g.waitMessage(key, ours)
	family := react(map[string]any{"messageId": ours, "emoji": "👨‍👩‍👧‍👦"})
	require.Equal(t, map[string]any{"messageId": g.sentEntry(key, replyInst, ours)["waMessageId"], "emoji": "👨‍👩‍👧‍👦"},
		g.sentEntry(key, replyInst, family)["reaction"])

	// Through POST /message/send as well.
	r := g.do("POST", "/message/send", map[string]any{"tenantId": "demo", "clientId": "c", "type": "reaction",
		"to": replyPeer, "messageId": waID, "emoji": "🇦🇷"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
	require.Equal(t, replyInst, r.JSON(t)["instanceName"])
}

func TestReactionErrors(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, replyInst)
	g.link(key, replyInst, "5491100000001")
	waID := g.inbound(key, replyInst, replyPeer, "hola")
	for name, c := range map[string]struct {
		body      map[string]any
		field, is string
	}{
		"to is not the chat":        {map[string]any{"to": "5491187654321", "messageId": waID, "emoji": "👍"}, "to", "Must be the chat"},
		"two emojis":                {map[string]any{"to": replyPeer, "messageId": waID, "emoji": "👍👍"}, "emoji", "Must be one emoji"},
		"text":                      {map[string]any{"to": replyPeer, "messageId": waID, "emoji": "ok"}, "emoji", "Must be one emoji"},
		"no emoji":                  {map[string]any{"to": replyPeer, "messageId": waID}, "emoji", "Required"},
		"unknown message":           {map[string]any{"to": replyPeer, "messageId": "3EB0FFFFFFFFFFFFFFFFFF", "emoji": "👍"}, "messageId", "Must be the id of a message this instance sent"},
		"a reaction quotes nothing": {map[string]any{"to": replyPeer, "messageId": waID, "emoji": "👍", "replyTo": waID}, "replyTo", "Not allowed"},
	} {
		t.Run(name, func(t *testing.T) {
			c.body["instanceName"] = replyInst
			requireIssue(t, g.do("POST", "/message/reaction", c.body, as(key)...), c.field, c.is)
		})
	}
}
