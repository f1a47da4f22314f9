package openapicheck

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/stretchr/testify/require"
)

const specPath = "../httpapi/openapi.json"

const (
	msgID  = "3b2e1f4a-9c8d-4e7f-a6b5-c4d3e2f1a0b9"
	reqID  = "0b6f8f0e-8f5a-4a56-9d4a-3c2d1e0f9a7b"
	inst   = "acme__soporte__main"
	ts     = "2026-03-15T10:30:00.000Z"
	apiKey = "wgk_9f86d081884c7d65_q3Vx0bS2r7Kp1mWc8yTnAeLd4uHgZ6jFi5oRtEsNvBw"
)

func loadSpec(t *testing.T) []byte {
	t.Helper()
	spec, err := os.ReadFile(specPath)
	require.NoError(t, err)
	return spec
}

var (
	checkerOnce sync.Once
	checker     *Checker
	checkerErr  error
)

func newChecker(t *testing.T) *Checker {
	t.Helper()
	spec := loadSpec(t)
	checkerOnce.Do(func() { checker, checkerErr = New(spec) })
	require.NoError(t, checkerErr)
	return checker
}

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	spec := loadSpec(t)

	doc, err := libopenapi.NewDocument(spec)
	require.NoError(t, err)
	require.Equal(t, "3.1.0", doc.GetVersion())
	v, errs := validator.NewValidator(doc)
	require.Empty(t, errs)
	ok, verrs := v.ValidateDocument()
	require.True(t, ok, "document does not validate as OpenAPI 3.1: %v", describe(verrs))

	_, err = New(spec)
	require.NoError(t, err)
}

const errorComponent = `"components": {"schemas": {"Error": {"type": "object"}}}`

