package command_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
)

var issued = time.Date(2030, 1, 2, 3, 4, 5, 6000000, time.UTC)

func TestCommandRoundTrip(t *testing.T) {
	for _, c := range []command.Command{
		{ID: "c1", Kind: command.KindLink, Instance: "acme__c1__main", IssuedAt: issued},
		{ID: "c2", Kind: command.KindPairingCode, Instance: "acme__c1__main", Phone: "5491112345678", IssuedAt: issued},
		{ID: "c3", Kind: command.KindDevice, Instance: "i", IssuedAt: issued},
		{ID: "c4", Kind: command.KindLogout, Instance: "i", IssuedAt: issued},
		{ID: "c5", Kind: command.KindRestart, Instance: "i", IssuedAt: issued},
		{ID: "c6", Kind: command.KindForget, Instance: "i", IssuedAt: issued.In(time.FixedZone("X", 3600))},
		{ID: "c7", Kind: command.KindRead, Instance: "i", MessageIDs: []string{"3EB0A1", "3EB0A2", "3EB0A1"}, IssuedAt: issued},
	} {
		t.Run(string(c.Kind), func(t *testing.T) {
			b, err := command.EncodeCommand(c)
			require.NoError(t, err)
			got, err := command.DecodeCommand(b)
			require.NoError(t, err)
			require.True(t, c.IssuedAt.Equal(got.IssuedAt))
			require.Equal(t, time.UTC, got.IssuedAt.Location())
			c.IssuedAt = got.IssuedAt
			require.Equal(t, c, got)
		})
	}
}

func TestCommandWireForm(t *testing.T) {
	b, err := command.EncodeCommand(command.Command{ID: "c2", Kind: command.KindPairingCode,
		Instance: "acme__c1__main", Phone: "5491112345678", IssuedAt: issued})
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"c2","kind":"pairing-code","instance":"acme__c1__main",
		"phone":"5491112345678","issuedAt":"2030-01-02T03:04:05.006Z"}`, string(b))
}

func TestReadCommandWireForm(t *testing.T) {
	b, err := command.EncodeCommand(command.Command{ID: "c7", Kind: command.KindRead,
		Instance: "acme__c1__main", MessageIDs: []string{"3EB0A1", "3EB0A2"}, IssuedAt: issued})
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"c7","kind":"read","instance":"acme__c1__main",
		"messageIds":["3EB0A1","3EB0A2"],"issuedAt":"2030-01-02T03:04:05.006Z"}`, string(b))
}

// TestReadCommandChecks: a read carries 1 to 100 ids of 1 to 128
// characters (what the API accepts), and no other kind carries any.
func TestReadCommandChecks(t *testing.T) {
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("3EB0%04d", i)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		c    command.Command
		ok   bool
	}{
		{"one id", command.Command{Kind: command.KindRead, MessageIDs: ids(1)}, true},
		{"100 ids", command.Command{Kind: command.KindRead, MessageIDs: ids(100)}, true},
		{"128-character id", command.Command{Kind: command.KindRead, MessageIDs: []string{strings.Repeat("A", 128)}}, true},
		{"no ids", command.Command{Kind: command.KindRead}, false},
		{"empty list", command.Command{Kind: command.KindRead, MessageIDs: []string{}}, false},
		{"101 ids", command.Command{Kind: command.KindRead, MessageIDs: ids(101)}, false},
		{"empty id", command.Command{Kind: command.KindRead, MessageIDs: []string{"3EB0A1", ""}}, false},
		{"129-character id", command.Command{Kind: command.KindRead, MessageIDs: []string{strings.Repeat("A", 129)}}, false},
		{"ids on logout", command.Command{Kind: command.KindLogout, MessageIDs: ids(1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.ID, tc.c.Instance, tc.c.IssuedAt = "c1", "i", issued
			b, err := command.EncodeCommand(tc.c)
			if tc.ok {
				require.NoError(t, err)
				got, err := command.DecodeCommand(b)
				require.NoError(t, err)
				require.Equal(t, tc.c.MessageIDs, got.MessageIDs)
				return
			}
			require.Error(t, err)
			// A body another writer made is refused the same way, still
			// naming the command so the waiting client gets its answer.
			raw, mErr := json.Marshal(map[string]any{"id": "c1", "kind": tc.c.Kind, "instance": "i",
				"messageIds": tc.c.MessageIDs, "issuedAt": issued})
			require.NoError(t, mErr)
			got, err := command.DecodeCommand(raw)
			require.Error(t, err)
			require.Equal(t, command.Command{ID: "c1"}, got)
		})
	}
}

