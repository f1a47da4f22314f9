package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/config"
)

func TestRoutingErrors(t *testing.T) {
	g := startGateway(t, nil)
	r := g.do("GET", "/nope", nil, as(g.demoKey)...)
	require.Equal(t, http.StatusNotFound, r.Status)
	require.NotEmpty(t, r.JSON(t)["error"])
	r = g.do("PATCH", "/instance/create", nil, as(g.demoKey)...)
	require.Equal(t, http.StatusMethodNotAllowed, r.Status)
	require.Contains(t, r.Header.Get("Allow"), "POST")
	r = g.do("GET", "/instance/demo__c__l/webhook", nil, as(g.demoKey)...)
	require.Equal(t, http.StatusMethodNotAllowed, r.Status)
	require.Equal(t, "PUT", r.Header.Get("Allow"))
	r = g.do("GET", "/instance/demo__c__l/unknown", nil, as(g.demoKey)...)
	require.Equal(t, http.StatusNotFound, r.Status)
}

func TestBodyTooLarge(t *testing.T) {
	g := startGateway(t, nil)
	g.newInstance(g.demoKey, "demo__c__main")
	big := `{"instanceName":"demo__c__main","to":"5491112345678","text":"` + strings.Repeat("a", 1<<20) + `"}`
	r := g.do("POST", "/message/text", big, as(g.demoKey)...)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Status)
	require.NotEmpty(t, r.JSON(t)["error"])
	// Chunked, so no Content-Length gives it away.
	req, err := http.NewRequest("POST", g.base+"/message/text", strings.NewReader(big))
	require.NoError(t, err)
	req.ContentLength = -1
	req.Header.Set("apikey", g.demoKey)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	// Just under the limit is fine (and then rejected for its text length).
	ok := `{"instanceName":"demo__c__main","to":"5491112345678","text":"` + strings.Repeat("a", 1000) + `"}`
	require.Equal(t, http.StatusAccepted, g.do("POST", "/message/text", ok, as(g.demoKey)...).Status)
}

func TestRateLimit(t *testing.T) {
	g := startGateway(t, func(c *config.Local) { c.RatePerSecond, c.RateBurst = 0.5, 3 })
	other := g.newTenant("beta")
	for range 3 {
		require.Equal(t, http.StatusOK, g.do("GET", "/instance/list", nil, as(g.demoKey)...).Status)
	}
	r := g.do("GET", "/instance/list", nil, as(g.demoKey)...)
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.NotEmpty(t, r.JSON(t)["error"])
	require.Contains(t, []string{"1", "2"}, r.Header.Get("Retry-After"))
	require.Equal(t, http.StatusOK, g.do("GET", "/instance/list", nil, as(other)...).Status, "limits are per tenant")
	require.Equal(t, http.StatusOK, g.do("GET", "/health", nil).Status, "health is not limited")
}

// TestInternalErrorHidesDetails breaks the database under a running
// gateway: the client gets a bare 500 with a request id, never the cause.
func TestInternalErrorHidesDetails(t *testing.T) {
	g := startGateway(t, nil)
	g.newInstance(g.demoKey, "demo__c__main")
	require.NoError(t, g.app.db.Close())
	r := g.do("GET", "/instance/demo__c__main/status", nil, "apikey", g.demoKey)
	require.Equal(t, http.StatusInternalServerError, r.Status)
	body := r.JSON(t)
	require.Equal(t, "Internal error", body["error"])
	require.Equal(t, r.Header.Get("x-request-id"), body["requestId"])
	require.Len(t, body, 2)
	require.NotContains(t, strings.ToLower(string(r.Body)), "sql")
}
