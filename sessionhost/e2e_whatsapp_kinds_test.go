package main

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"

	"github.com/wagateway/wagateway/internal/whatsapp"
)

// TestWhatsAppKindsOnTheWire: a location, contact cards and a poll sent
// through the API reach the recipient's phone as WhatsApp's clients
// would send them, decrypted at the fake server and read field by field:
// the pin, the vCard text, the poll with its encryption secret.
func TestWhatsAppKindsOnTheWire(t *testing.T) {
	g := startWhatsAppGateway(t, nil)
	key := g.demoKey
	h := newHook(t, "a-secret-of-16-chars")
	g.instanceWithHook(key, waInst, h)
	jid := g.link(key, waInst, waPhone)

	location := g.send(key, "/message/location", map[string]any{"latitude": -34.603722, "longitude": -58.381592,
		"name": "Obelisco", "address": "Av. 9 de Julio s/n"})
	one := g.send(key, "/message/contact", map[string]any{"contacts": []any{
		map[string]any{"fullName": "Juan Pérez", "phoneNumber": "5491112345678"}}})
	two := g.send(key, "/message/contact", map[string]any{"contacts": []any{
		map[string]any{"fullName": "Juan Pérez", "phoneNumber": "5491112345678"},
		map[string]any{"fullName": "Ana; Gómez", "phoneNumber": "5491187654321", "organization": "Acme, S.A.", "email": "ana@acme.example"}}})
	poll := g.send(key, "/message/poll", map[string]any{"question": "¿Dónde almorzamos?",
		"options": []any{"Pizza 🍕", "Sushi", "Empanadas"}, "selectableCount": 2})
	ids := []string{location, one, two, poll}
	types := []string{"location", "contact", "contact", "poll"}
	for i, id := range ids {
		m := g.waitMessage(key, id)
		require.Equal(t, "sent", m["status"], "%v", m)
		ev := h.waitEvent("message.sent", func(r received) bool { return r.body["data"].(map[string]any)["id"] == id })
		require.Equal(t, types[i], ev.body["data"].(map[string]any)["type"])
	}

	sent := g.wa.Sent(jid)
	require.Len(t, sent, 4)
	for i, s := range sent {
		require.NoError(t, s.Err)
		require.Equal(t, whatsapp.MessageID(ids[i]), s.ID, "in order, under the ids derived from ours")
		require.Equal(t, waPeer, s.Phone)
	}

	pin := sent[0].Message.GetLocationMessage()
	require.NotNil(t, pin, "%v", sent[0].Message)
	require.Equal(t, -34.603722, pin.GetDegreesLatitude())
	require.Equal(t, -58.381592, pin.GetDegreesLongitude())
	require.Equal(t, "Obelisco", pin.GetName())
	require.Equal(t, "Av. 9 de Julio s/n", pin.GetAddress())

	const juan = "BEGIN:VCARD\nVERSION:3.0\nN:;Juan Pérez;;;\nFN:Juan Pérez\n" +
		"TEL;type=CELL;waid=5491112345678:+5491112345678\nEND:VCARD"
	const ana = "BEGIN:VCARD\nVERSION:3.0\nN:;Ana\\; Gómez;;;\nFN:Ana\\; Gómez\nORG:Acme\\, S.A.\n" +
		"TEL;type=CELL;waid=5491187654321:+5491187654321\nEMAIL;type=INTERNET:ana@acme.example\nEND:VCARD"
	card := sent[1].Message.GetContactMessage()
	require.NotNil(t, card, "one card goes as a ContactMessage: %v", sent[1].Message)
	require.Equal(t, "Juan Pérez", card.GetDisplayName())
	require.Equal(t, juan, card.GetVcard())
	cards := sent[2].Message.GetContactsArrayMessage()
	require.NotNil(t, cards, "several go as a ContactsArrayMessage: %v", sent[2].Message)
	require.Equal(t, "2 contacts", cards.GetDisplayName())
	require.Len(t, cards.GetContacts(), 2)
	require.Equal(t, "Juan Pérez", cards.GetContacts()[0].GetDisplayName())
	require.Equal(t, juan, cards.GetContacts()[0].GetVcard())
	require.Equal(t, "Ana; Gómez", cards.GetContacts()[1].GetDisplayName())
	require.Equal(t, ana, cards.GetContacts()[1].GetVcard())

	require.Equal(t, "poll", sent[3].Type, "the stanza type WhatsApp routes polls by")
	p := sent[3].Message.GetPollCreationMessage()
	require.NotNil(t, p, "%v", sent[3].Message)
	require.Equal(t, "¿Dónde almorzamos?", p.GetName())
	require.Equal(t, []string{"Pizza 🍕", "Sushi", "Empanadas"}, optionNames(p))
	require.Equal(t, uint32(2), p.GetSelectableOptionsCount())
	require.Len(t, sent[3].Message.GetMessageContextInfo().GetMessageSecret(), 32,
		"the poll's secret travels with it: votes are encrypted with it")
}

func optionNames(p *waE2E.PollCreationMessage) []string {
	var names []string
	for _, o := range p.GetOptions() {
		names = append(names, o.GetOptionName())
	}
	return names
}
