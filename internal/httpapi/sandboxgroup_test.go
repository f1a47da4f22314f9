package httpapi

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/phone"
	"github.com/wagateway/wagateway/internal/sandbox"
)

// groupSide is a sandbox whose far side records the calls and group
// events the routes ask for and answers with err.
type groupSide struct {
	fakeSandbox
	mu     sync.Mutex
	calls  []string // instance/from/video
	events []driver.GroupParticipants
	err    error
}

func (g *groupSide) Call(instance, from string, video bool) (string, bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = append(g.calls, strings.Join([]string{instance, from, map[bool]string{true: "video", false: "voice"}[video]}, "/"))
	return "CALL1", video, g.err
}

func (g *groupSide) GroupEvent(_ string, e driver.GroupParticipants) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.events = append(g.events, e)
	return g.err
}

var _ SandboxGroups = (*groupSide)(nil)

const sandboxGroup = "120363025246125486@g.us"

func TestSandboxGroupRoutesValidate(t *testing.T) {
	a := newTestAPI(t, &groupSide{})
	const base = "/sandbox/acme__c__main/"
	many := `["5491100000001"` + strings.Repeat(`,"5491100000001"`, maxGroupNumbers) + `]`
	for _, tt := range []struct {
		name, route, body string
		want              []issue
	}{
		{"call: nothing", "call", `{}`, []issue{{"from", phone.FormatMessage}}},
		{"call: bad from", "call", `{"from":"+5491112345678"}`, []issue{{"from", phone.FormatMessage}}},
		{"call: video not a boolean", "call", `{"from":"5491112345678","video":"yes"}`,
			[]issue{{"video", "Must be of type boolean"}}},
		{"call: unknown field", "call", `{"from":"5491112345678","audio":true}`,
			[]issue{{"audio", "Unknown field; allowed: from, video"}}},
		{"group event: nothing", "group-event", `{}`, []issue{{"group", groupMessage},
			{"action", "Must be one of add, remove, promote, demote"}, {"participants", "Required"}, {"by", phone.FormatMessage}}},
		{"group event: bad values", "group-event",
			`{"group":"5491112345678","action":"kick","participants":["5491100000001","12"],"by":"ana"}`,
			[]issue{{"group", groupMessage}, {"action", "Must be one of add, remove, promote, demote"},
				{"participants.1", phone.FormatMessage}, {"by", phone.FormatMessage}}},
		{"group event: nobody", "group-event", `{"group":"` + sandboxGroup + `","action":"add","participants":[],"by":"5491112345678"}`,
			[]issue{{"participants", "Must have 1 to 50 phone numbers"}}},
		{"group event: too many", "group-event", `{"group":"` + sandboxGroup + `","action":"add","participants":` + many +
			`,"by":"5491112345678"}`, []issue{{"participants", "Must have 1 to 50 phone numbers"}}},
		{"group event: unknown field", "group-event", `{"group":"` + sandboxGroup +
			`","action":"add","participants":["5491100000001"],"by":"5491112345678","chat":"x"}`,
			[]issue{{"chat", "Unknown field; allowed: group, action, participants, by"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.ElementsMatch(t, tt.want, issues(t, checked(t, a, base+tt.route, tt.body)))
		})
	}
}

func TestSandboxGroupRoutes(t *testing.T) {
	f := &groupSide{}
	a := newTestAPI(t, f)
	got := checked(t, a, "/sandbox/acme__c__main/call", `{"from":"5491112345678"}`)
	require.Equal(t, http.StatusOK, got.status, "%v", got.body)
	require.Equal(t, map[string]any{"callId": "CALL1", "rejected": false}, got.body)
	got = checked(t, a, "/sandbox/acme__c__main/call", `{"from":"5491112345678","video":true}`)
	require.Equal(t, map[string]any{"callId": "CALL1", "rejected": true}, got.body)
	require.Equal(t, []string{"acme__c__main/5491112345678/voice", "acme__c__main/5491112345678/video"}, f.calls)

	for _, action := range []driver.ParticipantAction{driver.Add, driver.Remove, driver.Promote, driver.Demote} {
		got := checked(t, a, "/sandbox/acme__c__main/group-event", `{"group":"`+sandboxGroup+`","action":"`+string(action)+
			`","participants":["5491100000001","5491100000002"],"by":"5491112345678"}`)
		require.Equal(t, http.StatusOK, got.status, "%s: %v", action, got.body)
		require.Equal(t, map[string]any{}, got.body)
	}
	require.Len(t, f.events, 4)
	require.Equal(t, driver.GroupParticipants{Group: sandboxGroup, Action: driver.Demote,
		Participants: []string{"5491100000001", "5491100000002"}, By: "5491112345678"}, f.events[3])
}

// TestSandboxGroupErrors: what the network refuses, and what the tenant
// rules refuse before it is asked.
func TestSandboxGroupErrors(t *testing.T) {
	f := &groupSide{}
	a := newTestAPI(t, f)
	const call = `{"from":"5491112345678"}`
	const event = `{"group":"` + sandboxGroup + `","action":"add","participants":["5491100000001"],"by":"5491112345678"}`
	for _, tt := range []struct {
		err          error
		status       int
		errorMessage string
	}{
		{driver.ErrNotConnected, http.StatusConflict, "Instance is not open"},
		{&driver.RefusedError{Reason: "5491100000001: already a participant"}, http.StatusConflict,
			"WhatsApp refused: 5491100000001: already a participant"},
		{errors.New("host down"), http.StatusInternalServerError, "Internal error"},
	} {
		f.err = tt.err
		for route, body := range map[string]string{"call": call, "group-event": event} {
			got := checked(t, a, "/sandbox/acme__c__main/"+route, body)
			require.Equal(t, tt.status, got.status, "%s: %v", route, got.body)
			require.Equal(t, tt.errorMessage, got.body["error"], route)
		}
	}
	f.err = nil
	calls, events := len(f.calls), len(f.events)
	for route, body := range map[string]string{"call": call, "group-event": event} {
		require.Equal(t, http.StatusForbidden, checked(t, a, "/sandbox/beta__c__main/"+route, body).status, route)
		require.Equal(t, http.StatusNotFound, checked(t, a, "/sandbox/acme__c__nobody/"+route, body).status, route)
	}
	require.Equal(t, calls, len(f.calls), "no call reached another tenant's or an unknown instance")
	require.Equal(t, events, len(f.events))

	plain := newTestAPI(t, fakeSandbox{})
	require.Equal(t, http.StatusNotFound, plain.do(t, "POST", "/sandbox/acme__c__main/call", call).status,
		"a sandbox without a group far side has no such routes")
}

// networkSide serves the routes from a real sandbox network.
type networkSide struct{ *sandbox.Network }

func (networkSide) Sent(string) []SandboxSent { return nil }

// TestSandboxGroupRoutesOnNetwork: the routes over the real network,
// whose refusals and closed instances come back as 409s.
func TestSandboxGroupRoutesOnNetwork(t *testing.T) {
	rec := drivertest.NewGroupRecorder()
	n := sandbox.New(rec, clock.NewFake(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)), rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, n.Connect(context.Background(), "acme__c__main", "5491100000009"))
	a := newTestAPI(t, networkSide{Network: n})
	const inst = "acme__c__main"
	const event = `{"group":"` + sandboxGroup + `","action":"add","participants":["5491100000001"],"by":"5491112345678"}`

	got := checked(t, a, "/sandbox/acme__c__main/group-event", event)
	require.Equal(t, http.StatusOK, got.status, "%v", got.body)
	e := rec.ExpectGroup(t, inst, drivertest.Participants).Participants
	require.Equal(t, []string{"5491100000001"}, e.Participants)
	require.Equal(t, "5491112345678", e.By)
	got = checked(t, a, "/sandbox/acme__c__main/group-event", event)
	require.Equal(t, http.StatusConflict, got.status, "added already: %v", got.body)
	require.Equal(t, "WhatsApp refused: 5491100000001: already a participant", got.body["error"])

	rec.RejectCalls(true)
	got = checked(t, a, "/sandbox/acme__c__main/call", `{"from":"5491112345678","video":true}`)
	require.Equal(t, http.StatusOK, got.status, "%v", got.body)
	c := rec.ExpectGroup(t, inst, drivertest.CallOffered).Call
	require.Equal(t, map[string]any{"callId": c.CallID, "rejected": true}, got.body)
	got = checked(t, a, "/sandbox/acme__c__main/call", `{"from":"9991112345678"}`)
	require.Equal(t, http.StatusConflict, got.status, "%v", got.body)

	n.Disconnect(inst)
	got = checked(t, a, "/sandbox/acme__c__main/call", `{"from":"5491112345678"}`)
	require.Equal(t, http.StatusConflict, got.status, "%v", got.body)
	require.Equal(t, "Instance is not open", got.body["error"])
	rec.QuietGroup(t, inst)
}
