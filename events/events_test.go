package events_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
)

// Golden format: each testdata/*.json file is one webhook body exactly as
// Body returns it (compact JSON, fields in contract order, no HTML escaping,
// non-ASCII as UTF-8) followed by a single "\n" so editors and git leave it
// alone. The newline is not part of the body; golden strips exactly it.
// Goldens are written by hand from API.md, never generated from the code.
func golden(t testing.TB, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(t, err)
	require.True(t, bytes.HasSuffix(b, []byte("\n")), "%s must end in one newline", file)
	b = b[:len(b)-1]
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, b))
	require.Equal(t, string(compact.Bytes()), string(b), "%s must be compact JSON", file)
	return b
}

func ptr(s string) *string { return &s }

// goldenCases builds every golden sample with New, from the same values a
// producer would hold.
var goldenCases = []struct {
	file string
	name events.Name
	data any
	at   time.Time
}{
	{
		file: "instance.connected.json",
		name: events.InstanceConnected,
		data: events.Connection{State: "open"},
		at:   time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC),
	},
	{
		file: "instance.disconnected.json",
		name: events.InstanceDisconnected,
		data: &events.Connection{State: "close", Reason: ptr("logged_out")},
		at:   time.Date(2026, 3, 15, 10, 42, 17, 305_999_999, time.UTC), // truncated, not rounded
	},
	{
		file: "message.received.json",
		name: events.MessageReceived,
		data: events.Received{
			From: "5491112345678", PushName: "Juan Pérez", MessageType: "conversation",
			Text: ptr("Hello, I need help"), MessageID: "AC3EADB76DB5BE4130602FBF2039604A", Timestamp: 1773596760,
		},
		// Buenos Aires time: the envelope is in UTC whatever the producer's zone.
		at: time.Date(2026, 3, 15, 14, 46, 0, 412_000_000, time.FixedZone("ART", -3*3600)),
	},
	{
		file: "message.received.media.json",
		name: events.MessageReceived,
		data: events.Received{
			From: "5491112345678", PushName: "Juan Pérez", MessageType: "imageMessage",
			Caption: ptr("Photo of the broken part"), MessageID: "3EB0C7A1F4D2E98B5A61", Timestamp: 1773596790,
		},
		at: time.Date(2026, 3, 15, 17, 46, 30, 871_000_000, time.UTC),
	},
	{
		file: "message.received.audio.json",
		name: events.MessageReceived,
		data: &events.Received{
			From: "5491112345678", PushName: "Juan Pérez", MessageType: "audioMessage",
			MessageID: "3EB0D41E8A07BC2F9361", Timestamp: 1773596815,
		},
		at: time.Date(2026, 3, 15, 17, 46, 55, 208_000_000, time.UTC),
	},
	{
		file: "message.sent.json",
		name: events.MessageSent,
		data: events.Sent{
			ID: "3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10", To: "5491112345678", Lane: "normal", Type: "text",
			SentAt: events.FormatTime(time.Date(2026, 3, 15, 10, 30, 5, 127_000_000, time.UTC)),
		},
		at: time.Date(2026, 3, 15, 10, 30, 5, 131_000_000, time.UTC),
	},
	{
		file: "message.failed.json",
		name: events.MessageFailed,
		data: events.Failed{
			ID: "7c9e6679-7425-40de-944b-e07fc1f90ae7", To: "5491187654321", Lane: "urgent", Type: "image",
			Error: "number not on WhatsApp",
		},
		at: time.Date(2026, 3, 15, 10, 31, 12, 44_000_000, time.UTC),
	},
}

func TestNewMatchesGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.file, func(t *testing.T) {
			e, err := events.New(tc.name, "acme__soporte__main", tc.data, tc.at)
			require.NoError(t, err)
			body, err := e.Body()
			require.NoError(t, err)
			require.Equal(t, string(golden(t, tc.file)), string(body))
		})
	}
}

func TestEveryGoldenIsCovered(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	var built []string
	for _, tc := range goldenCases {
		built = append(built, filepath.Join("testdata", tc.file))
	}
	require.ElementsMatch(t, files, built, "every golden is built by New in TestNewMatchesGolden")
	for _, n := range events.Names() {
		require.FileExists(t, filepath.Join("testdata", string(n)+".json"))
	}
}

