package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInstanceLifecycle(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	body := map[string]any{"instanceName": "demo__soporte__main", "webhookUrl": "http://127.0.0.1:9999/hook", "webhookSecret": "0123456789abcdef"}
	r := g.do("POST", "/instance/create", body, as(key)...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	require.Equal(t, map[string]any{"instanceName": "demo__soporte__main", "status": "close"}, r.JSON(t))
	require.Equal(t, http.StatusConflict, g.do("POST", "/instance/create", body, as(key)...).Status)
	g.newInstance(key, "demo__soporte__b")
	g.newInstance(key, "demo__ventas__main")

	r = g.do("GET", "/instance/list", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status)
	require.JSONEq(t, `[
		{"instanceName":"demo__soporte__b","state":"close","phoneNumber":null},
		{"instanceName":"demo__soporte__main","state":"close","phoneNumber":null},
		{"instanceName":"demo__ventas__main","state":"close","phoneNumber":null}]`, string(r.Body))
	r = g.do("GET", "/instance/list/ventas", nil, as(key)...)
	require.JSONEq(t, `[{"instanceName":"demo__ventas__main","state":"close","phoneNumber":null}]`, string(r.Body))
	r = g.do("GET", "/instance/list/nobody", nil, as(key)...)
	require.JSONEq(t, `[]`, string(r.Body))
	require.Equal(t, http.StatusBadRequest, g.do("GET", "/instance/list/Bad_Client", nil, as(key)...).Status)

	r = g.do("GET", "/instance/demo__soporte__main/status", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status)
	require.JSONEq(t, `{"instanceName":"demo__soporte__main","state":"close","phoneNumber":null,"connectedAt":null,"messagesQueuedCount":0}`, string(r.Body))
	r = g.do("GET", "/instance/demo__soporte__main/queue", nil, as(key)...)
	require.JSONEq(t, `{"urgent":0,"normal":0,"bulk":0,"total":0}`, string(r.Body))

	r = g.do("PUT", "/instance/demo__soporte__main/webhook", map[string]any{"webhookUrl": "https://hooks.example.com/new", "webhookSecret": "another-secret-0123"}, as(key)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, "https://hooks.example.com/new", r.JSON(t)["webhookUrl"])
	require.NotContains(t, string(r.Body), "another-secret", "secrets are never echoed")
	stored, err := g.app.Store.GetInstance(t.Context(), "demo__soporte__main")
	require.NoError(t, err)
	require.Equal(t, "another-secret-0123", stored.WebhookSecret)

	// Deleting fails the pending messages.
	r = g.do("POST", "/message/text", map[string]any{"instanceName": "demo__soporte__b", "to": "5491112345678", "text": "hi"}, as(key)...)
	require.Equal(t, http.StatusAccepted, r.Status)
	id := r.JSON(t)["id"].(string)
	r = g.do("DELETE", "/instance/demo__soporte__b", nil, as(key)...)
	require.Equal(t, http.StatusOK, r.Status)
	require.JSONEq(t, `{"instanceName":"demo__soporte__b","deleted":true}`, string(r.Body))
	r = g.do("GET", "/message/"+id, nil, as(key)...)
	require.Equal(t, "failed", r.JSON(t)["status"])
	require.Equal(t, "instance deleted", r.JSON(t)["error"])
	require.Equal(t, http.StatusNotFound, g.do("GET", "/instance/demo__soporte__b/status", nil, as(key)...).Status)
	require.Equal(t, http.StatusNotFound, g.do("DELETE", "/instance/demo__soporte__b", nil, as(key)...).Status)
	// The name is free again.
	g.newInstance(key, "demo__soporte__b")
}

func TestInstanceValidation(t *testing.T) {
	g := startGateway(t, nil)
	key := g.demoKey
	ok := func() map[string]any {
		return map[string]any{"instanceName": "demo__c__l", "webhookUrl": "https://hooks.example.com/x", "webhookSecret": "0123456789abcdef"}
	}
	with := func(k string, v any) map[string]any {
		b := ok()
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name   string
		body   any
		status int
		path   string
	}{
		{"bad name", with("instanceName", "demo_c_l"), 400, "instanceName"},
		{"upper case", with("instanceName", "demo__C__l"), 400, "instanceName"},
		{"four parts", with("instanceName", "demo__c__l__x"), 400, "instanceName"},
		{"part too long", with("instanceName", "demo__c__"+strings.Repeat("a", 33)), 400, "instanceName"},
		{"missing name", with("instanceName", nil), 400, "instanceName"},
		{"missing url", with("webhookUrl", nil), 400, "webhookUrl"},
		{"plain http off loopback", with("webhookUrl", "http://hooks.example.com/x"), 400, "webhookUrl"},
		{"metadata address", with("webhookUrl", "https://169.254.169.254/latest"), 400, "webhookUrl"},
		{"private address", with("webhookUrl", "https://10.1.2.3/x"), 400, "webhookUrl"},
		{"short secret", with("webhookSecret", "short"), 400, "webhookSecret"},
		{"missing secret", with("webhookSecret", nil), 400, "webhookSecret"},
		{"unknown field", with("webhookSecrte", "0123456789abcdef"), 400, "webhookSecrte"},
		{"wrong type", with("instanceName", 42), 400, "instanceName"},
		{"another tenant's name", with("instanceName", "acme__c__l"), 403, ""},
		{"not an object", "[1,2]", 400, ""},
		{"malformed json", `{"instanceName":`, 400, ""},
		{"empty body", "", 400, ""},
		{"valid", ok(), 201, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := g.do("POST", "/instance/create", c.body, as(key)...)
			require.Equal(t, c.status, r.Status, string(r.Body))
			if c.status == 400 {
				v := r.JSON(t)
				require.Equal(t, "Validation error", v["error"])
				issues := v["issues"].([]any)
				require.NotEmpty(t, issues)
				if c.path != "" {
					require.Equal(t, []any{c.path}, issues[0].(map[string]any)["path"], string(r.Body))
				}
			}
		})
	}
	// All problems are reported at once.
	r := g.do("POST", "/instance/create", map[string]any{"instanceName": "x", "webhookUrl": "ftp://x", "webhookSecret": "s"}, as(key)...)
	require.Len(t, r.JSON(t)["issues"], 3)
	// The contract's exact message for names.
	r = g.do("POST", "/instance/create", with("instanceName", "bad"), as(key)...)
	require.JSONEq(t, `{"error":"Validation error","issues":[{"path":["instanceName"],"message":"Must follow {tenant}__{client}__{label} format: three parts joined by two underscores, each 1-32 lower-case letters, digits or hyphens (a-z, 0-9, -) starting with a letter or digit, e.g. acme__soporte__main"}]}`, string(r.Body))
}
