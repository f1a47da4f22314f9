package main

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	uuidV4    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	timestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
)

func TestSendEveryType(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, "demo__c__main")
	const inst, to = "demo__c__main", "5491112345678"
	cases := []struct {
		path string
		body map[string]any
		lane string
		typ  string
	}{
		{"/message/text", map[string]any{"text": "{Hello|Hi} there"}, "normal", "text"},
		{"/message/image", map[string]any{"imageUrl": "https://cdn.example.com/a.jpg", "caption": "look", "lane": "urgent"}, "urgent", "image"},
		{"/message/document", map[string]any{"documentUrl": "https://cdn.example.com/a.pdf", "fileName": "a.pdf", "lane": "bulk"}, "bulk", "document"},
		{"/message/audio", map[string]any{"audioUrl": "http://127.0.0.1:9/a.ogg"}, "normal", "audio"},
		{"/message/video", map[string]any{"videoUrl": "https://cdn.example.com/a.mp4", "caption": "{a|b}", "lane": "normal"}, "normal", "video"},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			c.body["instanceName"], c.body["to"] = inst, to
			r := g.do("POST", c.path, c.body, as(key)...)
			require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
			acc := r.JSON(t)
			require.Regexp(t, uuidV4, acc["id"])
			require.Equal(t, "pending", acc["status"])
			require.Equal(t, c.lane, acc["lane"])
			require.Regexp(t, timestamp, acc["queuedAt"])
			require.Len(t, acc, 4)

			r = g.do("GET", fmt.Sprint("/message/", acc["id"]), nil, as(key)...)
			require.Equal(t, http.StatusOK, r.Status)
			m := r.JSON(t)
			require.Equal(t, map[string]any{"id": acc["id"], "instanceName": inst, "lane": c.lane, "to": to, "type": c.typ,
				"status": "pending", "createdAt": acc["queuedAt"], "sentAt": nil, "deliveredAt": nil, "readAt": nil,
				"editedAt": nil, "revokedAt": nil, "error": nil}, m)
		})
	}
	r := g.do("GET", "/instance/"+inst+"/queue", nil, as(key)...)
	require.JSONEq(t, `{"urgent":1,"normal":3,"bulk":1,"total":5}`, string(r.Body))
	r = g.do("GET", "/instance/"+inst+"/status", nil, as(key)...)
	require.EqualValues(t, 5, r.JSON(t)["messagesQueuedCount"])
	r = g.do("GET", "/stats", nil, as(key)...)
	require.JSONEq(t, `{"instances":1,"totals":{"queued":5,"sent":0,"failed":0},
		"perInstance":[{"instanceName":"demo__c__main","queue":{"urgent":1,"normal":3,"bulk":1,"total":5},
		"messages":{"sent":0,"failed":0,"pending":5}}]}`, string(r.Body))
	r = g.do("GET", "/health", nil)
	require.EqualValues(t, 5, r.JSON(t)["queuedMessages"])
	require.EqualValues(t, 1, r.JSON(t)["instances"])

	// Every accepted message is durably on its lane queue.
	for l, want := range map[string]int{"urgent": 1, "normal": 3, "bulk": 1} {
		n, err := g.app.Queues[l].Len(t.Context())
		require.NoError(t, err)
		require.Equal(t, want, n, l)
	}
}

