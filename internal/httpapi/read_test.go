package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadBody: POST /instance/{name}/read checks its body before it asks
// the session host anything (this API has none: a valid body gets 502).
func TestReadBody(t *testing.T) {
	a := newTestAPI(t, nil)
	ids := func(n int) string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%q", fmt.Sprintf("3EB0%04d", i))
		}
		return "[" + strings.Join(out, ",") + "]"
	}
	issue := func(msg string, path ...any) []any {
		return []any{map[string]any{"path": path, "message": msg}}
	}
	for _, tc := range []struct {
		name   string
		body   string
		status int
		issues []any // on a 400
	}{
		{"one id", `{"messageIds":["3EB0A1"]}`, 502, nil},
		{"100 ids", `{"messageIds":` + ids(100) + `}`, 502, nil},
		{"repeated ids", `{"messageIds":["3EB0A1","3EB0A1"]}`, 502, nil},
		{"missing", `{}`, 400, issue("Required", "messageIds")},
		{"null", `{"messageIds":null}`, 400, issue("Required", "messageIds")},
		{"empty", `{"messageIds":[]}`, 400, issue("Must have 1 to 100 message ids", "messageIds")},
		{"101 ids", `{"messageIds":` + ids(101) + `}`, 400, issue("Must have 1 to 100 message ids", "messageIds")},
		{"empty id", `{"messageIds":["3EB0A1",""]}`, 400, issue("Must be 1 to 128 characters", "messageIds", float64(1))},
		{"long id", `{"messageIds":["` + strings.Repeat("A", 129) + `"]}`, 400,
			issue("Must be 1 to 128 characters", "messageIds", float64(0))},
		{"not strings", `{"messageIds":[1]}`, 400, issue("Must be of type string", "messageIds", float64(0))},
		{"unknown field", `{"messageIds":["3EB0A1"],"chat":"5491112345678"}`, 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := a.do(t, "POST", "/instance/acme__c__main/read", tc.body, "Content-Type", "application/json")
			require.Equal(t, tc.status, got.status, "%v", got.body)
			if tc.issues != nil {
				require.Equal(t, tc.issues, got.body["issues"])
			}
		})
	}
}

// TestSandboxReadsNeedsTheNetworksRecord: a Sandbox that keeps no read
// receipts answers its route 404, as the report routes do.
func TestSandboxReadsNeedsTheNetworksRecord(t *testing.T) {
	a := newTestAPI(t, fakeSandbox{})
	got := a.do(t, "GET", "/sandbox/acme__c__main/read", "")
	require.Equal(t, 404, got.status)
}

// TestReadRouteMethods: the read route is POST only; GET on its path is
// 405 like any other instance action's, not an instance look-up.
func TestReadRouteMethods(t *testing.T) {
	a := newTestAPI(t, nil)
	got := a.do(t, "GET", "/instance/acme__c__main/read", "")
	require.Equal(t, 405, got.status)
	require.Equal(t, "POST", got.header.Get("Allow"))
}
