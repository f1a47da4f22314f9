package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/openapicheck"
)

// sentSandbox is a sandbox whose network received the given messages.
type sentSandbox struct {
	fakeSandbox
	sent []SandboxSent
}

func (s sentSandbox) Sent(string) []SandboxSent { return s.sent }

// TestSandboxSentKinds: GET /sandbox/{name}/sent shows a location, contact
// cards and a poll in their own fields (the send shapes), null on the
// entries of other kinds, and every entry as the OpenAPI document says.
func TestSandboxSentKinds(t *testing.T) {
	at := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)
	entry := func(typ message.Type, out driver.Outbound) SandboxSent {
		out.MessageID, out.WAMessageID, out.To, out.Type, out.Lane =
			"3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10", "3EB0A1B2C3D4E5F6A7B8C9", "5491187654321", typ, "normal"
		return SandboxSent{Outbound: out, SentAt: at}
	}
	sb := sentSandbox{sent: []SandboxSent{
		entry(message.Text, driver.Outbound{Text: "hi"}),
		entry(message.Location, driver.Outbound{Location: &message.LocationContent{Latitude: -34.6037, Longitude: -58.3816, Name: "Obelisco"}}),
		entry(message.Location, driver.Outbound{Location: &message.LocationContent{}}),
		entry(message.Contact, driver.Outbound{Contacts: []message.ContactCard{
			{FullName: "Juan Pérez", PhoneNumber: "5491112345678"},
			{FullName: "Ana", PhoneNumber: "5491187654321", Organization: "Acme", Email: "ana@acme.example"}}}),
		entry(message.Poll, driver.Outbound{Poll: &message.PollContent{Question: "Lunch?", Options: []string{"Pizza", "Sushi"}, SelectableCount: 1}}),
	}}
	a := newTestAPI(t, sb)
	req := httptest.NewRequest(http.MethodGet, "/sandbox/acme__c__main/sent", nil)
	req.Header.Set("apikey", a.key)
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())

	checker, err := openapicheck.New(OpenAPI())
	require.NoError(t, err)
	require.NoError(t, checker.Check(req, w.Result(), w.Body.Bytes()))

	var got []map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	require.Len(t, got, 5)
	type kindFields struct{ Type, Location, Contacts, Poll any }
	fields := func(e map[string]any) kindFields {
		for _, name := range []string{"location", "contacts", "poll"} {
			require.Contains(t, e, name, "every entry has %s, null when it does not apply", name)
		}
		return kindFields{e["type"], e["location"], e["contacts"], e["poll"]}
	}
	require.Equal(t, kindFields{Type: "text"}, fields(got[0]))
	require.Equal(t, kindFields{Type: "location", Location: map[string]any{"latitude": -34.6037, "longitude": -58.3816,
		"name": "Obelisco", "address": nil}}, fields(got[1]))
	require.Equal(t, kindFields{Type: "location", Location: map[string]any{"latitude": 0.0, "longitude": 0.0,
		"name": nil, "address": nil}}, fields(got[2]), "0, 0 is a place")
	require.Equal(t, kindFields{Type: "contact", Contacts: []any{
		map[string]any{"fullName": "Juan Pérez", "phoneNumber": "5491112345678", "organization": nil, "email": nil},
		map[string]any{"fullName": "Ana", "phoneNumber": "5491187654321", "organization": "Acme", "email": "ana@acme.example"},
	}}, fields(got[3]))
	require.Equal(t, kindFields{Type: "poll", Poll: map[string]any{"question": "Lunch?", "options": []any{"Pizza", "Sushi"},
		"selectableCount": 1.0}}, fields(got[4]))
	for _, e := range got[1:] {
		require.Nil(t, e["text"])
		require.Nil(t, e["caption"])
		require.Nil(t, e["mediaUrl"])
		require.Nil(t, e["fileName"])
	}
}