func TestNames(t *testing.T) {
	require.Equal(t, "whatsapp.gateway", events.Source)
	names := events.Names()
	require.Equal(t, []events.Name{
		"instance.connected", "instance.disconnected", "message.received", "message.sent", "message.failed",
	}, names)
	names[0] = "mutated"
	require.Equal(t, events.InstanceConnected, events.Names()[0], "Names returns a fresh slice")

	for _, tc := range []struct {
		name  events.Name
		valid bool
	}{
		{events.InstanceConnected, true},
		{events.MessageFailed, true},
		{"", false},
		{"message", false},
		{"Message.Sent", false},
		{"message.sent ", false},
		{"instance.qr", false},
	} {
		require.Equal(t, tc.valid, tc.name.Valid(), "%q", tc.name)
	}
}

func TestSchemaFiles(t *testing.T) {
	files, err := filepath.Glob("schema/*.json")
	require.NoError(t, err)
	var want []string
	for _, n := range events.Names() {
		want = append(want, filepath.Join("schema", string(n)+".json"))
		b := events.Schema(n)
		require.NotEmpty(t, b, n)
		onDisk, err := os.ReadFile(filepath.Join("schema", string(n)+".json"))
		require.NoError(t, err)
		require.Equal(t, onDisk, b)

		var s struct {
			Schema               string         `json:"$schema"`
			ID                   string         `json:"$id"`
			AdditionalProperties *bool          `json:"additionalProperties"`
			Properties           map[string]any `json:"properties"`
		}
		require.NoError(t, json.Unmarshal(b, &s))
		require.Equal(t, "https://json-schema.org/draft/2020-12/schema", s.Schema)
		require.True(t, strings.HasSuffix(s.ID, "/events/schema/"+string(n)+".json"), s.ID)
		require.NotNil(t, s.AdditionalProperties)
		require.False(t, *s.AdditionalProperties)
		require.Equal(t, map[string]any{"const": string(n)}, s.Properties["event"])
		data := s.Properties["data"].(map[string]any)
		require.Equal(t, false, data["additionalProperties"], "%s data must be closed", n)
	}
	require.ElementsMatch(t, want, files, "one schema per event, nothing else")
	require.Nil(t, events.Schema("message.deleted"))
	require.Nil(t, events.Schema("../schema/message.sent"))

	b := events.Schema(events.MessageSent)
	b[0] = 'X'
	require.Equal(t, byte('{'), events.Schema(events.MessageSent)[0], "Schema returns a copy")
}

// TestGoldensValidate compiles the bytes Schema returns with a fresh
// compiler, as a consumer taking the files would, besides Validate.
func TestGoldensValidate(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.file, func(t *testing.T) {
			body := golden(t, tc.file)
			require.NoError(t, events.Validate(body))

			c := jsonschema.NewCompiler()
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(events.Schema(tc.name)))
			require.NoError(t, err)
			require.NoError(t, c.AddResource("event.json", doc))
			sch, err := c.Compile("event.json")
			require.NoError(t, err)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
			require.NoError(t, err)
			require.NoError(t, sch.Validate(inst))
		})
	}
}

// mutate decodes a golden, applies edit to it and re-encodes it.
func mutate(t *testing.T, file string, edit func(body, data map[string]any)) []byte {
	t.Helper()
	var body map[string]any
	d := json.NewDecoder(bytes.NewReader(golden(t, file)))
	d.UseNumber()
	require.NoError(t, d.Decode(&body))
	edit(body, body["data"].(map[string]any))
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return b
}

