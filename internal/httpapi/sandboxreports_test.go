package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/openapicheck"
	"github.com/wagateway/wagateway/internal/phone"
	"github.com/wagateway/wagateway/internal/sandbox"
)

// farSide is a sandbox that records what the routes ask of it and answers
// with err.
type farSide struct {
	fakeSandbox
	mu       sync.Mutex
	inbound  []driver.Inbound
	receipts []string // instance/id/status
	updates  []driver.Update
	err      error
}

func (f *farSide) Inbound(_ string, in driver.Inbound) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inbound = append(f.inbound, in)
	return f.err
}

func (f *farSide) Receipt(instance, id string, status driver.ReceiptStatus) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.receipts = append(f.receipts, instance+"/"+id+"/"+string(status))
	return f.err
}

func (f *farSide) Update(_ string, u driver.Update) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, u)
	return f.err
}

var _ SandboxReports = (*farSide)(nil)

// The document's checker, built once: building it takes a while.
var (
	checkerOnce sync.Once
	theChecker  *openapicheck.Checker
	checkerErr  error
)

// checked sends body to path and checks request and response against the
// OpenAPI document: a body the server accepts must be one the document
// accepts too.
func checked(t *testing.T, a testAPI, path, body string) answer {
	t.Helper()
	checkerOnce.Do(func() { theChecker, checkerErr = openapicheck.New(OpenAPI()) })
	require.NoError(t, checkerErr)
	checker := theChecker
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("apikey", a.key)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, req)
	require.NoError(t, checker.Check(req, w.Result(), w.Body.Bytes()))
	if w.Code == http.StatusOK {
		require.NoError(t, checker.CheckRequest(req, []byte(body)), "the document accepts what the server accepted")
	}
	out := answer{status: w.Code, header: w.Header()}
	if w.Body.Len() > 0 {
		out.body = map[string]any{}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out.body))
	}
	return out
}

type issue struct{ path, message string }

// issues flattens a 400's issues to "path: message" for comparison.
func issues(t *testing.T, got answer) []issue {
	t.Helper()
	require.Equal(t, http.StatusBadRequest, got.status, "%v", got.body)
	var out []issue
	for _, raw := range got.body["issues"].([]any) {
		m := raw.(map[string]any)
		var parts []string
		for _, p := range m["path"].([]any) {
			switch v := p.(type) {
			case string:
				parts = append(parts, v)
			case float64:
				parts = append(parts, strconv.FormatFloat(v, 'f', -1, 64))
			}
		}
		out = append(out, issue{strings.Join(parts, "."), m["message"].(string)})
	}
	return out
}