func TestDecodeCommandRejects(t *testing.T) {
	long := strings.Repeat("x", 129)
	for _, tc := range []struct {
		name, body, id string // id: what the error still names
	}{
		{"not json", `{"id":"c1",`, ""},
		{"wrong type", `{"id":"c1","kind":5,"instance":"i","issuedAt":"2030-01-02T03:04:05Z"}`, "c1"},
		{"no id", `{"kind":"link","instance":"i","issuedAt":"2030-01-02T03:04:05Z"}`, ""},
		{"long id", `{"id":"` + long + `","kind":"link","instance":"i","issuedAt":"2030-01-02T03:04:05Z"}`, ""},
		{"unknown kind", `{"id":"c1","kind":"reboot","instance":"i","issuedAt":"2030-01-02T03:04:05Z"}`, "c1"},
		{"no instance", `{"id":"c1","kind":"link","issuedAt":"2030-01-02T03:04:05Z"}`, "c1"},
		{"long instance", `{"id":"c1","kind":"link","instance":"` + long + `","issuedAt":"2030-01-02T03:04:05Z"}`, "c1"},
		{"pairing without phone", `{"id":"c1","kind":"pairing-code","instance":"i","issuedAt":"2030-01-02T03:04:05Z"}`, "c1"},
		{"no issuedAt", `{"id":"c1","kind":"link","instance":"i"}`, "c1"},
		{"ancient issuedAt", `{"id":"c1","kind":"link","instance":"i","issuedAt":"0000-01-01T00:00:00+01:00"}`, "c1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := command.DecodeCommand([]byte(tc.body))
			require.Error(t, err)
			require.Equal(t, command.Command{ID: tc.id}, got)
		})
	}
}

func TestEncodeCommandChecks(t *testing.T) {
	_, err := command.EncodeCommand(command.Command{ID: "c1", Kind: "reboot", Instance: "i", IssuedAt: issued})
	require.Error(t, err)
}

// requireSameResult compares results by what a client can observe.
func requireSameResult(t *testing.T, want, got command.Result) {
	t.Helper()
	require.Equal(t, want.Value, got.Value)
	require.Equal(t, want.Device, got.Device)
	if want.Err == nil {
		require.NoError(t, got.Err)
		return
	}
	require.Error(t, got.Err)
	var wv *fault.ValidationError
	if errors.As(want.Err, &wv) {
		var gv *fault.ValidationError
		require.ErrorAs(t, got.Err, &gv)
		require.Equal(t, wv.Issues, gv.Issues)
		return
	}
	var wf *fault.Error
	if errors.As(want.Err, &wf) {
		var gf *fault.Error
		require.ErrorAs(t, got.Err, &gf)
		require.Same(t, wf.Kind, gf.Kind)
		require.Equal(t, wf.Msg, gf.Msg)
		return
	}
	require.ErrorIs(t, got.Err, want.Err)
}