var invalidCases = []struct {
	name  string
	where string // what the error must point at, so a case fails for its own reason
	file  string
	edit  func(body, data map[string]any)
}{
	{"missing data field", "'/data': missing property 'reason'", "instance.connected.json", func(_, d map[string]any) { delete(d, "reason") }},
	{"missing top field", "missing property 'timestamp'", "message.sent.json", func(b, _ map[string]any) { delete(b, "timestamp") }},
	{"missing data", "missing property 'data'", "message.sent.json", func(b, _ map[string]any) { delete(b, "data") }},
	{"extra top field", "'tenantId' not allowed", "message.sent.json", func(b, _ map[string]any) { b["tenantId"] = "acme" }},
	{"extra data field", "'retryable' not allowed", "message.failed.json", func(_, d map[string]any) { d["retryable"] = false }},
	{"bad reason", "'/data/reason'", "instance.disconnected.json", func(_, d map[string]any) { d["reason"] = "timeout" }},
	{"reason on connected", "'/data/reason'", "instance.connected.json", func(_, d map[string]any) { d["reason"] = "logged_out" }},
	{"wrong state", "'/data/state'", "instance.disconnected.json", func(_, d map[string]any) { d["state"] = "open" }},
	{"caption on conversation", "'/data/caption'", "message.received.json", func(_, d map[string]any) { d["caption"] = "hi" }},
	{"null caption on conversation", "'/data/caption'", "message.received.json", func(_, d map[string]any) { d["caption"] = nil }},
	{"null text on conversation", "'/data/text'", "message.received.json", func(_, d map[string]any) { d["text"] = nil }},
	{"text on media", "'/data/text'", "message.received.media.json", func(_, d map[string]any) { d["text"] = "hi" }},
	{"media without caption key", "missing property 'caption'", "message.received.audio.json", func(_, d map[string]any) { delete(d, "caption") }},
	{"unknown messageType", "'/data/messageType'", "message.received.json", func(_, d map[string]any) { d["messageType"] = "stickerMessage" }},
	{"phone with plus", "'/data/from'", "message.received.json", func(_, d map[string]any) { d["from"] = "+5491112345678" }},
	{"phone too short", "'/data/to'", "message.sent.json", func(_, d map[string]any) { d["to"] = "1234567" }},
	{"phone too long", "'/data/to'", "message.sent.json", func(_, d map[string]any) { d["to"] = "1234567890123456" }},
	{"timestamp as string", "'/data/timestamp'", "message.received.json", func(_, d map[string]any) { d["timestamp"] = "1773596760" }},
	{"fractional timestamp", "'/data/timestamp'", "message.received.json", func(_, d map[string]any) { d["timestamp"] = 1773596760.5 }},
	{"negative timestamp", "'/data/timestamp'", "message.received.json", func(_, d map[string]any) { d["timestamp"] = -1 }},
	{"pushName null", "'/data/pushName'", "message.received.json", func(_, d map[string]any) { d["pushName"] = nil }},
	{"time without millis", "'/timestamp'", "instance.connected.json", func(b, _ map[string]any) { b["timestamp"] = "2026-03-15T10:30:00Z" }},
	{"time with offset", "'/timestamp'", "instance.connected.json", func(b, _ map[string]any) { b["timestamp"] = "2026-03-15T10:30:00.000+00:00" }},
	{"sentAt without millis", "'/data/sentAt'", "message.sent.json", func(_, d map[string]any) { d["sentAt"] = "2026-03-15T10:30:05Z" }},
	{"bad lane", "'/data/lane'", "message.sent.json", func(_, d map[string]any) { d["lane"] = "fast" }},
	{"bad type", "'/data/type'", "message.failed.json", func(_, d map[string]any) { d["type"] = "fax" }},
	{"id not a uuid", "'/data/id'", "message.sent.json", func(_, d map[string]any) { d["id"] = "42" }},
	{"empty error", "'/data/error'", "message.failed.json", func(_, d map[string]any) { d["error"] = "" }},
	{"error null", "'/data/error'", "message.failed.json", func(_, d map[string]any) { d["error"] = nil }},
	{"bad instance name", "'/instanceName'", "message.sent.json", func(b, _ map[string]any) { b["instanceName"] = "acme_soporte_main" }},
	{"upper-case instance name", "'/instanceName'", "message.sent.json", func(b, _ map[string]any) { b["instanceName"] = "Acme__soporte__main" }},
	{"data of another event", "missing property 'error'", "message.sent.json", func(b, _ map[string]any) { b["event"] = "message.failed" }},
	{"unknown event", "unknown event \"message.deleted\"", "message.sent.json", func(b, _ map[string]any) { b["event"] = "message.deleted" }},
	{"no event", "unknown event \"\"", "message.sent.json", func(b, _ map[string]any) { delete(b, "event") }},
	{"data not an object", "'/data': got string, want object", "instance.connected.json", func(b, _ map[string]any) { b["data"] = "open" }},
}

