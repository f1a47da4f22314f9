package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHealthAndOpenAPI(t *testing.T) {
	g := startGateway(t, nil)
	r := g.do("GET", "/health", nil)
	require.Equal(t, http.StatusOK, r.Status)
	h := r.JSON(t)
	require.Equal(t, "ok", h["status"])
	require.EqualValues(t, 1, h["tenants"], "the demo tenant")
	require.EqualValues(t, 0, h["instances"])
	require.EqualValues(t, 0, h["queuedMessages"])
	require.Contains(t, h, "uptime")

	r = g.do("GET", "/openapi.json", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "3.1.0", r.JSON(t)["openapi"])
}

func TestAdminTenantsAndKeys(t *testing.T) {
	g := startGateway(t, nil)
	cases := []struct {
		name    string
		method  string
		path    string
		body    any
		headers []string
		status  int
	}{
		{"no operator key", "POST", "/admin/tenants", map[string]any{"tenantId": "acme"}, nil, 401},
		{"wrong operator key", "POST", "/admin/tenants", map[string]any{"tenantId": "acme"}, []string{"x-admin-key", "nope-nope-nope-nope"}, 401},
		{"tenant key is not an operator key", "POST", "/admin/tenants", map[string]any{"tenantId": "acme"}, []string{"x-admin-key", g.demoKey}, 401},
		{"bad tenant id", "POST", "/admin/tenants", map[string]any{"tenantId": "Acme_1"}, admin(), 400},
		{"missing tenant id", "POST", "/admin/tenants", map[string]any{}, admin(), 400},
		{"unknown field", "POST", "/admin/tenants", map[string]any{"tenantId": "acme", "plan": "pro"}, admin(), 400},
		{"create", "POST", "/admin/tenants", map[string]any{"tenantId": "acme"}, admin(), 201},
		{"duplicate", "POST", "/admin/tenants", map[string]any{"tenantId": "acme"}, admin(), 409},
		{"key for missing tenant", "POST", "/admin/tenants/ghost/keys", nil, admin(), 404},
		{"delete unknown key", "DELETE", "/admin/tenants/acme/keys/0123456789abcdef", nil, admin(), 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := g.do(c.method, c.path, c.body, c.headers...)
			require.Equal(t, c.status, r.Status, string(r.Body))
		})
	}

	r := g.do("POST", "/admin/tenants/acme/keys", nil, admin()...)
	require.Equal(t, http.StatusCreated, r.Status)
	created := r.JSON(t)
	key, keyID := created["apikey"].(string), created["keyId"].(string)
	require.NotEmpty(t, key)
	require.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	require.Equal(t, http.StatusOK, g.do("GET", "/instance/list", nil, as(key)...).Status)

	// Another tenant's operator path cannot delete it: keys belong to one tenant.
	require.Equal(t, http.StatusNotFound, g.do("DELETE", "/admin/tenants/demo/keys/"+keyID, nil, admin()...).Status)
	r = g.do("DELETE", "/admin/tenants/acme/keys/"+keyID, nil, admin()...)
	require.Equal(t, http.StatusNoContent, r.Status)
	require.Empty(t, r.Body)
	require.Equal(t, http.StatusUnauthorized, g.do("GET", "/instance/list", nil, as(key)...).Status, "revoked at once")
	require.Equal(t, http.StatusNotFound, g.do("DELETE", "/admin/tenants/acme/keys/"+keyID, nil, admin()...).Status)
}

func TestAuthentication(t *testing.T) {
	g := startGateway(t, nil)
	for _, key := range []string{"", "garbage", "wgk_0123456789abcdef_wrong", g.demoKey + "x"} {
		r := g.do("GET", "/instance/list", nil, "apikey", key)
		require.Equal(t, http.StatusUnauthorized, r.Status, "key %q", key)
		require.NotEmpty(t, r.JSON(t)["error"])
	}
	require.Equal(t, http.StatusOK, g.do("GET", "/instance/list", nil, as(g.demoKey)...).Status)
}
