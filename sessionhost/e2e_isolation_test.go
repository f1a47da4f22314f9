package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTenantIsolation: a second tenant can neither read nor change the
// first tenant's instances or messages, whether they exist or not.
func TestTenantIsolation(t *testing.T) {
	g := startGateway(t, nil)
	a := g.demoKey
	b := g.newTenant("beta")
	g.newInstance(a, "demo__c__main")
	g.newInstance(b, "beta__c__main")
	r := g.do("POST", "/message/text", map[string]any{"instanceName": "demo__c__main", "to": "5491112345678", "text": "secret"}, as(a)...)
	require.Equal(t, http.StatusAccepted, r.Status)
	msgID := r.JSON(t)["id"].(string)

	for _, name := range []string{"demo__c__main", "demo__c__missing"} {
		routes := []struct {
			method, path string
			body         any
		}{
			{"GET", "/instance/" + name + "/status", nil},
			{"GET", "/instance/" + name + "/queue", nil},
			{"DELETE", "/instance/" + name + "/queue", nil},
			{"PUT", "/instance/" + name + "/webhook", map[string]any{"webhookUrl": "https://evil.example/x", "webhookSecret": "0123456789abcdef"}},
			{"DELETE", "/instance/" + name, nil},
			{"POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678", "text": "x"}},
			{"POST", "/instance/create", map[string]any{"instanceName": name, "webhookUrl": "https://evil.example/x", "webhookSecret": "0123456789abcdef"}},
		}
		for _, rt := range routes {
			r := g.do(rt.method, rt.path, rt.body, as(b)...)
			require.Equal(t, http.StatusForbidden, r.Status, "%s %s: %s", rt.method, rt.path, r.Body)
			require.NotContains(t, string(r.Body), "not found", "403 never tells whether it exists")
		}
	}
	r = g.do("GET", "/message/"+msgID, nil, as(b)...)
	require.Equal(t, http.StatusNotFound, r.Status, "another tenant's message id is unknown")
	r = g.do("POST", "/message/send", map[string]any{"tenantId": "demo", "clientId": "c", "type": "text", "to": "5491112345678", "text": "x"}, as(b)...)
	require.Equal(t, http.StatusForbidden, r.Status)

	r = g.do("GET", "/instance/list", nil, as(b)...)
	require.JSONEq(t, `[{"instanceName":"beta__c__main","state":"close","phoneNumber":null}]`, string(r.Body))
	r = g.do("GET", "/stats", nil, as(b)...)
	require.JSONEq(t, `{"instances":1,"totals":{"queued":0,"sent":0,"failed":0},"perInstance":[{"instanceName":"beta__c__main",
		"queue":{"urgent":0,"normal":0,"bulk":0,"total":0},"messages":{"sent":0,"failed":0,"pending":0}}]}`, string(r.Body))

	// Nothing of the first tenant changed.
	r = g.do("GET", "/message/"+msgID, nil, as(a)...)
	require.Equal(t, "pending", r.JSON(t)["status"])
	inst, err := g.app.Store.GetInstance(t.Context(), "demo__c__main")
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:9/hook", inst.WebhookURL)
}