func TestInvalidBodiesFailValidation(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			body := mutate(t, tc.file, tc.edit)
			require.ErrorContains(t, events.Validate(body), tc.where, "%s", body)
		})
	}
	for _, junk := range []string{``, `null`, `[]`, `"message.sent"`, `{"event":"message.sent"`, string(golden(t, "message.sent.json")) + `{}`} {
		require.Error(t, events.Validate([]byte(junk)), "%q", junk)
	}
}

func TestGoldenRoundTrip(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.file, func(t *testing.T) {
			want := golden(t, tc.file)
			var e events.Envelope
			d := json.NewDecoder(bytes.NewReader(want))
			d.DisallowUnknownFields()
			require.NoError(t, d.Decode(&e))
			require.Equal(t, tc.name, e.Event)
			body, err := e.Body()
			require.NoError(t, err)
			require.Equal(t, string(want), string(body))
		})
	}
}

// deliveryID is the delivery id of the test details.
const deliveryID = "9f1c2e7a-4b3d-4e8f-a2c1-0d9e8f7a6b5c"

// withTenant turns a webhook body into its EventBridge detail, written by
// hand: the body's fields, then tenantId and deliveryId.
func withTenant(body []byte, tenant string) []byte {
	return append(bytes.TrimSuffix(bytes.Clone(body), []byte("}")),
		[]byte(`,"tenantId":"`+tenant+`","deliveryId":"`+deliveryID+`"}`)...)
}

func TestDetailRoundTrip(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.file, func(t *testing.T) {
			body := golden(t, tc.file)
			detail := withTenant(body, "acme")

			d, err := events.ParseDetail(detail)
			require.NoError(t, err)
			require.Equal(t, "acme", d.TenantID)
			require.Equal(t, deliveryID, d.DeliveryID)
			require.Equal(t, tc.name, d.Event)
			require.Equal(t, "acme__soporte__main", d.InstanceName)

			got, err := d.Body() // promoted from Envelope: what the deliverer signs
			require.NoError(t, err)
			require.Equal(t, string(body), string(got))

			e, err := events.New(tc.name, "acme__soporte__main", tc.data, tc.at)
			require.NoError(t, err)
			b, err := json.Marshal(events.Detail{Envelope: e, TenantID: "acme", DeliveryID: deliveryID})
			require.NoError(t, err)
			require.Equal(t, string(detail), string(b), "flat: body fields then tenantId, deliveryId")

			built, err := events.NewDetail(body, "acme", deliveryID)
			require.NoError(t, err)
			require.Equal(t, string(detail), string(built))
		})
	}
}

// ParseDetail canonicalises data, so a detail re-encoded by another
// encoder (indented, HTML-escaped) still yields the bytes New produces.
func TestParseDetailCanonicalisesData(t *testing.T) {
	text := `<b>Tom & Jerry</b> ` + "\u2028"
	e, err := events.New(events.MessageReceived, "acme__soporte__main", events.Received{
		From: "5491112345678", PushName: "Juan Pérez", MessageType: "conversation",
		Text: &text, MessageID: "AC3EADB76DB5BE4130602FBF2039604A", Timestamp: 1773596760,
	}, time.Date(2026, 3, 15, 17, 46, 0, 412_000_000, time.UTC))
	require.NoError(t, err)
	want, err := e.Body()
	require.NoError(t, err)
	require.Contains(t, string(want), `"<b>Tom & Jerry</b> `, "no HTML escaping in webhook bodies")

	escaped, err := json.Marshal(events.Detail{Envelope: e, TenantID: "acme", DeliveryID: deliveryID})
	require.NoError(t, err)
	require.Contains(t, string(escaped), `\u003cb\u003e`)
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, escaped, "", "  "))

	for _, in := range [][]byte{escaped, indented.Bytes()} {
		d, err := events.ParseDetail(in)
		require.NoError(t, err)
		got, err := d.Body()
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	}
}

