package cloud_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAWSShapeGroups: group and contact routes through the API Lambda,
// the shard's command queue and the session host holding the sandbox
// connection: a group is created (a number not on WhatsApp left out), a
// participant added, numbers checked; the additions reach the tenant as
// group.participants through EventBridge and the webhooks Lambda.
func TestAWSShapeGroups(t *testing.T) {
	s := newShape(t)
	hook := newReceiver(t)
	s.tenant()
	s.instance("acme__sales__main", hook)

	code, body, _ := s.call(http.MethodGet, "/instance/acme__sales__main/groups", "", nil)
	require.Equal(t, http.StatusConflict, code, "not open yet: %v", body)

	s.link("acme__sales__main", "5491100000001")
	code, g, _ := s.call(http.MethodPost, "/instance/acme__sales__main/groups",
		`{"subject":"Ventas","participants":["5491112345678","99912345678"]}`, nil)
	require.Equal(t, http.StatusCreated, code, g)
	require.Equal(t, "Ventas", g["subject"])
	require.Equal(t, "5491100000001", g["owner"])
	require.ElementsMatch(t, []any{
		map[string]any{"phoneNumber": "5491100000001", "admin": "superadmin"},
		map[string]any{"phoneNumber": "5491112345678", "admin": nil},
	}, g["participants"])
	id := g["id"].(string)

	code, m, list := s.call(http.MethodPost, "/instance/acme__sales__main/groups/"+id+"/participants",
		`{"action":"add","participants":["5491187654321","99900000000"]}`, nil)
	require.Equal(t, http.StatusOK, code, m)
	require.Equal(t, []any{
		map[string]any{"phoneNumber": "5491187654321", "status": "ok", "error": nil},
		map[string]any{"phoneNumber": "99900000000", "status": "not_on_whatsapp", "error": nil},
	}, list)

	code, m, list = s.call(http.MethodPost, "/instance/acme__sales__main/contacts/check",
		`{"phoneNumbers":["5491112345678","99912345678"]}`, nil)
	require.Equal(t, http.StatusOK, code, m)
	require.Equal(t, []any{
		map[string]any{"phoneNumber": "5491112345678", "onWhatsApp": true},
		map[string]any{"phoneNumber": "99912345678", "onWhatsApp": false},
	}, list)

	code, m, list = s.call(http.MethodGet, "/instance/acme__sales__main/groups", "", nil)
	require.Equal(t, http.StatusOK, code, m)
	require.Contains(t, list, map[string]any{"id": id, "subject": "Ventas", "participants": float64(3), "isAdmin": true})

	hook.await(t, 60*time.Second, func(d delivery) bool {
		data, _ := d.Body["data"].(map[string]any)
		ps, _ := data["participants"].([]any)
		return d.Event == "group.participants" && data["group"] == id && data["action"] == "add" &&
			len(ps) == 1 && ps[0] == "5491187654321"
	})
}