func TestSendValidation(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, "demo__c__main")
	base := func(extra map[string]any) map[string]any {
		b := map[string]any{"instanceName": "demo__c__main", "to": "5491112345678", "text": "hi"}
		for k, v := range extra {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	deep := strings.Repeat("{a|", 17) + strings.Repeat("}", 17)
	many := "{" + strings.Repeat("a|", 10000) + "a}"
	cases := []struct {
		name   string
		path   string
		body   any
		status int
		field  string
	}{
		{"missing text", "/message/text", base(map[string]any{"text": nil}), 400, "text"},
		{"empty text", "/message/text", base(map[string]any{"text": ""}), 400, "text"},
		{"plus in number", "/message/text", base(map[string]any{"to": "+5491112345678"}), 400, "to"},
		{"short number", "/message/text", base(map[string]any{"to": "1234567"}), 400, "to"},
		{"long number", "/message/text", base(map[string]any{"to": "1234567890123456"}), 400, "to"},
		{"bad lane", "/message/text", base(map[string]any{"lane": "fast"}), 400, "lane"},
		{"spintax too deep", "/message/text", base(map[string]any{"text": deep}), 400, "text"},
		{"spintax too many options", "/message/text", base(map[string]any{"text": many}), 400, "text"},
		{"unmatched brace is literal", "/message/text", base(map[string]any{"text": "{unclosed"}), 202, ""},
		{"empty lane means normal", "/message/text", base(map[string]any{"lane": ""}), 202, ""},
		{"null caption and lane mean none and normal", "/message/image", `{"instanceName":"demo__c__main","to":"5491112345678","imageUrl":"https://x.example/a.jpg","caption":null,"lane":null}`, 202, ""},
		{"field of another type", "/message/text", base(map[string]any{"imageUrl": "https://x.example/a.jpg"}), 400, "imageUrl"},
		{"missing image url", "/message/image", base(map[string]any{"text": nil}), 400, "imageUrl"},
		{"http media off loopback", "/message/image", base(map[string]any{"text": nil, "imageUrl": "http://cdn.example.com/a.jpg"}), 400, "imageUrl"},
		{"media on private address", "/message/video", base(map[string]any{"text": nil, "videoUrl": "https://192.168.0.10/v.mp4"}), 400, "videoUrl"},
		{"document needs file name", "/message/document", base(map[string]any{"text": nil, "documentUrl": "https://x.example/a.pdf"}), 400, "fileName"},
		{"audio takes no caption", "/message/audio", base(map[string]any{"text": nil, "audioUrl": "https://x.example/a.ogg", "caption": "x"}), 400, "caption"},
		{"bad instance name", "/message/text", base(map[string]any{"instanceName": "nope"}), 400, "instanceName"},
		{"unknown instance", "/message/text", base(map[string]any{"instanceName": "demo__c__other"}), 404, ""},
		{"another tenant's instance", "/message/text", base(map[string]any{"instanceName": "acme__c__main"}), 403, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := g.do("POST", c.path, c.body, as(key)...)
			require.Equal(t, c.status, r.Status, string(r.Body))
			if c.field != "" {
				require.Equal(t, []any{c.field}, r.JSON(t)["issues"].([]any)[0].(map[string]any)["path"], string(r.Body))
			}
		})
	}
	r := g.do("GET", "/message/not-a-uuid", nil, as(key)...)
	require.Equal(t, http.StatusBadRequest, r.Status)
	r = g.do("GET", "/message/3b2e1f4a-1111-4222-8333-444455556666", nil, as(key)...)
	require.Equal(t, http.StatusNotFound, r.Status)
}

func TestSendToClient(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, "demo__sales__a")
	cases := []struct {
		name   string
		body   map[string]any
		status int
	}{
		{"no open instance", map[string]any{"tenantId": "demo", "clientId": "sales", "type": "text", "to": "5491112345678", "text": "hi"}, 409},
		{"unknown client", map[string]any{"tenantId": "demo", "clientId": "ghost", "type": "text", "to": "5491112345678", "text": "hi"}, 409},
		{"another tenant", map[string]any{"tenantId": "acme", "clientId": "sales", "type": "text", "to": "5491112345678", "text": "hi"}, 403},
		{"bad type", map[string]any{"tenantId": "demo", "clientId": "sales", "type": "fax", "to": "5491112345678"}, 400},
		{"field of another type", map[string]any{"tenantId": "demo", "clientId": "sales", "type": "text", "to": "5491112345678", "text": "hi", "imageUrl": "https://x.example/a.jpg"}, 400},
		{"missing type fields", map[string]any{"tenantId": "demo", "clientId": "sales", "type": "document", "to": "5491112345678"}, 400},
		{"instanceName is not a field here", map[string]any{"tenantId": "demo", "clientId": "sales", "type": "text", "to": "5491112345678", "text": "hi", "instanceName": "demo__sales__a"}, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := g.do("POST", "/message/send", c.body, as(key)...)
			require.Equal(t, c.status, r.Status, string(r.Body))
		})
	}
}