func TestParseDetailRejects(t *testing.T) {
	body := string(golden(t, "message.sent.json"))
	detail := string(withTenant([]byte(body), "acme"))
	for _, tc := range []struct {
		name string
		want string
		in   string
	}{
		{"no tenantId", "no tenantId", body},
		{"empty tenantId", "no tenantId", string(withTenant([]byte(body), ""))},
		{"tenantId not a string", "no tenantId", strings.Replace(detail, `"tenantId":"acme"`, `"tenantId":7`, 1)},
		{"tenant of another instance", "is not tenant \"globex\"'s", string(withTenant([]byte(body), "globex"))},
		{"tenant a prefix of the real one", "is not tenant \"acm\"'s", string(withTenant([]byte(body), "acm"))},
		{"tenant spanning the client part", "is not tenant \"acme__soporte\"'s", string(withTenant([]byte(body), "acme__soporte"))},
		{"no deliveryId", "no valid deliveryId", strings.Replace(detail, `,"deliveryId":"`+deliveryID+`"`, ``, 1)},
		{"empty deliveryId", "no valid deliveryId", strings.Replace(detail, deliveryID, ``, 1)},
		{"deliveryId not a string", "no valid deliveryId", strings.Replace(detail, `"`+deliveryID+`"`, `7`, 1)},
		{"deliveryId null", "no valid deliveryId", strings.Replace(detail, `"`+deliveryID+`"`, `null`, 1)},
		{"deliveryId with a newline", "no valid deliveryId", strings.Replace(detail, deliveryID, `a\nb`, 1)},
		{"deliveryId with a space", "no valid deliveryId", strings.Replace(detail, deliveryID, `a b`, 1)},
		{"deliveryId not ASCII", "no valid deliveryId", strings.Replace(detail, deliveryID, `é`, 1)},
		{"deliveryId too long", "no valid deliveryId", strings.Replace(detail, deliveryID, strings.Repeat("a", 129), 1)},
		{"deliveryId in another case", "no valid deliveryId", strings.Replace(detail, `"deliveryId"`, `"deliveryID"`, 1)},
		{"deliveryId twice, other case", "'deliveryid' not allowed", strings.Replace(detail, `"deliveryId"`, `"deliveryid":"x","deliveryId"`, 1)},
		{"unknown field", "'account' not allowed", strings.Replace(detail, `"tenantId"`, `"account":"1","tenantId"`, 1)},
		{"unknown data field", "'retries' not allowed", strings.Replace(detail, `"sentAt"`, `"retries":0,"sentAt"`, 1)},
		{"field in another case", "unknown event", strings.Replace(detail, `"event"`, `"Event"`, 1)},
		{"duplicate field in another case", "'Event' not allowed", strings.Replace(detail, `{"event"`, `{"Event":"message.failed","event"`, 1)},
		{"unknown event", "unknown event \"message.deleted\"", strings.Replace(detail, `"message.sent"`, `"message.deleted"`, 1)},
		{"event of other data", "missing property 'error'", strings.Replace(detail, `"message.sent"`, `"message.failed"`, 1)},
		{"event not a string", "unknown event", strings.Replace(detail, `"message.sent"`, `1`, 1)},
		{"bad timestamp", "'/timestamp'", strings.Replace(detail, `.131Z"`, `Z"`, 1)},
		{"trailing data", "invalid JSON", detail + `{}`},
		{"truncated", "invalid JSON", detail[:len(detail)-1]},
		{"array", "not a JSON object", `[` + detail + `]`},
		{"null", "not a JSON object", `null`},
		{"empty", "invalid JSON", ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.ParseDetail([]byte(tc.in))
			require.ErrorContains(t, err, tc.want, tc.in)
		})
	}
}

// The detail golden is written by hand from the README: the EventBridge
// detail rules match on, byte for byte as the publisher sends it.
func TestNewDetailMatchesGolden(t *testing.T) {
	want := golden(t, "detail/message.received.json")
	got, err := events.NewDetail(golden(t, "message.received.json"), "acme", deliveryID)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))

	d, err := events.ParseDetail(want)
	require.NoError(t, err)
	require.Equal(t, deliveryID, d.DeliveryID)
	body, err := d.Body()
	require.NoError(t, err)
	require.Equal(t, string(golden(t, "message.received.json")), string(body), "the added fields are not signed")
}

