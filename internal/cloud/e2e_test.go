package cloud_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAWSShape drives the whole AWS shape on emulators: tenant and
// instances created through the API Lambda's handler, linked through the
// command queue and the session host (sandbox driver), messages sent
// through the SQS lane queues under the lane rules, events published to
// the PutEvents fake which forwards them to the webhook queue, and the
// webhooks Lambda delivering signed webhooks to a loopback receiver; a
// failing receiver goes through the retries to the DLQ, is listed dead,
// and is delivered by a redelivery once it is back.
func TestAWSShape(t *testing.T) {
	s := newShape(t)
	good, bad := newReceiver(t), newReceiver(t)
	bad.down.Store(true)

	s.tenant()
	s.instance("acme__sales__main", good)
	s.instance("acme__sales__down", bad)

	// Messages queued before the phone is linked wait in their lanes:
	// bulk first, then urgent; once open, urgent goes out first anyway,
	// and within a lane in order.
	var ids []string
	for i, l := range []string{"bulk", "bulk", "urgent", "urgent", "normal"} {
		code, body, _ := s.call(http.MethodPost, "/message/text",
			fmt.Sprintf(`{"instanceName":"acme__sales__main","to":"5491112345678","text":"m%d","lane":%q}`, i, l), nil)
		require.Equal(t, http.StatusAccepted, code, body)
		ids = append(ids, body["id"].(string))
	}
	// Linking: the API's command reaches the host holding the sessions;
	// the QR comes back within the request.
	s.link("acme__sales__main", "5491100000001")
	s.link("acme__sales__down", "5491100000002")
	connected := good.await(t, 20*time.Second, func(d delivery) bool { return d.Event == "instance.connected" })
	require.Equal(t, "acme__sales__main", connected.Body["instanceName"])
	require.Equal(t, map[string]any{"state": "open", "reason": nil}, connected.Body["data"])
	code, status, _ := s.call(http.MethodGet, "/instance/acme__sales__main/status", "", nil)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "open", status["state"])
	require.Equal(t, "5491100000001", status["phoneNumber"])

	for _, id := range ids {
		good.await(t, 60*time.Second, func(d delivery) bool {
			data, _ := d.Body["data"].(map[string]any)
			return d.Event == "message.sent" && data["id"] == id
		})
		code, m, _ := s.call(http.MethodGet, "/message/"+id, "", nil)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, "sent", m["status"])
	}
	sent := s.sandbox.Sent("acme__sales__main")
	require.Len(t, sent, 5)
	var order []string
	for i, rec := range sent {
		order = append(order, rec.Outbound.Text)
		if i > 0 {
			// The lane delay (scaled by 0.01: urgent 1–2 s → 10–20 ms) holds
			// between consecutive sends.
			require.GreaterOrEqual(t, rec.SentAt.Sub(sent[i-1].SentAt), 9*time.Millisecond)
		}
	}
	require.Equal(t, []string{"m2", "m3"}, order[:2], "urgent first, in order")

	// A receiver that is down: 1 + 3 retries, then dead, and the event in
	// the DLQ; the delivery is listed dead through the API.
	var dead map[string]any
	require.Eventually(t, func() bool {
		code, _, list := s.call(http.MethodGet, "/instance/acme__sales__down/deliveries?status=dead", "", nil)
		if code != http.StatusOK || len(list) == 0 {
			return false
		}
		dead = list[0].(map[string]any)
		return true
	}, 60*time.Second, 200*time.Millisecond)
	require.Equal(t, "instance.connected", dead["event"])
	require.EqualValues(t, 4, dead["attempts"])
	require.EqualValues(t, 500, dead["lastStatusCode"])
	id := dead["id"].(string)
	require.Equal(t, 4, bad.attempts(id))
	require.Eventually(t, func() bool {
		got, err := s.dlq.Receive(s.ctx, 10, 30*time.Second, time.Second)
		return err == nil && len(got) == 1
	}, 20*time.Second, 100*time.Millisecond, "the dead event waits in the DLQ")

	// Back up: a redelivery delivers it, with the same delivery id.
	bad.down.Store(false)
	code, _, _ = s.call(http.MethodPost, "/deliveries/"+id+"/redeliver", "", nil)
	require.Equal(t, http.StatusAccepted, code)
	got := bad.await(t, 30*time.Second, func(d delivery) bool { return d.ID == id })
	require.Equal(t, "instance.connected", got.Event)
	require.Eventually(t, func() bool {
		code, d, _ := s.call(http.MethodGet, "/instance/acme__sales__down/deliveries", "", nil)
		_ = d
		if code != http.StatusOK {
			return false
		}
		_, _, list := s.call(http.MethodGet, "/instance/acme__sales__down/deliveries?status=delivered", "", nil)
		return len(list) == 1
	}, 20*time.Second, 100*time.Millisecond)
}

// TestAWSShapeWebhookFilter: on AWS the event filter holds back the
// webhook only. An instance filtered to message.sent still publishes
// instance.connected to the bus (where other rules may want it), but the
// webhooks Lambda never delivers it nor lists it; message.sent, published
// after it, is delivered.
func TestAWSShapeWebhookFilter(t *testing.T) {
	s := newShape(t)
	hook := newReceiver(t)
	s.tenant()
	const name = "acme__sales__main"
	code, body, _ := s.call(http.MethodPost, "/instance/create",
		fmt.Sprintf(`{"instanceName":%q,"webhookUrl":%q,"webhookSecret":%q,"events":["message.sent"]}`, name, hook.URL+"/hook", secret), nil)
	require.Equal(t, http.StatusCreated, code, body)
	code, body, _ = s.call(http.MethodGet, "/instance/"+name+"/webhook", "", nil)
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, map[string]any{"webhookUrl": hook.URL + "/hook", "events": []any{"message.sent"}}, body)

	s.link(name, "5491100000001")
	require.Eventually(t, func() bool { return s.published("instance.connected", name) }, 20*time.Second, 20*time.Millisecond,
		"instance.connected reaches the bus despite the filter")
	code, body, _ = s.call(http.MethodPost, "/message/text",
		fmt.Sprintf(`{"instanceName":%q,"to":"5491112345678","text":"hi","lane":"urgent"}`, name), nil)
	require.Equal(t, http.StatusAccepted, code, body)
	id := body["id"].(string)
	hook.await(t, 60*time.Second, func(d delivery) bool {
		data, _ := d.Body["data"].(map[string]any)
		return d.Event == "message.sent" && data["id"] == id
	})
	hook.mu.Lock()
	for _, d := range hook.got {
		require.Equal(t, "message.sent", d.Event, "published before message.sent, instance.connected was never delivered")
	}
	require.Len(t, hook.hits, 1, "no attempt at all for a filtered event")
	hook.mu.Unlock()
	require.Eventually(t, func() bool {
		code, _, list := s.call(http.MethodGet, "/instance/"+name+"/deliveries", "", nil)
		return code == http.StatusOK && len(list) == 1 && list[0].(map[string]any)["event"] == "message.sent"
	}, 20*time.Second, 100*time.Millisecond, "the filtered event is not listed")
}