func TestSandboxInboundValidates(t *testing.T) {
	a := newTestAPI(t, &farSide{})
	const path = "/sandbox/acme__c__main/inbound"
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n"))
	for _, tt := range []struct {
		name, body string
		want       []issue
	}{
		{"unknown type", `{"from":"5491112345678","messageType":"faxMessage"}`,
			[]issue{{"messageType", "Must be one of " + inboundTypeList}}},
		{"media kind without media", `{"from":"5491112345678","messageType":"imageMessage"}`,
			[]issue{{"media", "Required for imageMessage"}}},
		{"sticker without media", `{"from":"5491112345678","messageType":"stickerMessage"}`,
			[]issue{{"media", "Required for stickerMessage"}}},
		{"bad base64", `{"from":"5491112345678","messageType":"imageMessage","media":{"base64":"not base64!"}}`,
			[]issue{{"media.base64", "Must be base64 (standard alphabet, padded)"}}},
		{"empty base64", `{"from":"5491112345678","messageType":"imageMessage","media":{"base64":""}}`,
			[]issue{{"media.base64", "Required: the file, base64-encoded"}}},
		{"bad mimetype and a name on an image", `{"from":"5491112345678","messageType":"imageMessage","media":{"base64":"` + png + `","mimetype":"png","fileName":"a.png"}}`,
			[]issue{{"media.fileName", "Only for documentMessage"}, {"media.mimetype", "Must be a media type, e.g. image/jpeg"}}},
		{"media on a text", `{"from":"5491112345678","messageType":"conversation","text":"x","media":{"base64":"` + png + `"}}`,
			[]issue{{"media", "Only for " + mediaTypeList}}},
		{"caption on a sticker", `{"from":"5491112345678","messageType":"stickerMessage","caption":"x","media":{"base64":"` + png + `"}}`,
			[]issue{{"caption", "Only for imageMessage, documentMessage, audioMessage and videoMessage"}}},
		{"text on an image", `{"from":"5491112345678","messageType":"imageMessage","text":"x","media":{"base64":"` + png + `"}}`,
			[]issue{{"text", "Only for conversation (media carry a caption)"}}},
		{"chat not a group", `{"from":"5491112345678","text":"x","messageType":"conversation","chat":"5491100000000"}`,
			[]issue{{"chat", groupMessage}}},
		{"ids", `{"from":"5491112345678","text":"x","messageType":"conversation","messageId":"a/b","quoted":{}}`,
			[]issue{{"messageId", waIDMessage}, {"quoted.messageId", waIDMessage}}},
		{"mentions", `{"from":"5491112345678","text":"x","messageType":"conversation","mentions":["5491100000000","+54"]}`,
			[]issue{{"mentions.1", phone.FormatMessage}}},
		{"mentions not a list", `{"from":"5491112345678","text":"x","messageType":"conversation","mentions":"5491100000000"}`,
			[]issue{{"mentions", "Must be of type array"}}},
		{"location missing", `{"from":"5491112345678","messageType":"locationMessage"}`,
			[]issue{{"location", "Required for locationMessage"}}},
		{"location wrong", `{"from":"5491112345678","messageType":"locationMessage","location":{"latitude":91}}`,
			[]issue{{"location.latitude", "Must be between -90 and 90"}, {"location.longitude", "Required"}}},
		{"location on a text", `{"from":"5491112345678","messageType":"conversation","text":"x","location":{"latitude":1,"longitude":2}}`,
			[]issue{{"location", "Only for locationMessage"}}},
		{"contacts missing", `{"from":"5491112345678","messageType":"contactMessage","contacts":[]}`,
			[]issue{{"contacts", "Required for contactMessage: at least one card"}}},
		{"contact wrong", `{"from":"5491112345678","messageType":"contactMessage","contacts":[{"fullName":" ","phoneNumbers":[""]}]}`,
			[]issue{{"contacts.0.fullName", "Required"}, {"contacts.0.phoneNumbers.0", "Must not be empty"}}},
		{"contact in the send shape", `{"from":"5491112345678","messageType":"contactMessage","contacts":[{"fullName":"Ana","phoneNumber":"5491100000000"}]}`,
			[]issue{{"contacts.0.phoneNumber", "Unknown field; allowed: fullName, phoneNumbers"}}},
		{"poll missing", `{"from":"5491112345678","messageType":"pollCreationMessage"}`,
			[]issue{{"poll", "Required for pollCreationMessage"}}},
		{"poll wrong", `{"from":"5491112345678","messageType":"pollCreationMessage","poll":{"question":"","options":["a"," a",""],"selectableCount":4}}`,
			[]issue{{"poll.question", "Required"}, {"poll.options.1", "Listed twice"}, {"poll.options.2", "Must not be empty"},
				{"poll.selectableCount", "Must be between 0 (any number) and 3 (the number of options)"}}},
		{"poll options not a list", `{"from":"5491112345678","messageType":"pollCreationMessage","poll":{"question":"q","options":"a,b"}}`,
			[]issue{{"poll.options", "Must be of type array"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := issues(t, checked(t, a, path, tt.body))
			require.ElementsMatch(t, tt.want, got)
		})
	}
}

// TestSandboxInboundKinds: what a valid body hands the network.
func TestSandboxInboundKinds(t *testing.T) {
	f := &farSide{}
	a := newTestAPI(t, f)
	const path = "/sandbox/acme__c__main/inbound"
	file := []byte("%PDF-1.4 a document")
	body := `{"from":"5491112345678","pushName":"Ana","messageType":"documentMessage","caption":"the file",` +
		`"chat":"120363025246125486@g.us","messageId":"3EB0CAFE","quoted":{"messageId":"3EB0BEEF"},"mentions":["5491100000000"],` +
		`"media":{"base64":"` + base64.StdEncoding.EncodeToString(file) + `","fileName":"a.pdf"}}`
	got := checked(t, a, path, body)
	require.Equal(t, http.StatusOK, got.status, "%v", got.body)
	require.Equal(t, map[string]any{"messageId": "3EB0CAFE"}, got.body)
	in := f.inbound[0]
	require.Equal(t, "120363025246125486@g.us", in.Chat)
	require.Equal(t, &driver.InboundQuote{MessageID: "3EB0BEEF"}, in.Quoted)
	require.Equal(t, []string{"5491100000000"}, in.Mentions)
	require.Equal(t, "the file", in.Caption)
	require.Equal(t, "application/pdf", in.Media.Mimetype, "sniffed when not given")
	require.Equal(t, "a.pdf", in.Media.FileName)
	require.Equal(t, int64(len(file)), in.Media.Size)
	rc, err := in.Media.Open(context.Background())
	require.NoError(t, err)
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.Equal(t, file, b)

	for _, body := range []string{
		`{"from":"5491112345678","messageType":"locationMessage","location":{"latitude":0,"longitude":0}}`,
		`{"from":"5491112345678","messageType":"contactMessage","contacts":[{"fullName":"Ana","phoneNumbers":["+54 9 11 1234-5678"]},{"fullName":"Bo"}]}`,
		`{"from":"5491112345678","messageType":"pollCreationMessage","poll":{"question":"Lunch?","options":["Pizza","Sushi"],"selectableCount":0}}`,
		`{"from":"5491112345678","messageType":"stickerMessage","media":{"base64":"UklGRgAAAABXRUJQVlA4IA==","mimetype":"image/webp"}}`,
	} {
		got := checked(t, a, path, body)
		require.Equal(t, http.StatusOK, got.status, "%s: %v", body, got.body)
		require.Regexp(t, `^[0-9A-F]{32}$`, got.body["messageId"], "made up when not given")
	}
	require.Len(t, f.inbound, 5)
	require.Equal(t, 0.0, f.inbound[1].Location.Latitude, "0, 0 is a place")
	require.Equal(t, []driver.InboundContact{{FullName: "Ana", PhoneNumbers: []string{"+54 9 11 1234-5678"}}, {FullName: "Bo"}},
		f.inbound[2].Contacts)
	require.Equal(t, &driver.InboundPoll{Question: "Lunch?", Options: []string{"Pizza", "Sushi"}, SelectableCount: 0}, f.inbound[3].Poll)
	require.Equal(t, "image/webp", f.inbound[4].Media.Mimetype)
}

// TestSandboxInboundTooLarge: a file over its type's limit is a 413. The
// 1 MiB body stops every such file over HTTP first, so the check is
// exercised directly.
func TestSandboxInboundTooLarge(t *testing.T) {
	big := base64.StdEncoding.EncodeToString(make([]byte, 1<<20+1))
	_, err := inboundMessage(inboundBody{From: "5491112345678", MessageType: "stickerMessage",
		Media: &inboundMediaBody{Base64: big}})
	require.ErrorIs(t, err, fault.ErrTooLarge)
	_, err = inboundMessage(inboundBody{From: "5491112345678", MessageType: "documentMessage",
		Media: &inboundMediaBody{Base64: big}})
	require.NoError(t, err, "a document may be larger")
}

func TestSandboxReportsValidate(t *testing.T) {
	a := newTestAPI(t, &farSide{})
	const base = "/sandbox/acme__c__main/"
	for _, tt := range []struct {
		name, route, body string
		want              []issue
	}{
		{"receipt: nothing", "receipt", `{}`, []issue{{"id", "Required: the id the send returned"}, {"status", "Must be one of delivered, read"}}},
		{"receipt: not ours", "receipt", `{"id":"3EB0AA","status":"played"}`,
			[]issue{{"id", "Must be a message id the gateway returned (a UUID)"}, {"status", "Must be one of delivered, read"}}},
		{"reaction: nothing", "reaction", `{}`, []issue{{"from", phone.FormatMessage},
			{"messageId", waIDMessage}, {"emoji", `Required ("" removes the reaction)`}}},
		{"reaction: two emoji", "reaction", `{"from":"5491112345678","messageId":"3EB0AA","emoji":"👍👍"}`,
			[]issue{{"emoji", `Must be one emoji, or "" to remove the reaction`}}},
		{"reaction: chat", "reaction", `{"from":"5491112345678","messageId":"3EB0AA","emoji":"👍","chat":"12@g.us"}`,
			[]issue{{"chat", groupMessage}}},
		{"edit: no text", "edit", `{"from":"5491112345678","messageId":"3EB0AA"}`, []issue{{"text", "Required: the new text"}}},
		{"edit: a field of another route", "edit", `{"from":"5491112345678","messageId":"3EB0AA","text":"x","emoji":"👍"}`,
			[]issue{{"emoji", "Unknown field; allowed: from, messageId, chat, text"}}},
		{"revoke: bad id", "revoke", `{"from":"5491112345678","messageId":""}`, []issue{{"messageId", waIDMessage}}},
		{"vote: no options", "vote", `{"from":"5491112345678","messageId":"3EB0AA"}`, []issue{{"options", "Required ([] withdraws the vote)"}}},
		{"vote: options not a list", "vote", `{"from":"5491112345678","messageId":"3EB0AA","options":"Pizza"}`,
			[]issue{{"options", "Must be of type array"}}},
		{"vote: bad options", "vote", `{"from":"5491112345678","messageId":"3EB0AA","options":["Pizza","","Pizza"]}`,
			[]issue{{"options.1", "Must not be empty"}, {"options.2", "Listed twice"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.ElementsMatch(t, tt.want, issues(t, checked(t, a, base+tt.route, tt.body)))
		})
	}
}

func TestSandboxReports(t *testing.T) {
	f := &farSide{}
	a := newTestAPI(t, f)
	const base = "/sandbox/acme__c__main/"
	for _, tt := range []struct{ route, body string }{
		{"receipt", `{"id":"3B2E1F4A-9C7D-4E2B-8A1F-6D5C4B3A2E10","status":"read"}`},
		{"reaction", `{"from":"5491112345678","messageId":"3EB0AA","emoji":"👍🏽","chat":"120363025246125486@g.us"}`},
		{"reaction", `{"from":"5491112345678","messageId":"3EB0AA","emoji":""}`},
		{"edit", `{"from":"5491112345678","messageId":"3EB0AA","text":"fixed"}`},
		{"revoke", `{"from":"5491112345678","messageId":"3EB0AA"}`},
		{"vote", `{"from":"5491112345678","messageId":"3EB0AA","options":["Pizza"]}`},
		{"vote", `{"from":"5491112345678","messageId":"3EB0AA","options":[]}`},
	} {
		got := checked(t, a, base+tt.route, tt.body)
		require.Equal(t, http.StatusOK, got.status, "%s %s: %v", tt.route, tt.body, got.body)
		require.Equal(t, map[string]any{}, got.body)
	}
	require.Equal(t, []string{"acme__c__main/3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10/read"}, f.receipts, "our ids are lower case")
	require.Len(t, f.updates, 6)
	for i := range f.updates {
		require.False(t, f.updates[i].Timestamp.IsZero())
		f.updates[i].Timestamp = f.updates[0].Timestamp
	}
	at := f.updates[0].Timestamp
	require.Equal(t, []driver.Update{
		{Kind: driver.Reacted, From: "5491112345678", MessageID: "3EB0AA", Emoji: "👍🏽", Chat: "120363025246125486@g.us", Timestamp: at},
		{Kind: driver.Reacted, From: "5491112345678", MessageID: "3EB0AA", Timestamp: at},
		{Kind: driver.Edited, From: "5491112345678", MessageID: "3EB0AA", Text: "fixed", Timestamp: at},
		{Kind: driver.Revoked, From: "5491112345678", MessageID: "3EB0AA", Timestamp: at},
		{Kind: driver.Voted, From: "5491112345678", MessageID: "3EB0AA", SelectedOptions: []string{"Pizza"}, Timestamp: at},
		{Kind: driver.Voted, From: "5491112345678", MessageID: "3EB0AA", SelectedOptions: []string{}, Timestamp: at},
	}, f.updates)
}

// TestSandboxReportErrors: what the network refuses, and what the tenant
// rules refuse before it is asked.
func TestSandboxReportErrors(t *testing.T) {
	f := &farSide{}
	a := newTestAPI(t, f)
	const revoke = `{"from":"5491112345678","messageId":"3EB0AA"}`
	const receipt = `{"id":"3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10","status":"delivered"}`
	for _, tt := range []struct {
		err          error
		route, body  string
		status       int
		errorMessage string
	}{
		{driver.ErrNotConnected, "revoke", revoke, http.StatusConflict, "Instance is not open"},
		{driver.ErrNotConnected, "receipt", receipt, http.StatusConflict, "Instance is not open"},
		{driver.ErrNotConnected, "inbound", `{"from":"5491112345678","messageType":"conversation","text":"x"}`, http.StatusConflict, "Instance is not open"},
		{sandbox.ErrUnknownMessage, "receipt", receipt, http.StatusNotFound, "No message with this id was sent from this instance (see GET /sandbox/{name}/sent)"},
		{errors.New("host down"), "revoke", revoke, http.StatusInternalServerError, "Internal error"},
	} {
		f.err = tt.err
		got := checked(t, a, "/sandbox/acme__c__main/"+tt.route, tt.body)
		require.Equal(t, tt.status, got.status, "%s: %v", tt.route, got.body)
		require.Equal(t, tt.errorMessage, got.body["error"])
	}
	f.err = nil
	require.Equal(t, http.StatusNotFound, checked(t, a, "/sandbox/acme__c__nobody/revoke", revoke).status)
	require.Equal(t, http.StatusNotFound, checked(t, a, "/sandbox/acme__c__nobody/receipt", receipt).status)

	plain := newTestAPI(t, fakeSandbox{})
	require.Equal(t, http.StatusNotFound, plain.do(t, "POST", "/sandbox/acme__c__main/revoke", revoke).status,
		"a sandbox without a far side has no such routes")
}