func TestNewDetailRejects(t *testing.T) {
	body := golden(t, "message.sent.json")
	for _, tc := range []struct {
		name     string
		want     string
		body     []byte
		tenant   string
		delivery string
	}{
		{"empty tenant", "empty tenantId", body, "", deliveryID},
		{"tenant of another instance", "is not tenant \"globex\"'s", body, "globex", deliveryID},
		{"empty delivery id", "deliveryId", body, "acme", ""},
		{"delivery id with a newline", "deliveryId", body, "acme", "a\nb"},
		{"delivery id too long", "deliveryId", body, "acme", strings.Repeat("a", 129)},
		{"body breaking its schema", "'/data/to'", bytes.Replace(body, []byte(`"to":"5491112345678"`), []byte(`"to":"+5491112345678"`), 1), "acme", deliveryID},
		// The validator lists extra properties in no fixed order.
		{"body already a detail", "additional properties", withTenant(body, "acme"), "acme", deliveryID},
		{"not JSON", "invalid JSON", []byte(`{`), "acme", deliveryID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.NewDetail(tc.body, tc.tenant, tc.delivery)
			require.ErrorContains(t, err, tc.want)
		})
	}
	_, err := events.NewDetail(body, "acme", strings.Repeat("a", 128))
	require.NoError(t, err, "128 characters is the longest delivery id")
}