func TestNewRejectsBadDocuments(t *testing.T) {
	_, err := New([]byte(`{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},` + errorComponent + `}`))
	require.NoError(t, err, "the minimal document the cases below break must be accepted")

	tests := []struct {
		name string
		spec string
	}{
		{"not a document", `{"hello": "world"}`},
		{"openapi 3.0", `{"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {}}`},
		{"broken operation", `{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"get": {"responses": "nope"}}},` + errorComponent + `}`},
		{"info without version", `{"openapi": "3.1.0", "info": {"title": "x"}, "paths": {},` + errorComponent + `}`},
		{"unknown operation field", `{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"get": {"bogus": 1, "responses": {"200": {"description": "ok"}}}}},` + errorComponent + `}`},
		{"schema type typo", `{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {}, "components": {"schemas": {"Error": {"type": "strin"}}}}`},
		{"schema bad pattern", `{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {}, "components": {"schemas": {"Error": {"type": "string", "pattern": "(["}}}}`},
		{"inline schema bad required", `{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "object", "required": "x"}}], "responses": {"200": {"description": "ok"}}}}},` + errorComponent + `}`},
		{"no Error schema", `{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New([]byte(tt.spec))
			require.Error(t, err)
			t.Log(err)
		})
	}
}

// TestDocumentConventions pins the route list of the brief and the
// document-wide rules: x-request-id on every response, Retry-After on 429,
// Idempotency-Key on sends, additionalProperties false on request bodies.
func TestDocumentConventions(t *testing.T) {
	var doc map[string]any
	require.NoError(t, json.Unmarshal(loadSpec(t), &doc))

	resolve := func(node map[string]any) map[string]any {
		for i := 0; i < 8; i++ {
			ref, ok := node["$ref"].(string)
			if !ok {
				return node
			}
			cur := any(doc)
			for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
				cur = cur.(map[string]any)[part]
			}
			require.NotNil(t, cur, "dangling $ref %s", ref)
			node = cur.(map[string]any)
		}
		t.Fatalf("$ref chain too long")
		return nil
	}

	var ops []string
	paths := doc["paths"].(map[string]any)
	for p, item := range paths {
		for m, raw := range item.(map[string]any) {
			if m == "parameters" {
				continue
			}
			op := raw.(map[string]any)
			id := strings.ToUpper(m) + " " + p
			ops = append(ops, id)

			for status, r := range op["responses"].(map[string]any) {
				resp := r.(map[string]any)
				direct, _ := resp["headers"].(map[string]any)
				if ref, ok := resp["$ref"].(string); ok {
					require.True(t, strings.HasPrefix(ref, "#/components/responses/"), "%s %s", id, status)
				} else {
					require.Equal(t, "#/components/headers/RequestId", direct["x-request-id"].(map[string]any)["$ref"], "%s %s", id, status)
				}
				headers := resolve(resp)["headers"].(map[string]any)
				require.Equal(t, "#/components/headers/RequestId", headers["x-request-id"].(map[string]any)["$ref"], "%s %s lacks x-request-id", id, status)
				if status == "429" {
					require.Contains(t, headers, "Retry-After", id)
				}
				if strings.HasPrefix(p, "/message/") && m == "post" && status == "202" {
					require.Contains(t, headers, "Idempotency-Replayed", id)
				}
			}

			if strings.HasPrefix(p, "/message/") && m == "post" {
				var names []string
				for _, prm := range op["parameters"].([]any) {
					names = append(names, resolve(prm.(map[string]any))["name"].(string))
				}
				require.Contains(t, names, "Idempotency-Key", id)
			}

			if rb, ok := op["requestBody"].(map[string]any); ok {
				schema := resolve(rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any))
				variants := []any{schema}
				if oneOf, ok := schema["oneOf"].([]any); ok {
					variants = oneOf
				}
				for _, v := range variants {
					s := resolve(v.(map[string]any))
					require.Equal(t, false, s["additionalProperties"], "%s request body must set additionalProperties false", id)
				}
			}
		}
	}
	sort.Strings(ops)
	want := []string{
		"DELETE /admin/tenants/{tenantId}/keys/{keyId}", "DELETE /instance/{name}", "DELETE /instance/{name}/queue", "DELETE /message/{id}",
		"GET /health", "GET /instance/list", "GET /instance/list/{clientId}", "GET /instance/{name}/deliveries",
		"GET /instance/{name}/device", "GET /instance/{name}/media/{messageId}", "GET /instance/{name}/messages",
		"GET /instance/{name}/qr", "GET /instance/{name}/queue",
		"GET /instance/{name}/settings", "GET /instance/{name}/status", "GET /instance/{name}/webhook", "GET /message/{id}", "GET /openapi.json", "GET /sandbox/{name}/presence", "GET /sandbox/{name}/read", "GET /sandbox/{name}/sent", "GET /stats",
		"PATCH /instance/{name}/settings", "PATCH /message/{id}", "POST /admin/tenants", "POST /admin/tenants/{tenantId}/keys", "POST /deliveries/{id}/redeliver",
		"POST /instance/create", "POST /instance/{name}/logout", "POST /instance/{name}/pairing-code", "POST /instance/{name}/read",
		"POST /instance/{name}/restart", "POST /message/audio", "POST /message/contact", "POST /message/document", "POST /message/image",
		"POST /message/location", "POST /message/poll", "POST /message/reaction",
		"POST /message/send", "POST /message/sticker", "POST /message/text", "POST /message/video", "POST /sandbox/{name}/disconnect",
		"POST /sandbox/{name}/edit", "POST /sandbox/{name}/inbound", "POST /sandbox/{name}/reaction", "POST /sandbox/{name}/receipt",
		"POST /sandbox/{name}/revoke", "POST /sandbox/{name}/scan", "POST /sandbox/{name}/vote", "PUT /instance/{name}/webhook",
		// Groups, contacts and calls.
		"GET /instance/{name}/groups", "POST /instance/{name}/groups", "POST /instance/{name}/groups/join",
		"GET /instance/{name}/groups/{groupId}", "PATCH /instance/{name}/groups/{groupId}",
		"POST /instance/{name}/groups/{groupId}/participants", "GET /instance/{name}/groups/{groupId}/invite",
		"DELETE /instance/{name}/groups/{groupId}/invite", "POST /instance/{name}/groups/{groupId}/leave",
		"POST /instance/{name}/contacts/check", "GET /instance/{name}/contacts/{phoneNumber}",
		"POST /instance/{name}/contacts/{phoneNumber}/block", "POST /instance/{name}/contacts/{phoneNumber}/unblock",
		"POST /sandbox/{name}/call", "POST /sandbox/{name}/group-event",
		// The API reference page and its assets.
		"GET /docs", "GET /docs/{asset}",
		// The web console and its files.
		"GET /", "GET /console", "GET /console/", "GET /console/{asset}",
	}
	sort.Strings(want)
	require.Equal(t, want, ops)

	for name, r := range doc["components"].(map[string]any)["responses"].(map[string]any) {
		headers := r.(map[string]any)["headers"].(map[string]any)
		require.Equal(t, "#/components/headers/RequestId", headers["x-request-id"].(map[string]any)["$ref"], name)
	}
}

type exchange struct {
	name    string
	method  string
	path    string
	status  int
	headers map[string]string // x-request-id and Content-Type are added unless set ("" removes)
	body    string
	wantErr string // "" means valid; otherwise a substring of the error
}

func (x exchange) build(t *testing.T) (*http.Request, *http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(x.method, "http://127.0.0.1:41234"+x.path, nil)
	require.NoError(t, err)
	h := http.Header{}
	h.Set("x-request-id", reqID)
	if x.body != "" {
		h.Set("Content-Type", "application/json")
	}
	for k, v := range x.headers {
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
	}
	resp := &http.Response{StatusCode: x.status, Header: h, Request: req, Body: http.NoBody}
	return req, resp, []byte(x.body)
}

func TestCheckResponses(t *testing.T) {
	c := newChecker(t)
	tests := []exchange{
		// Valid responses.
		{name: "health", method: "GET", path: "/health", status: 200,
			body: `{"status":"ok","tenants":1,"instances":2,"queuedMessages":5,"uptime":3600}` + "\n"},
		{name: "health with charset", method: "GET", path: "/health", status: 200,
			headers: map[string]string{"Content-Type": "application/json; charset=utf-8"},
			body:    `{"status":"ok","tenants":0,"instances":0,"queuedMessages":0,"uptime":0}`},
		{name: "health 500", method: "GET", path: "/health", status: 500,
			body: `{"error":"Internal error","requestId":"` + reqID + `"}`},
		{name: "create tenant", method: "POST", path: "/admin/tenants", status: 201,
			body: `{"tenantId":"acme","createdAt":"` + ts + `"}`},
		{name: "create tenant conflict", method: "POST", path: "/admin/tenants", status: 409,
			body: `{"error":"Tenant already exists"}`},
		{name: "create key", method: "POST", path: "/admin/tenants/acme/keys", status: 201,
			body: `{"apikey":"` + apiKey + `","keyId":"9f86d081884c7d65"}`},
		{name: "delete key", method: "DELETE", path: "/admin/tenants/acme/keys/9f86d081884c7d65", status: 204},
		{name: "create instance", method: "POST", path: "/instance/create", status: 201,
			body: `{"instanceName":"` + inst + `","status":"close"}`},
		{name: "create instance 400", method: "POST", path: "/instance/create", status: 400,
			body: `{"error":"Validation error","issues":[{"path":["instanceName"],"message":"Must follow {tenant}__{client}__{label} format"},{"path":[],"message":"x"},{"path":["a",0],"message":"y"}]}`},
		{name: "create instance 429", method: "POST", path: "/instance/create", status: 429,
			headers: map[string]string{"Retry-After": "3"}, body: `{"error":"Rate limit exceeded"}`},
		{name: "list empty", method: "GET", path: "/instance/list", status: 200, body: `[]`},
		{name: "list", method: "GET", path: "/instance/list", status: 200,
			body: `[{"instanceName":"` + inst + `","state":"open","phoneNumber":"5491112345678"},{"instanceName":"acme__soporte__b","state":"close","phoneNumber":null}]`},
		{name: "list client", method: "GET", path: "/instance/list/soporte", status: 200, body: `[]`},
		{name: "list client 400", method: "GET", path: "/instance/list/-bad", status: 400,
			body: `{"error":"Validation error","issues":[{"path":["clientId"],"message":"bad"}]}`},
		{name: "status unlinked", method: "GET", path: "/instance/" + inst + "/status", status: 200,
			body: `{"instanceName":"` + inst + `","state":"close","phoneNumber":null,"connectedAt":null,"messagesQueuedCount":0}`},
		{name: "status open", method: "GET", path: "/instance/" + inst + "/status", status: 200,
			body: `{"instanceName":"` + inst + `","state":"open","phoneNumber":"5491112345678","connectedAt":"` + ts + `","messagesQueuedCount":3}`},
		{name: "status 403", method: "GET", path: "/instance/other__a__b/status", status: 403,
			body: `{"error":"Instance belongs to another tenant"}`},
		{name: "queue", method: "GET", path: "/instance/" + inst + "/queue", status: 200,
			body: `{"urgent":0,"normal":3,"bulk":12,"total":15}`},
		{name: "flush", method: "DELETE", path: "/instance/" + inst + "/queue", status: 200,
			body: `{"instanceName":"` + inst + `","flushed":12}`},
		{name: "webhook", method: "PUT", path: "/instance/" + inst + "/webhook", status: 200,
			body: `{"instanceName":"` + inst + `","webhookUrl":"https://example.com/hook","events":null}`},
		{name: "webhook filtered", method: "PUT", path: "/instance/" + inst + "/webhook", status: 200,
			body: `{"instanceName":"` + inst + `","webhookUrl":"https://example.com/hook","events":["message.received"]}`},
		{name: "webhook without events", method: "PUT", path: "/instance/" + inst + "/webhook", status: 200,
			body: `{"instanceName":"` + inst + `","webhookUrl":"https://example.com/hook"}`, wantErr: "events"},
		{name: "get webhook", method: "GET", path: "/instance/" + inst + "/webhook", status: 200,
			body: `{"webhookUrl":"https://example.com/hook","events":[]}`},
		{name: "get webhook with secret", method: "GET", path: "/instance/" + inst + "/webhook", status: 200,
			body: `{"webhookUrl":"https://example.com/hook","events":null,"webhookSecret":"0123456789abcdef"}`, wantErr: "webhookSecret"},
		{name: "delete instance", method: "DELETE", path: "/instance/" + inst, status: 200,
			body: `{"instanceName":"` + inst + `","deleted":true}`},
		{name: "delete instance 404", method: "DELETE", path: "/instance/" + inst, status: 404,
			body: `{"error":"Instance not found"}`},
		{name: "send text", method: "POST", path: "/message/text", status: 202,
			body: `{"id":"` + msgID + `","status":"pending","lane":"normal","queuedAt":"` + ts + `"}`},
		{name: "send text replayed", method: "POST", path: "/message/text", status: 202,
			headers: map[string]string{"Idempotency-Replayed": "true"},
			body:    `{"id":"` + msgID + `","status":"pending","lane":"urgent","queuedAt":"` + ts + `"}`},
		{name: "send video 500", method: "POST", path: "/message/video", status: 500,
			body: `{"error":"Internal error","requestId":"` + reqID + `"}`},
		{name: "send to client", method: "POST", path: "/message/send", status: 202,
			body: `{"id":"` + msgID + `","status":"pending","lane":"bulk","queuedAt":"` + ts + `","instanceName":"` + inst + `"}`},
		{name: "send to client 409", method: "POST", path: "/message/send", status: 409,
			body: `{"error":"No open instance for this client"}`},
		{name: "message sent", method: "GET", path: "/message/" + msgID, status: 200,
			body: `{"id":"` + msgID + `","instanceName":"` + inst + `","lane":"normal","to":"5491112345678","type":"text","status":"sent","createdAt":"` + ts + `","sentAt":"` + ts + `","deliveredAt":"` + ts + `","readAt":null,"editedAt":"` + ts + `","revokedAt":null,"error":null}`},
		{name: "message failed", method: "GET", path: "/message/" + msgID, status: 200,
			body: `{"id":"` + msgID + `","instanceName":"` + inst + `","lane":"bulk","to":"5491112345678","type":"document","status":"failed","createdAt":"` + ts + `","sentAt":null,"deliveredAt":null,"readAt":null,"editedAt":null,"revokedAt":null,"error":"flushed"}`},
		{name: "GET /message/text is only POST's (literal path)", method: "GET", path: "/message/text", status: 405,
			headers: map[string]string{"Allow": "POST"}, body: `{"error":"Method not allowed"}`},
		{name: "stats", method: "GET", path: "/stats", status: 200,
			body: `{"instances":1,"totals":{"queued":5,"sent":1250,"failed":3},"perInstance":[{"instanceName":"` + inst + `","queue":{"urgent":0,"normal":5,"bulk":2,"total":7},"messages":{"sent":450,"failed":1,"pending":7}}]}`},
		{name: "stats 401", method: "GET", path: "/stats", status: 401,
			body: `{"error":"Invalid API key"}`},
		{name: "unknown path 404", method: "GET", path: "/nope", status: 404, body: `{"error":"Not found"}`},
		{name: "unknown subpath 404", method: "GET", path: "/stats/", status: 404, body: `{"error":"Not found"}`},
		{name: "wrong method 405", method: "PATCH", path: "/stats", status: 405,
			headers: map[string]string{"Allow": "GET, HEAD"}, body: `{"error":"Method not allowed"}`},
		{name: "wrong method on templated path 405", method: "POST", path: "/instance/" + inst + "/queue", status: 405,
			headers: map[string]string{"Allow": "GET, HEAD, DELETE"}, body: `{"error":"Method not allowed"}`},

		// Invalid responses.
		{name: "missing field", method: "GET", path: "/health", status: 200,
			body: `{"status":"ok","tenants":1,"instances":2,"queuedMessages":5}`, wantErr: "uptime"},
		{name: "wrong type", method: "GET", path: "/health", status: 200,
			body: `{"status":"ok","tenants":1,"instances":2,"queuedMessages":5,"uptime":"1h"}`, wantErr: "uptime"},
		{name: "extra property", method: "GET", path: "/health", status: 200,
			body: `{"status":"ok","tenants":1,"instances":2,"queuedMessages":5,"uptime":1,"version":"1"}`, wantErr: "version"},
		{name: "wrong const", method: "GET", path: "/health", status: 200,
			body: `{"status":"degraded","tenants":1,"instances":2,"queuedMessages":5,"uptime":1}`, wantErr: "status"},
		{name: "undocumented status", method: "GET", path: "/stats", status: 418,
			body: `{"error":"teapot"}`, wantErr: "418"},
		{name: "status not documented for this operation", method: "GET", path: "/instance/list", status: 403,
			body: `{"error":"nope"}`, wantErr: "403"},
		{name: "missing x-request-id", method: "GET", path: "/health", status: 200,
			headers: map[string]string{"x-request-id": ""},
			body:    `{"status":"ok","tenants":1,"instances":2,"queuedMessages":5,"uptime":3600}`, wantErr: "x-request-id"},
		{name: "missing x-request-id on undocumented status", method: "GET", path: "/health", status: 418,
			headers: map[string]string{"x-request-id": ""}, body: `{"error":"x"}`, wantErr: "x-request-id"},
		{name: "429 without Retry-After", method: "GET", path: "/stats", status: 429,
			body: `{"error":"Rate limit exceeded"}`, wantErr: "Retry-After"},
		{name: "429 with bad Retry-After", method: "GET", path: "/stats", status: 429,
			headers: map[string]string{"Retry-After": "soon"}, body: `{"error":"Rate limit exceeded"}`, wantErr: "Retry-After"},
		{name: "timestamp without millis", method: "POST", path: "/admin/tenants", status: 201,
			body: `{"tenantId":"acme","createdAt":"2026-03-15T10:30:00Z"}`, wantErr: "createdAt"},
		{name: "null where not nullable", method: "GET", path: "/message/" + msgID, status: 200,
			body: `{"id":"` + msgID + `","instanceName":"` + inst + `","lane":"normal","to":"5491112345678","type":"text","status":"sent","createdAt":null,"sentAt":null,"deliveredAt":null,"readAt":null,"error":null}`, wantErr: "createdAt"},
		{name: "bad enum", method: "GET", path: "/instance/list", status: 200,
			body: `[{"instanceName":"` + inst + `","state":"linked","phoneNumber":null}]`, wantErr: "state"},
		{name: "send to client without instanceName", method: "POST", path: "/message/send", status: 202,
			body: `{"id":"` + msgID + `","status":"pending","lane":"bulk","queuedAt":"` + ts + `"}`, wantErr: "instanceName"},
		{name: "typed send with an unknown field", method: "POST", path: "/message/text", status: 202,
			body: `{"id":"` + msgID + `","status":"pending","lane":"bulk","queuedAt":"` + ts + `","instance":"` + inst + `"}`, wantErr: "instance"},
		{name: "bad Idempotency-Replayed", method: "POST", path: "/message/text", status: 202,
			headers: map[string]string{"Idempotency-Replayed": "yes"},
			body:    `{"id":"` + msgID + `","status":"pending","lane":"normal","queuedAt":"` + ts + `"}`, wantErr: "Idempotency-Replayed"},
		{name: "204 with a body", method: "DELETE", path: "/admin/tenants/acme/keys/9f86d081884c7d65", status: 204,
			body: `{"deleted":true}`, wantErr: "without a body"},
		{name: "wrong content type", method: "GET", path: "/stats", status: 200,
			headers: map[string]string{"Content-Type": "text/plain"}, body: `{}`, wantErr: "text/plain"},
		{name: "not JSON", method: "GET", path: "/health", status: 200, body: `ok`, wantErr: "decode"},
		{name: "empty body where JSON is documented", method: "GET", path: "/health", status: 200,
			headers: map[string]string{"Content-Type": "application/json"}, wantErr: "missing"},
		{name: "400 issue path of objects", method: "POST", path: "/instance/create", status: 400,
			body: `{"error":"Validation error","issues":[{"path":[{"a":1}],"message":"x"}]}`, wantErr: "path"},
		{name: "400 without issues", method: "POST", path: "/instance/create", status: 400,
			body: `{"error":"Validation error","issues":[]}`, wantErr: "issues"},
		{name: "500 leaking internals", method: "GET", path: "/stats", status: 500,
			body: `{"error":"sql: database is locked","requestId":"` + reqID + `"}`, wantErr: "error"},
		{name: "4xx with extra field", method: "GET", path: "/stats", status: 401,
			body: `{"error":"Invalid API key","detail":"x"}`, wantErr: "detail"},
		{name: "unknown path answered 200", method: "GET", path: "/nope", status: 200, body: `{}`, wantErr: "want status 404"},
		{name: "unknown path 404 plain text", method: "GET", path: "/nope", status: 404,
			headers: map[string]string{"Content-Type": "text/plain"}, body: `404 page not found`, wantErr: "not JSON"},
		{name: "405 without Allow", method: "PATCH", path: "/stats", status: 405,
			body: `{"error":"Method not allowed"}`, wantErr: "Allow"},
		{name: "wrong method answered 404", method: "PUT", path: "/stats", status: 404,
			body: `{"error":"Not found"}`, wantErr: "want status 405"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, resp, body := tt.build(t)
			err := c.Check(req, resp, body)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Contains(t, strings.ToLower(err.Error()), strings.ToLower(tt.wantErr))
		})
	}
}

func TestCheckServesTheDocumentItself(t *testing.T) {
	c := newChecker(t)
	x := exchange{method: "GET", path: "/openapi.json", status: 200, body: string(loadSpec(t))}
	req, resp, body := x.build(t)
	require.NoError(t, c.Check(req, resp, body))
}

func TestCheckListsAllFailures(t *testing.T) {
	c := newChecker(t)
	x := exchange{method: "GET", path: "/health", status: 200,
		headers: map[string]string{"x-request-id": ""},
		body:    `{"status":"ok","tenants":"1","instances":2,"queuedMessages":5,"extra":1}`}
	req, resp, body := x.build(t)
	err := c.Check(req, resp, body)
	require.Error(t, err)
	for _, want := range []string{"x-request-id", "tenants", "uptime", "extra"} {
		require.Contains(t, err.Error(), want)
	}
}

type request struct {
	name    string
	method  string
	path    string
	headers map[string]string // apikey and Content-Type are added unless set ("" removes)
	body    string
	wantErr string
}

func (x request) build(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	req, err := http.NewRequest(x.method, "http://127.0.0.1:41234"+x.path, strings.NewReader(x.body))
	require.NoError(t, err)
	if strings.HasPrefix(x.path, "/admin/") {
		req.Header.Set("x-admin-key", "wga_operator")
	} else {
		req.Header.Set("apikey", apiKey)
	}
	if x.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range x.headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return req, []byte(x.body)
}

func TestCheckRequest(t *testing.T) {
	c := newChecker(t)
	const hook = `"webhookUrl":"https://example.com/hook","webhookSecret":"0123456789abcdef"`
	tests := []request{
		// Valid requests, one at least per POST/PUT route.
		{name: "create tenant", method: "POST", path: "/admin/tenants", body: `{"tenantId":"acme"}`},
		{name: "create key", method: "POST", path: "/admin/tenants/acme/keys"},
		{name: "delete key", method: "DELETE", path: "/admin/tenants/acme/keys/9f86d081884c7d65"},
		{name: "create instance", method: "POST", path: "/instance/create", body: `{"instanceName":"` + inst + `",` + hook + `}`},
		{name: "create instance loopback http", method: "POST", path: "/instance/create",
			body: `{"instanceName":"` + inst + `","webhookUrl":"http://127.0.0.1:9000/hook","webhookSecret":"` + strings.Repeat("s", 256) + `"}`},
		{name: "set webhook", method: "PUT", path: "/instance/" + inst + "/webhook", body: `{` + hook + `}`},
		{name: "send text", method: "POST", path: "/message/text",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","text":"{Hello|Hi}!"}`},
		{name: "send text with lane and key", method: "POST", path: "/message/text",
			headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)},
			body:    `{"instanceName":"` + inst + `","to":"12345678","lane":"urgent","text":"x"}`},
		{name: "send image", method: "POST", path: "/message/image",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","imageUrl":"https://example.com/a.png","caption":"look"}`},
		{name: "send document", method: "POST", path: "/message/document",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","lane":"bulk","documentUrl":"https://example.com/a.pdf","fileName":"a.pdf"}`},
		{name: "send audio", method: "POST", path: "/message/audio",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","audioUrl":"https://example.com/a.ogg"}`},
		{name: "send video", method: "POST", path: "/message/video",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","videoUrl":"https://example.com/a.mp4","caption":""}`},
		{name: "send to client text", method: "POST", path: "/message/send",
			body: `{"tenantId":"acme","clientId":"soporte","type":"text","to":"5491112345678","text":"hi"}`},
		{name: "send to client image", method: "POST", path: "/message/send",
			body: `{"tenantId":"acme","clientId":"soporte","type":"image","to":"5491112345678","lane":"urgent","imageUrl":"https://example.com/a.png","caption":"c"}`},
		{name: "send to client document", method: "POST", path: "/message/send",
			body: `{"tenantId":"acme","clientId":"soporte","type":"document","to":"5491112345678","documentUrl":"https://example.com/a.pdf","fileName":"a.pdf","caption":"c"}`},
		{name: "send to client audio", method: "POST", path: "/message/send",
			body: `{"tenantId":"acme","clientId":"soporte","type":"audio","to":"5491112345678","audioUrl":"https://example.com/a.ogg"}`},
		{name: "send to client video", method: "POST", path: "/message/send",
			body: `{"tenantId":"acme","clientId":"soporte","type":"video","to":"5491112345678","videoUrl":"https://example.com/a.mp4"}`},
		{name: "get message", method: "GET", path: "/message/" + msgID},
		{name: "health without key", method: "GET", path: "/health", headers: map[string]string{"apikey": ""}},

		// Invalid requests.
		{name: "create tenant unknown field", method: "POST", path: "/admin/tenants", body: `{"tenantId":"acme","name":"Acme"}`, wantErr: "name"},
		{name: "create tenant bad id", method: "POST", path: "/admin/tenants", body: `{"tenantId":"Acme"}`, wantErr: "tenantId"},
		{name: "create tenant without admin key", method: "POST", path: "/admin/tenants",
			headers: map[string]string{"x-admin-key": ""}, body: `{"tenantId":"acme"}`, wantErr: "x-admin-key"},
		{name: "create key with a body", method: "POST", path: "/admin/tenants/acme/keys", body: `{"name":"ci"}`, wantErr: "body"},
		{name: "create instance unknown field", method: "POST", path: "/instance/create",
			body: `{"instanceName":"` + inst + `",` + hook + `,"webhookURL":"https://example.com"}`, wantErr: "webhookURL"},
		{name: "create instance short secret", method: "POST", path: "/instance/create",
			body: `{"instanceName":"` + inst + `","webhookUrl":"https://example.com/hook","webhookSecret":"short"}`, wantErr: "webhookSecret"},
		{name: "create instance missing secret", method: "POST", path: "/instance/create",
			body: `{"instanceName":"` + inst + `","webhookUrl":"https://example.com/hook"}`, wantErr: "webhookSecret"},
		{name: "create instance without apikey", method: "POST", path: "/instance/create",
			headers: map[string]string{"apikey": ""}, body: `{"instanceName":"` + inst + `",` + hook + `}`, wantErr: "apikey"},
		{name: "set webhook unknown field", method: "PUT", path: "/instance/" + inst + "/webhook", body: `{` + hook + `,"filter":[]}`, wantErr: "filter"},
		{name: "set webhook unknown event", method: "PUT", path: "/instance/" + inst + "/webhook", body: `{` + hook + `,"events":["message.recieved"]}`, wantErr: "events"},
		{name: "set webhook event twice", method: "PUT", path: "/instance/" + inst + "/webhook", body: `{` + hook + `,"events":["message.sent","message.sent"]}`, wantErr: "events"},
		{name: "set webhook bad name", method: "PUT", path: "/instance/acme_a_b/webhook", body: `{` + hook + `}`, wantErr: "name"},
		{name: "send text unknown field", method: "POST", path: "/message/text",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","text":"x","priority":1}`, wantErr: "priority"},
		{name: "send text plus sign", method: "POST", path: "/message/text",
			body: `{"instanceName":"` + inst + `","to":"+5491112345678","text":"x"}`, wantErr: "to"},
		{name: "send text bad lane", method: "POST", path: "/message/text",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","lane":"fast","text":"x"}`, wantErr: "lane"},
		{name: "send text empty", method: "POST", path: "/message/text",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","text":""}`, wantErr: "text"},
		{name: "send text long idempotency key", method: "POST", path: "/message/text",
			headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 257)},
			body:    `{"instanceName":"` + inst + `","to":"5491112345678","text":"x"}`, wantErr: "Idempotency-Key"},
		{name: "send image unknown field", method: "POST", path: "/message/image",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","imageUrl":"https://example.com/a.png","text":"x"}`, wantErr: "text"},
		{name: "send image ftp url", method: "POST", path: "/message/image",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","imageUrl":"ftp://example.com/a.png"}`, wantErr: "imageUrl"},
		{name: "send document unknown field", method: "POST", path: "/message/document",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","documentUrl":"https://example.com/a.pdf","fileName":"a.pdf","filename":"a.pdf"}`, wantErr: "filename"},
		{name: "send document without fileName", method: "POST", path: "/message/document",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","documentUrl":"https://example.com/a.pdf"}`, wantErr: "fileName"},
		{name: "send audio unknown field", method: "POST", path: "/message/audio",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","audioUrl":"https://example.com/a.ogg","caption":"c"}`, wantErr: "caption"},
		{name: "send video unknown field", method: "POST", path: "/message/video",
			body: `{"instanceName":"` + inst + `","to":"5491112345678","videoUrl":"https://example.com/a.mp4","fileName":"a.mp4"}`, wantErr: "fileName"},
		{name: "send to client unknown field", method: "POST", path: "/message/send",
			body: `{"tenantId":"acme","clientId":"soporte","type":"text","to":"5491112345678","text":"hi","instanceName":"` + inst + `"}`, wantErr: "instanceName"},
		{name: "send to client field of another type", method: "POST", path: "/message/send",
			body: `{"tenantId":"acme","clientId":"soporte","type":"audio","to":"5491112345678","audioUrl":"https://example.com/a.ogg","caption":"c"}`, wantErr: "caption"},
		{name: "send to client missing type field", method: "POST", path: "/message/send",
			body: `{"tenantId":"acme","clientId":"soporte","type":"image","to":"5491112345678"}`, wantErr: "imageUrl"},
		{name: "send to client bad type", method: "POST", path: "/message/send",
			body: `{"tenantId":"acme","clientId":"soporte","type":"fax","to":"5491112345678"}`, wantErr: "type"},
		{name: "get message with a body", method: "GET", path: "/message/" + msgID, body: `{"x":1}`, wantErr: "body"},
		{name: "get message bad id", method: "GET", path: "/message/42", wantErr: "id"},
		{name: "unknown path", method: "GET", path: "/instances", wantErr: "not in the document"},
		{name: "unknown method", method: "PATCH", path: "/instance/" + inst + "/webhook", wantErr: "PUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, body := tt.build(t)
			err := c.CheckRequest(req, body)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Contains(t, strings.ToLower(err.Error()), strings.ToLower(tt.wantErr))
		})
	}
}

// TestCheckRequestNarrowsOneOf: a /message/send failure names the problem
// of the variant its type selects, not every other variant's mismatch.
func TestCheckRequestNarrowsOneOf(t *testing.T) {
	c := newChecker(t)
	x := request{method: "POST", path: "/message/send",
		body: `{"tenantId":"acme","clientId":"soporte","type":"document","to":"5491112345678","documentUrl":"https://example.com/a.pdf"}`}
	req, body := x.build(t)
	err := c.CheckRequest(req, body)
	require.Error(t, err)
	require.Contains(t, err.Error(), "1 problem(s)")
	require.Contains(t, err.Error(), "fileName")
	require.NotContains(t, err.Error(), "value must be")
}

// TestCheckLeavesCallerValuesAlone: the caller's request and response are
// not read or modified, so a test can check and then still use them.
func TestCheckLeavesCallerValuesAlone(t *testing.T) {
	c := newChecker(t)
	x := request{method: "POST", path: "/message/text", body: `{"instanceName":"` + inst + `","to":"5491112345678","text":"x"}`}
	req, body := x.build(t)
	ctx := req.Context()
	require.NoError(t, c.CheckRequest(req, body))
	require.NoError(t, c.CheckRequest(req, body), "a second check of the same request must pass too")
	require.Equal(t, ctx, req.Context())
	rest := make([]byte, len(body))
	n, _ := req.Body.Read(rest)
	require.Equal(t, len(body), n, "request body must be unread")

	resp := &http.Response{StatusCode: 202, Header: http.Header{"X-Request-Id": {reqID}, "Content-Type": {"application/json"}}, Body: http.NoBody}
	out := []byte(`{"id":"` + msgID + `","status":"pending","lane":"normal","queuedAt":"` + ts + `"}`)
	require.NoError(t, c.Check(req, resp, out))
	require.Equal(t, http.NoBody, resp.Body)
	require.Equal(t, ctx, req.Context())
}

// TestConcurrentUse is meant for -race: many goroutines share a Checker.
func TestConcurrentUse(t *testing.T) {
	c := newChecker(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := exchange{method: "GET", path: "/instance/" + inst + "/queue", status: 200,
				body: fmt.Sprintf(`{"urgent":%d,"normal":0,"bulk":0,"total":%d}`, i, i)}
			if i%2 == 1 {
				x.body = `{"urgent":"many"}`
			}
			req, resp, body := x.build(t)
			err := c.Check(req, resp, body)
			if (err != nil) != (i%2 == 1) {
				errs <- fmt.Errorf("goroutine %d: unexpected result %v", i, err)
			}
			r := request{method: "POST", path: "/message/text", body: `{"instanceName":"` + inst + `","to":"5491112345678","text":"x"}`}
			rq, rb := r.build(t)
			if err := c.CheckRequest(rq, rb); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	require.Empty(t, all)
}

func TestRouting(t *testing.T) {
	c := newChecker(t)
	tests := []struct {
		method, path string
		want         string   // template, "" for none
		allowed      []string // when want is ""
	}{
		{"GET", "/instance/list", "/instance/list", nil},
		{"GET", "/instance/list/soporte", "/instance/list/{clientId}", nil},
		{"GET", "/instance/list/status", "/instance/list/{clientId}", nil},
		{"GET", "/instance/x/status", "/instance/{name}/status", nil},
		{"DELETE", "/instance/list", "", []string{"GET"}}, // a literal path is its literal routes' alone
		{"GET", "/message/text", "", []string{"POST"}},
		{"POST", "/message/text", "/message/text", nil},
		{"POST", "/message/" + msgID, "", []string{"GET", "PATCH", "DELETE"}},
		{"PATCH", "/instance/x/queue", "", []string{"GET", "DELETE"}},
		{"GET", "/instance/x/queue/", "", nil},
		{"GET", "/instance//status", "", nil},
		// "/" and a trailing slash are literal empty segments, not parameters.
		{"GET", "/", "/", nil},
		{"POST", "/", "", []string{"GET"}},
		{"GET", "/console", "/console", nil},
		{"GET", "/console/", "/console/", nil},
		{"GET", "/console/main.js", "/console/{asset}", nil},
		{"POST", "/console/", "", []string{"GET"}},
		{"GET", "/console/x/y", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, "http://127.0.0.1:8080"+tt.path, nil)
			require.NoError(t, err)
			r, allowed := c.find(req)
			if tt.want == "" {
				require.Nil(t, r)
				slices.Sort(allowed)
				slices.Sort(tt.allowed)
				require.Equal(t, tt.allowed, allowed)
				return
			}
			require.NotNil(t, r)
			require.Equal(t, tt.want, r.template)
		})
	}
}
