package cloud_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAWSShapeChanges: PATCH and DELETE /message/{id} through the API
// Lambda: a pending message is cancelled in DynamoDB and never sent; a
// sent one is edited and deleted for everyone through the urgent SQS lane
// queue and the session host, which stamps editedAt and revokedAt. A
// location (a kind of issue 12) goes through the normal lane beside them.
func TestAWSShapeChanges(t *testing.T) {
	s := newShape(t)
	hook := newReceiver(t)
	s.tenant()
	s.instance("acme__sales__main", hook)
	send := func(text string) string {
		code, body, _ := s.call(http.MethodPost, "/message/text",
			`{"instanceName":"acme__sales__main","to":"5491112345678","text":"`+text+`","lane":"normal"}`, nil)
		require.Equal(t, http.StatusAccepted, code, body)
		return body["id"].(string)
	}
	get := func(id string) map[string]any {
		code, m, _ := s.call(http.MethodGet, "/message/"+id, "", nil)
		require.Equal(t, http.StatusOK, code, m)
		return m
	}

	cancelled := send("cancel me")
	code, m, _ := s.call(http.MethodDelete, "/message/"+cancelled, "", nil)
	require.Equal(t, http.StatusOK, code, m)
	require.Equal(t, "failed", m["status"])
	require.Equal(t, "cancelled", m["error"])

	s.link("acme__sales__main", "5491100000001")
	id := send("helo")
	require.Eventually(t, func() bool { return get(id)["status"] == "sent" }, 60*time.Second, 50*time.Millisecond)

	code, loc, _ := s.call(http.MethodPost, "/message/location",
		`{"instanceName":"acme__sales__main","to":"5491112345678","latitude":-34.6037,"longitude":-58.3816,"name":"Obelisco","lane":"normal"}`, nil)
	require.Equal(t, http.StatusAccepted, code, loc)
	require.Eventually(t, func() bool { return get(loc["id"].(string))["status"] == "sent" }, 60*time.Second, 50*time.Millisecond)

	code, m, _ = s.call(http.MethodPatch, "/message/"+id, `{"text":"hello"}`, nil)
	require.Equal(t, http.StatusAccepted, code, m)
	require.Eventually(t, func() bool { return get(id)["editedAt"] != nil }, 60*time.Second, 50*time.Millisecond)
	code, m, _ = s.call(http.MethodDelete, "/message/"+id, "", nil)
	require.Equal(t, http.StatusAccepted, code, m)
	require.Eventually(t, func() bool { return get(id)["revokedAt"] != nil }, 60*time.Second, 50*time.Millisecond)

	recs := s.sandbox.Sent("acme__sales__main")
	require.Len(t, recs, 4, "the message, the location, the edit and the deletion; never the cancelled one")
	require.Equal(t, loc["id"], recs[1].MessageID)
	require.Equal(t, "location", string(recs[1].Type))
	require.NotNil(t, recs[1].Location)
	require.Equal(t, "Obelisco", recs[1].Location.Name)
	require.InDelta(t, -34.6037, recs[1].Location.Latitude, 1e-9)
	recs = append(recs[:1], recs[2:]...)
	require.Equal(t, id, recs[0].MessageID)
	require.NotNil(t, recs[1].Edit)
	require.Equal(t, "hello", recs[1].Edit.Text)
	require.Equal(t, recs[0].WAMessageID, recs[1].Edit.TargetWAID)
	require.NotNil(t, recs[2].Revoke)
	require.Equal(t, recs[0].WAMessageID, recs[2].Revoke.TargetWAID)
	for _, r := range recs[1:] {
		require.Equal(t, id, r.MessageID)
		require.Equal(t, "urgent", r.Lane)
	}
}