func TestResultRoundTrip(t *testing.T) {
	issues := &fault.ValidationError{Issues: []fault.Issue{
		{Path: []any{"phoneNumber"}, Message: "Required"},
		{Path: []any{"messages", 3, "to"}, Message: "Invalid phone"},
		{Path: []any{}, Message: "Body must be an object"},
	}}
	for _, tc := range []struct {
		name string
		in   command.Result
		want command.Result // zero: same as in
	}{
		{name: "empty", in: command.Result{}},
		{name: "qr", in: command.Result{Value: "2@abc,def/+=,ghi"}},
		{name: "device", in: command.Result{Device: driver.Device{Name: "iPhone 12", Platform: "WHATSAPP"}}},
		{name: "unauthorized", in: command.Result{Err: fault.New(fault.ErrUnauthorized, "Invalid API key")}},
		{name: "forbidden", in: command.Result{Err: fault.New(fault.ErrForbidden, "Not yours")}},
		{name: "not found", in: command.Result{Err: fault.New(fault.ErrNotFound, "Instance not found")}},
		{name: "conflict", in: command.Result{Err: fault.New(fault.ErrConflict, "Instance is already connected")}},
		{name: "too large", in: command.Result{Err: fault.New(fault.ErrTooLarge, "Too large")}},
		{name: "rate limited", in: command.Result{Err: fault.New(fault.ErrRateLimited, "Slow down")}},
		{name: "session", in: command.Result{Err: fault.New(fault.ErrSession, "WhatsApp session error: could not log out")}},
		{name: "wrapped fault", in: command.Result{Err: fmt.Errorf("log out: %w",
			fault.New(fault.ErrSession, "WhatsApp session error: could not log out"))},
			want: command.Result{Err: fault.New(fault.ErrSession, "WhatsApp session error: could not log out")}},
		{name: "validation", in: command.Result{Err: issues}},
		{name: "validation nil path", in: command.Result{Err: &fault.ValidationError{Issues: []fault.Issue{{Message: "Bad"}}}},
			want: command.Result{Err: fault.Invalid("Bad")}},
		{name: "internal", in: command.Result{Err: errors.New("dial tcp 10.0.3.7:443: secret-token-xyz")},
			want: command.Result{Err: command.ErrHostFailed}},
		{name: "fault of unknown kind", in: command.Result{Err: fault.New(errors.New("odd"), "Odd")},
			want: command.Result{Err: command.ErrHostFailed}},
		{name: "error wins over value", in: command.Result{Value: "x", Err: fault.New(fault.ErrConflict, "No")},
			want: command.Result{Err: fault.New(fault.ErrConflict, "No")}},
		{name: "host failed", in: command.Result{Err: command.ErrHostFailed}},
		{name: "no answer", in: command.Result{Err: command.ErrNoAnswer}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := command.EncodeResult(tc.in)
			require.NoError(t, err)
			require.NotContains(t, string(b), "secret-token")
			require.NotContains(t, string(b), "10.0.3.7")
			got, err := command.DecodeResult(b)
			require.NoError(t, err)
			want := tc.want
			if want.Err == nil && want.Value == "" && want.Device == (driver.Device{}) && want.Data == nil {
				want = tc.in
			}
			requireSameResult(t, want, got)
		})
	}
}

func TestResultWireForm(t *testing.T) {
	for _, tc := range []struct {
		in   command.Result
		wire string
	}{
		{command.Result{}, `{}`},
		{command.Result{Value: "ABCD-1234"}, `{"value":"ABCD-1234"}`},
		{command.Result{Device: driver.Device{Name: "Pixel", Platform: "ANDROID"}}, `{"device":{"name":"Pixel","platform":"ANDROID"}}`},
		{command.Result{Err: fault.New(fault.ErrNotFound, "Instance not found")}, `{"error":{"kind":"not-found","message":"Instance not found"}}`},
		{command.Result{Err: fault.Invalid("Required", "to", 0)}, `{"error":{"kind":"validation","issues":[{"path":["to",0],"message":"Required"}]}}`},
		{command.Result{Err: errors.New("boom")}, `{"error":{"kind":"internal"}}`},
	} {
		b, err := command.EncodeResult(tc.in)
		require.NoError(t, err)
		require.JSONEq(t, tc.wire, string(b))
	}
}

func TestDecodeResultRejects(t *testing.T) {
	for _, body := range []string{
		``,
		`null`,
		`null x`,
		`{"value":"a"} {}`,
		`{"value":"a"} ]`,
		`[]`,
		`{"value":5}`,
		`{"error":{"kind":"teapot","message":"x"}}`,
		`{"error":{"kind":"conflict"},"value":"x"}`,
		`{"error":{"kind":"conflict"},"device":{}}`,
		`{"error":{"kind":"validation","issues":[{"path":[1.5],"message":"x"}]}}`,
		`{"error":{"kind":"validation","issues":[{"path":[true],"message":"x"}]}}`,
		`{"error":{"kind":"validation","issues":[{"path":[{}],"message":"x"}]}}`,
		`{"error":{"kind":"validation","issues":[{"path":[null],"message":"x"}]}}`,
		`{"error":{"kind":"validation","issues":[{"path":[1e12],"message":"x"}]}}`,
	} {
		t.Run(body, func(t *testing.T) {
			_, err := command.DecodeResult([]byte(body))
			require.Error(t, err)
		})
	}
}

// A newer host may add fields; an older API still reads the result.
func TestDecodeResultIgnoresUnknownFields(t *testing.T) {
	r, err := command.DecodeResult([]byte(`{"value":"x","since":"v2","error":null}`))
	require.NoError(t, err)
	require.Equal(t, "x", r.Value)
}