func TestIdempotency(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, "demo__c__main")
	body := map[string]any{"instanceName": "demo__c__main", "to": "5491112345678", "text": "once"}
	first := g.do("POST", "/message/text", body, as(key, "Idempotency-Key", "order-42")...)
	require.Equal(t, http.StatusAccepted, first.Status)
	require.Empty(t, first.Header.Get("Idempotency-Replayed"))
	again := g.do("POST", "/message/text", body, as(key, "Idempotency-Key", "order-42")...)
	require.Equal(t, http.StatusAccepted, again.Status)
	require.Equal(t, "true", again.Header.Get("Idempotency-Replayed"))
	require.JSONEq(t, string(first.Body), string(again.Body))
	// The first answer wins even on another route.
	img := g.do("POST", "/message/image", map[string]any{"instanceName": "demo__c__main", "to": "5491112345678", "imageUrl": "https://x.example/a.jpg"},
		as(key, "Idempotency-Key", "order-42")...)
	require.JSONEq(t, string(first.Body), string(img.Body))
	r := g.do("GET", "/instance/demo__c__main/queue", nil, as(key)...)
	require.EqualValues(t, 1, r.JSON(t)["total"], "replays enqueue nothing")

	other := g.newTenant("acme")
	g.newInstance(other, "acme__c__main")
	mine := g.do("POST", "/message/text", map[string]any{"instanceName": "acme__c__main", "to": "5491112345678", "text": "x"},
		as(other, "Idempotency-Key", "order-42")...)
	require.Equal(t, http.StatusAccepted, mine.Status)
	require.Empty(t, mine.Header.Get("Idempotency-Replayed"), "keys are per tenant")
	require.NotEqual(t, first.JSON(t)["id"], mine.JSON(t)["id"])

	r = g.do("POST", "/message/text", body, as(key, "Idempotency-Key", strings.Repeat("k", 257))...)
	require.Equal(t, http.StatusBadRequest, r.Status)
	r = g.do("POST", "/message/text", body, as(key, "Idempotency-Key", strings.Repeat("k", 256))...)
	require.Equal(t, http.StatusAccepted, r.Status)
}

func TestFlush(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	g.newInstance(key, "demo__c__main")
	g.newInstance(key, "demo__c__other")
	var ids []string
	for i, l := range []string{"urgent", "normal", "bulk", "bulk"} {
		r := g.do("POST", "/message/text", map[string]any{"instanceName": "demo__c__main", "to": "5491112345678", "text": fmt.Sprint("m", i), "lane": l}, as(key)...)
		require.Equal(t, http.StatusAccepted, r.Status)
		ids = append(ids, r.JSON(t)["id"].(string))
	}
	g.do("POST", "/message/text", map[string]any{"instanceName": "demo__c__other", "to": "5491112345678", "text": "keep"}, as(key)...)

	r := g.do("DELETE", "/instance/demo__c__main/queue", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status)
	require.JSONEq(t, `{"instanceName":"demo__c__main","flushed":4}`, string(r.Body))
	for _, id := range ids {
		m := g.do("GET", "/message/"+id, nil, as(key)...).JSON(t)
		require.Equal(t, "failed", m["status"])
		require.Equal(t, "flushed", m["error"])
	}
	r = g.do("GET", "/instance/demo__c__main/queue", nil, as(key)...)
	require.JSONEq(t, `{"urgent":0,"normal":0,"bulk":0,"total":0}`, string(r.Body))
	r = g.do("GET", "/instance/demo__c__other/queue", nil, as(key)...)
	require.EqualValues(t, 1, r.JSON(t)["total"])
	r = g.do("GET", "/stats", nil, as(key)...)
	require.EqualValues(t, map[string]any{"queued": 1.0, "sent": 0.0, "failed": 4.0}, r.JSON(t)["totals"])
	r = g.do("DELETE", "/instance/demo__c__main/queue", nil, as(key)...)
	require.JSONEq(t, `{"instanceName":"demo__c__main","flushed":0}`, string(r.Body))
}