func TestNewRejects(t *testing.T) {
	at := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)
	conv := func(r events.Received) events.Received {
		r.From, r.PushName, r.MessageID, r.Timestamp = "5491112345678", "Juan", "AC3E", 1773596760
		return r
	}
	sent := events.Sent{ID: "3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10", To: "5491112345678", Lane: "normal", Type: "text", SentAt: events.FormatTime(at)}
	for _, tc := range []struct {
		name     string
		want     string
		event    events.Name
		instance string
		data     any
		at       time.Time
	}{
		{"unknown event", "unknown event", "message.deleted", "acme__soporte__main", sent, at},
		{"data of another event", "events.Sent is not the data of message.failed", events.MessageFailed, "acme__soporte__main", sent, at},
		{"connection as message", "is not the data", events.MessageSent, "acme__soporte__main", events.Connection{State: "open"}, at},
		{"received as connection", "is not the data", events.InstanceConnected, "acme__soporte__main", conv(events.Received{}), at},
		{"foreign type", "is not the data", events.MessageSent, "acme__soporte__main", map[string]any{"id": "x"}, at},
		{"raw JSON", "is not the data", events.InstanceConnected, "acme__soporte__main", json.RawMessage(`{"state":"open","reason":null}`), at},
		{"nil data", "is not the data", events.InstanceConnected, "acme__soporte__main", nil, at},
		{"nil pointer", "nil pointer", events.InstanceConnected, "acme__soporte__main", (*events.Connection)(nil), at},
		{"nil received pointer", "nil pointer", events.MessageReceived, "acme__soporte__main", (*events.Received)(nil), at},
		{"zero time", "zero event time", events.MessageSent, "acme__soporte__main", sent, time.Time{}},
		{"year beyond 9999", "'/timestamp'", events.MessageSent, "acme__soporte__main", sent, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"bad instance name", "'/instanceName'", events.MessageSent, "acme", sent, at},
		{"connected with reason", "'/data/reason'", events.InstanceConnected, "acme__soporte__main", events.Connection{State: "open", Reason: ptr("banned")}, at},
		{"unknown reason", "'/data/reason'", events.InstanceDisconnected, "acme__soporte__main", events.Connection{State: "close", Reason: ptr("timeout")}, at},
		{"conversation without text", "'/data/text'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "conversation"}), at},
		{"conversation with caption", "'/data/caption'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "conversation", Text: ptr("hi"), Caption: ptr("hi")}), at},
		{"media with text", "'/data/text'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "imageMessage", Text: ptr("hi")}), at},
		{"empty messageType", "'/data/messageType'", events.MessageReceived, "acme__soporte__main", conv(events.Received{Text: ptr("hi")}), at},
		{"sentAt unformatted", "'/data/sentAt'", events.MessageSent, "acme__soporte__main", events.Sent{ID: sent.ID, To: sent.To, Lane: "normal", Type: "text", SentAt: at.String()}, at},
		{"to with plus", "'/data/to'", events.MessageFailed, "acme__soporte__main", events.Failed{ID: sent.ID, To: "+5491112345678", Lane: "bulk", Type: "text", Error: "x"}, at},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.New(tc.event, tc.instance, tc.data, tc.at)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestReceivedJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   events.Received
		want string
	}{
		{"conversation has no caption key", events.Received{MessageType: "conversation", Text: ptr("hi")},
			`{"from":"","pushName":"","messageType":"conversation","text":"hi","messageId":"","timestamp":0}`},
		{"media has a null caption", events.Received{MessageType: "documentMessage"},
			`{"from":"","pushName":"","messageType":"documentMessage","text":null,"caption":null,"messageId":"","timestamp":0}`},
		{"media caption, unescaped", events.Received{MessageType: "videoMessage", Caption: ptr("a<b & c")},
			`{"from":"","pushName":"","messageType":"videoMessage","text":null,"caption":"a<b & c","messageId":"","timestamp":0}`},
		{"a caption is never dropped", events.Received{MessageType: "conversation", Text: ptr("hi"), Caption: ptr("c")},
			`{"from":"","pushName":"","messageType":"conversation","text":"hi","caption":"c","messageId":"","timestamp":0}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []any{tc.in, &tc.in} {
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				require.NoError(t, enc.Encode(v))
				require.Equal(t, tc.want+"\n", buf.String())
			}
		})
	}
}

func TestFormatTime(t *testing.T) {
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC), "2026-03-15T10:30:00.000Z"},
		{time.Date(2026, 3, 15, 10, 30, 0, 999_999_999, time.UTC), "2026-03-15T10:30:00.999Z"},
		{time.Date(2026, 3, 15, 7, 30, 0, 5_000_000, time.FixedZone("", -3*3600)), "2026-03-15T10:30:00.005Z"},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 14*3600)), "2025-12-31T10:00:00.000Z"},
	} {
		require.Equal(t, tc.want, events.FormatTime(tc.in))
	}
}

// FuzzParseDetail: arbitrary input never panics, and whatever is accepted
// is a fixed point: its re-encoding (by encoding/json, as a publisher would)
// parses back to an equal Detail whose body still matches its schema.
func FuzzParseDetail(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add(withTenant(golden(f, tc.file), "acme"))
	}
	f.Add([]byte(`{"event":"message.received","instanceName":"acme__soporte__main","data":{"from":"5491112345678","pushName":"\u003c\ud83d\ude00","messageType":"conversation","text":"a\u2028b","messageId":"x","timestamp":1.0},"timestamp":"2026-03-15T17:46:00.412Z","tenantId":"acme","deliveryId":"d-1"}`))
	f.Add([]byte(`{"tenantId":"acme","deliveryId":"d-1"}`))
	f.Add([]byte(`[1,{"a":null}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := events.ParseDetail(b)
		if err != nil {
			return
		}
		require.True(t, d.Event.Valid())
		require.NotEmpty(t, d.TenantID)
		require.NotEmpty(t, d.DeliveryID)
		body, err := d.Body()
		require.NoError(t, err)
		require.NoError(t, events.Validate(body))

		again, err := json.Marshal(d)
		require.NoError(t, err)
		d2, err := events.ParseDetail(again)
		require.NoError(t, err, "%s", again)
		require.Equal(t, d, d2)
		body2, err := d2.Body()
		require.NoError(t, err)
		require.Equal(t, string(body), string(body2))
		require.True(t, slices.Contains(events.Names(), d.Event))
	})
}

// FuzzNewDetail: whatever body NewDetail accepts, ParseDetail reads back
// with its tenant and delivery id, and its body still matches its schema.
func FuzzNewDetail(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add(golden(f, tc.file), "acme")
	}
	f.Add([]byte(`{"event":"instance.connected","instanceName":"acme__a__b","data":{"state":"open","reason":null},"timestamp":"2026-03-15T10:30:00.000Z"}`), "acme")
	f.Fuzz(func(t *testing.T, body []byte, tenant string) {
		detail, err := events.NewDetail(body, tenant, deliveryID)
		if err != nil {
			return
		}
		d, err := events.ParseDetail(detail)
		require.NoError(t, err, "%s", detail)
		require.Equal(t, tenant, d.TenantID)
		require.Equal(t, deliveryID, d.DeliveryID)
		got, err := d.Body()
		require.NoError(t, err)
		require.NoError(t, events.Validate(got))
	})
}
