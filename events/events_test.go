package events_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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

func i64(n int64) *int64 { return &n }

// uuidOurs is the gateway id of the message of message.sent's sample, which
// the receipts and the reaction samples follow.
const uuidOurs = "3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10"

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
			Chat: "5491112345678", // nil Mentions and Contacts: written as []
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
			Chat: "5491112345678", Mentions: []string{}, Contacts: []events.Contact{},
			Media: &events.Media{
				URL:      ptr("https://media.example.com/acme__soporte__main/3EB0C7A1F4D2E98B5A61.jpg"),
				Mimetype: "image/jpeg", Size: i64(48213),
				SHA256: ptr("6105d6cc76af400325e94d588ce511be5bfdbb73b437dc51eca43917d7a43e3d"),
			},
		},
		at: time.Date(2026, 3, 15, 17, 46, 30, 871_000_000, time.UTC),
	},
	{
		file: "message.received.audio.json",
		name: events.MessageReceived,
		data: &events.Received{
			From: "5491112345678", PushName: "Juan Pérez", MessageType: "audioMessage",
			MessageID: "3EB0D41E8A07BC2F9361", Timestamp: 1773596815, Chat: "5491112345678",
			Media: &events.Media{
				URL:      ptr("https://media.example.com/acme__soporte__main/3EB0D41E8A07BC2F9361.ogg"),
				Mimetype: "audio/ogg; codecs=opus", Size: i64(9817),
				SHA256: ptr("6ed8919ce20490a5e3ad8630a4fab69475297abd07db73918dd5f36fcfaeb11b"),
			},
		},
		at: time.Date(2026, 3, 15, 17, 46, 55, 208_000_000, time.UTC),
	},
	{
		// A download that failed: WhatsApp's mimetype and file name stay,
		// what would describe the stored copy is null.
		file: "message.received.media-failed.json",
		name: events.MessageReceived,
		data: events.Received{
			From: "5491112345678", PushName: "Juan Pérez", MessageType: "documentMessage",
			Caption: ptr("Invoice"), MessageID: "3EB0A9F3C5E7D1B2A4C6", Timestamp: 1773596830, Chat: "5491112345678",
			Media: &events.Media{
				Mimetype: "application/pdf", FileName: ptr("invoice-0042.pdf"),
				Error: "download failed: the file is no longer on WhatsApp's servers",
			},
		},
		at: time.Date(2026, 3, 15, 17, 47, 10, 533_000_000, time.UTC),
	},
	{
		file: "message.received.sticker.json",
		name: events.MessageReceived,
		data: events.Received{
			From: "5491112345678", PushName: "Juan Pérez", MessageType: "stickerMessage",
			MessageID: "3EB0B8E2D4F6A1C3E5B7", Timestamp: 1773596845, Chat: "5491112345678",
			Media: &events.Media{
				URL:      ptr("https://media.example.com/acme__soporte__main/3EB0B8E2D4F6A1C3E5B7.webp"),
				Mimetype: "image/webp", Size: i64(18344),
				SHA256: ptr("57c4b13a4c7335e72f1669e0506e99208df1da050c125da678b23ebb55bf4c61"),
			},
		},
		at: time.Date(2026, 3, 15, 17, 47, 25, 90_000_000, time.UTC),
	},
	{
		file: "message.received.location.json",
		name: events.MessageReceived,
		data: events.Received{
			From: "5491112345678", PushName: "Juan Pérez", MessageType: "locationMessage",
			MessageID: "3EB0C3D5E7F9A1B3C5D7", Timestamp: 1773596860, Chat: "5491112345678",
			Location: &events.Location{
				Latitude: -34.603722, Longitude: -58.381592,
				Name: ptr("Obelisco"), Address: ptr("Av. 9 de Julio s/n, Buenos Aires"),
			},
		},
		at: time.Date(2026, 3, 15, 17, 47, 40, 377_000_000, time.UTC),
	},
	{
		file: "message.received.contact.json",
		name: events.MessageReceived,
		data: events.Received{
			From: "5491112345678", PushName: "Juan Pérez", MessageType: "contactMessage",
			MessageID: "3EB0D6E8F0A2B4C6D8E0", Timestamp: 1773596875, Chat: "5491112345678",
			Contacts: []events.Contact{{FullName: "María González", PhoneNumbers: []string{"+54 9 11 8765-4321"}}},
		},
		at: time.Date(2026, 3, 15, 17, 47, 55, 640_000_000, time.UTC),
	},
	{
		file: "message.received.poll.json",
		name: events.MessageReceived,
		data: events.Received{
			From: "5491112345678", PushName: "Juan Pérez", MessageType: "pollCreationMessage",
			MessageID: "3EB0E9F1A3B5C7D9E1F3", Timestamp: 1773596890, Chat: "5491112345678",
			Poll: &events.Poll{Question: "Which day suits you?", Options: []string{"Monday", "Tuesday", "Friday"}, SelectableCount: 1},
		},
		at: time.Date(2026, 3, 15, 17, 48, 10, 925_000_000, time.UTC),
	},
	{
		file: "message.received.group.json",
		name: events.MessageReceived,
		data: events.Received{
			From: "5491112345678", PushName: "Juan Pérez", MessageType: "conversation",
			Text: ptr("@5491187654321 can you check this?"), MessageID: "3EB0F2A4B6C8D0E2F4A6", Timestamp: 1773596905,
			Chat: "120363025246125486@g.us", IsGroup: true, Participant: ptr("5491112345678"),
			Quoted:   &events.Quoted{MessageID: "3EB0A1B2C3D4E5F60718", From: ptr("5491187654321")},
			Mentions: []string{"5491187654321"},
		},
		at: time.Date(2026, 3, 15, 17, 48, 25, 266_000_000, time.UTC),
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
	{
		file: "message.delivered.json",
		name: events.MessageDelivered,
		data: events.Delivered{
			ID: uuidOurs, To: "5491112345678",
			DeliveredAt: events.FormatTime(time.Date(2026, 3, 15, 10, 30, 6, 502_000_000, time.UTC)),
		},
		at: time.Date(2026, 3, 15, 10, 30, 6, 509_000_000, time.UTC),
	},
	{
		file: "message.read.json",
		name: events.MessageRead,
		data: &events.Read{
			ID: uuidOurs, To: "5491112345678",
			ReadAt: events.FormatTime(time.Date(2026, 3, 15, 10, 32, 41, 118_000_000, time.UTC)),
		},
		at: time.Date(2026, 3, 15, 10, 32, 41, 124_000_000, time.UTC),
	},
	{
		file: "message.reaction.json",
		name: events.MessageReaction,
		data: events.Reaction{
			From: "5491112345678", Chat: "5491112345678", MessageID: "3EB0F1A2B3C4D5E6F708",
			ID: ptr(uuidOurs), Emoji: "👍", Timestamp: 1773571000,
		},
		at: time.Date(2026, 3, 15, 10, 36, 40, 733_000_000, time.UTC),
	},
	{
		// Taken back, in a group, on a message that is not ours.
		file: "message.reaction.removed.json",
		name: events.MessageReaction,
		data: events.Reaction{
			From: "5491187654321", Chat: "120363025246125486@g.us", MessageID: "3EB0F2A4B6C8D0E2F4A6",
			Timestamp: 1773597000,
		},
		at: time.Date(2026, 3, 15, 17, 50, 0, 318_000_000, time.UTC),
	},
	{
		file: "message.edited.json",
		name: events.MessageEdited,
		data: events.Edited{
			From: "5491112345678", Chat: "5491112345678", MessageID: "AC3EADB76DB5BE4130602FBF2039604A",
			Text: "Hello, I need help with order 4711", Timestamp: 1773596940,
		},
		at: time.Date(2026, 3, 15, 17, 49, 0, 186_000_000, time.UTC),
	},
	{
		file: "message.revoked.json",
		name: events.MessageRevoked,
		data: events.Revoked{
			From: "5491112345678", Chat: "5491112345678", MessageID: "3EB0C7A1F4D2E98B5A61", Timestamp: 1773596955,
		},
		at: time.Date(2026, 3, 15, 17, 49, 15, 402_000_000, time.UTC),
	},
	{
		file: "poll.vote.json",
		name: events.PollVote,
		data: events.Vote{
			From: "5491187654321", Chat: "120363025246125486@g.us", MessageID: "3EB0E2D4C6A8B0F1E3D5",
			ID: ptr("6fa459ea-ee8a-4ca4-894e-db77e160355e"), SelectedOptions: []string{"Tuesday"}, Timestamp: 1773597060,
		},
		at: time.Date(2026, 3, 15, 17, 51, 0, 877_000_000, time.UTC),
	},
	{
		file: "group.participants.json",
		name: events.GroupParticipants,
		data: events.Membership{
			Group: "120363025246125486@g.us", Action: "add", Participants: []string{"5491187654321"}, By: ptr("5491112345678"),
		},
		at: time.Date(2026, 3, 15, 17, 52, 10, 214_000_000, time.UTC),
	},
	{
		// WhatsApp did not say who removed them: by is null, not the instance.
		file: "group.participants.by-unknown.json",
		name: events.GroupParticipants,
		data: &events.Membership{
			Group: "5491112345678-1612345678@g.us", Action: "remove", Participants: []string{"5491187654321", "5491155554444"},
		},
		at: time.Date(2026, 3, 15, 17, 53, 2, 650_000_000, time.UTC),
	},
	{
		file: "group.updated.json",
		name: events.GroupUpdated,
		data: events.GroupInfo{
			Group: "120363025246125486@g.us", Subject: "Acme support – evening shift",
			Description: "Only admins write here. Hours: 14–22 h.", Announce: true, Locked: true,
		},
		at: time.Date(2026, 3, 15, 17, 54, 30, 81_000_000, time.UTC),
	},
	{
		// The description was cleared: "" is no description.
		file: "group.updated.no-description.json",
		name: events.GroupUpdated,
		data: events.GroupInfo{Group: "120363025246125486@g.us", Subject: "Acme support"},
		at:   time.Date(2026, 3, 15, 17, 55, 45, 937_000_000, time.UTC),
	},
	{
		file: "call.received.json",
		name: events.CallReceived,
		data: events.Call{From: "5491112345678", CallID: "8C4F2A9E1B7D3C5A6F0E2D4B8A1C3E57"},
		at:   time.Date(2026, 3, 15, 17, 56, 20, 503_000_000, time.UTC),
	},
	{
		file: "call.received.rejected.json",
		name: events.CallReceived,
		data: &events.Call{From: "5491187654321", CallID: "D1E3F5A7B9C2D4E6F8A0B2C4D6E8F0A1", Video: true, Rejected: true},
		at:   time.Date(2026, 3, 15, 17, 57, 3, 118_000_000, time.UTC),
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
		"message.delivered", "message.read", "message.reaction", "message.edited", "message.revoked", "poll.vote",
		"group.participants", "group.updated", "call.received",
	}, names)
	names[0] = "mutated"
	require.Equal(t, events.InstanceConnected, events.Names()[0], "Names returns a fresh slice")

	for _, tc := range []struct {
		name  events.Name
		valid bool
	}{
		{events.InstanceConnected, true},
		{events.MessageFailed, true},
		{events.PollVote, true},
		{events.GroupParticipants, true},
		{events.CallReceived, true},
		{"poll.voted", false},
		{"group.participant", false},
		{"call.rejected", false},
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
	{"unknown messageType", "'/data/messageType'", "message.received.json", func(_, d map[string]any) { d["messageType"] = "reactionMessage" }},
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

	// message.received's newer fields: always present, null or [] when
	// they do not apply, set exactly for their messageType.
	{"missing chat", "missing property 'chat'", "message.received.json", func(_, d map[string]any) { delete(d, "chat") }},
	{"missing mentions", "missing property 'mentions'", "message.received.json", func(_, d map[string]any) { delete(d, "mentions") }},
	{"null mentions", "'/data/mentions'", "message.received.json", func(_, d map[string]any) { d["mentions"] = nil }},
	{"null contacts", "'/data/contacts'", "message.received.json", func(_, d map[string]any) { d["contacts"] = nil }},
	{"missing poll", "missing property 'poll'", "message.received.json", func(_, d map[string]any) { delete(d, "poll") }},
	{"mention with plus", "'/data/mentions/0'", "message.received.group.json", func(_, d map[string]any) { d["mentions"] = []any{"+5491187654321"} }},
	{"direct chat with a group id", "'/data/chat'", "message.received.json", func(_, d map[string]any) { d["chat"] = "120363025246125486@g.us" }},
	{"group with a number as chat", "'/data/chat'", "message.received.group.json", func(_, d map[string]any) { d["chat"] = "5491112345678" }},
	{"group without participant", "'/data/participant'", "message.received.group.json", func(_, d map[string]any) { d["participant"] = nil }},
	{"participant in a direct chat", "'/data/participant'", "message.received.json", func(_, d map[string]any) { d["participant"] = "5491112345678" }},
	{"isGroup as string", "'/data/isGroup'", "message.received.json", func(_, d map[string]any) { d["isGroup"] = "false" }},
	{"quoted without from key", "missing property 'from'", "message.received.group.json", func(_, d map[string]any) { delete(d["quoted"].(map[string]any), "from") }},
	{"quoted with extra field", "'participant' not allowed", "message.received.group.json", func(_, d map[string]any) { d["quoted"].(map[string]any)["participant"] = "x" }},
	{"quoted empty messageId", "'/data/quoted", "message.received.group.json", func(_, d map[string]any) { d["quoted"].(map[string]any)["messageId"] = "" }},
	{"media without media", "'/data/media'", "message.received.media.json", func(_, d map[string]any) { d["media"] = nil }},
	{"media on conversation", "'/data/media'", "message.received.json", func(_, d map[string]any) {
		d["media"] = map[string]any{"url": nil, "mimetype": "x/y", "fileName": nil, "size": nil, "sha256": nil, "error": "e"}
	}},
	{"media extra field", "'width' not allowed", "message.received.media.json", func(_, d map[string]any) { d["media"].(map[string]any)["width"] = 100 }},
	{"media upper-case sha256", "'/data/media/sha256'", "message.received.media.json", func(_, d map[string]any) {
		d["media"].(map[string]any)["sha256"] = "6105D6CC76AF400325E94D588CE511BE5BFDBB73B437DC51ECA43917D7A43E3D"
	}},
	{"media null url without error", "'/data/media/url'", "message.received.media.json", func(_, d map[string]any) { d["media"].(map[string]any)["url"] = nil }},
	{"media relative url", "'/data/media/url'", "message.received.media.json", func(_, d map[string]any) { d["media"].(map[string]any)["url"] = "/media/x.jpg" }},
	{"media fractional size", "'/data/media/size'", "message.received.media.json", func(_, d map[string]any) { d["media"].(map[string]any)["size"] = 1.5 }},
	{"media error with a url", "'/data/media/url'", "message.received.media-failed.json", func(_, d map[string]any) { d["media"].(map[string]any)["url"] = "https://x.example/f" }},
	{"media error with a size", "'/data/media/size'", "message.received.media-failed.json", func(_, d map[string]any) { d["media"].(map[string]any)["size"] = 10 }},
	{"media empty error", "'/data/media/error'", "message.received.media-failed.json", func(_, d map[string]any) { d["media"].(map[string]any)["error"] = "" }},
	{"media without mimetype", "missing property 'mimetype'", "message.received.media.json", func(_, d map[string]any) { delete(d["media"].(map[string]any), "mimetype") }},
	{"caption on a sticker", "'/data/caption'", "message.received.sticker.json", func(_, d map[string]any) { d["caption"] = "hi" }},
	{"sticker without caption key", "missing property 'caption'", "message.received.sticker.json", func(_, d map[string]any) { delete(d, "caption") }},
	{"caption on a location", "'/data/caption'", "message.received.location.json", func(_, d map[string]any) { d["caption"] = nil }},
	{"text on a location", "'/data/text'", "message.received.location.json", func(_, d map[string]any) { d["text"] = "Obelisco" }},
	{"location without location", "'/data/location'", "message.received.location.json", func(_, d map[string]any) { d["location"] = nil }},
	{"location on conversation", "'/data/location'", "message.received.json", func(_, d map[string]any) {
		d["location"] = map[string]any{"latitude": 0, "longitude": 0, "name": nil, "address": nil}
	}},
	{"latitude out of range", "'/data/location/latitude'", "message.received.location.json", func(_, d map[string]any) { d["location"].(map[string]any)["latitude"] = 91 }},
	{"location without name key", "missing property 'name'", "message.received.location.json", func(_, d map[string]any) { delete(d["location"].(map[string]any), "name") }},
	{"contactMessage without contacts", "'/data/contacts'", "message.received.contact.json", func(_, d map[string]any) { d["contacts"] = []any{} }},
	{"contacts on conversation", "'/data/contacts'", "message.received.json", func(_, d map[string]any) {
		d["contacts"] = []any{map[string]any{"fullName": "A", "phoneNumbers": []any{}}}
	}},
	{"contact extra field", "'email' not allowed", "message.received.contact.json", func(_, d map[string]any) { d["contacts"].([]any)[0].(map[string]any)["email"] = "a@b.c" }},
	{"contact null phoneNumbers", "'/data/contacts/0/phoneNumbers'", "message.received.contact.json", func(_, d map[string]any) { d["contacts"].([]any)[0].(map[string]any)["phoneNumbers"] = nil }},
	{"poll without poll", "'/data/poll'", "message.received.poll.json", func(_, d map[string]any) { d["poll"] = nil }},
	{"poll on conversation", "'/data/poll'", "message.received.json", func(_, d map[string]any) {
		d["poll"] = map[string]any{"question": "Q", "options": []any{}, "selectableCount": 0}
	}},
	{"poll negative selectableCount", "'/data/poll/selectableCount'", "message.received.poll.json", func(_, d map[string]any) { d["poll"].(map[string]any)["selectableCount"] = -1 }},

	// The events that follow a message.
	{"delivered id not a uuid", "'/data/id'", "message.delivered.json", func(_, d map[string]any) { d["id"] = "3EB0F1A2B3C4D5E6F708" }},
	{"delivered to with plus", "'/data/to'", "message.delivered.json", func(_, d map[string]any) { d["to"] = "+5491112345678" }},
	{"deliveredAt without millis", "'/data/deliveredAt'", "message.delivered.json", func(_, d map[string]any) { d["deliveredAt"] = "2026-03-15T10:30:06Z" }},
	{"deliveredAt as unix", "'/data/deliveredAt'", "message.delivered.json", func(_, d map[string]any) { d["deliveredAt"] = 1773570606 }},
	{"delivered extra field", "'readAt' not allowed", "message.delivered.json", func(_, d map[string]any) { d["readAt"] = "2026-03-15T10:30:06.502Z" }},
	{"read without readAt", "missing property 'readAt'", "message.read.json", func(_, d map[string]any) { delete(d, "readAt") }},
	{"read with deliveredAt instead", "'deliveredAt' not allowed", "message.read.json", func(_, d map[string]any) { d["deliveredAt"] = d["readAt"]; delete(d, "readAt") }},
	{"reaction id missing", "missing property 'id'", "message.reaction.removed.json", func(_, d map[string]any) { delete(d, "id") }},
	{"reaction id not a uuid", "'/data/id'", "message.reaction.json", func(_, d map[string]any) { d["id"] = "3EB0F1A2B3C4D5E6F708" }},
	{"reaction emoji null", "'/data/emoji'", "message.reaction.removed.json", func(_, d map[string]any) { d["emoji"] = nil }},
	{"reaction from a group", "'/data/from'", "message.reaction.json", func(_, d map[string]any) { d["from"] = "120363025246125486@g.us" }},
	{"reaction empty messageId", "'/data/messageId'", "message.reaction.json", func(_, d map[string]any) { d["messageId"] = "" }},
	{"reaction timestamp as time", "'/data/timestamp'", "message.reaction.json", func(_, d map[string]any) { d["timestamp"] = "2026-03-15T10:36:40.000Z" }},
	{"edited text null", "'/data/text'", "message.edited.json", func(_, d map[string]any) { d["text"] = nil }},
	{"edited bad chat", "'/data/chat'", "message.edited.json", func(_, d map[string]any) { d["chat"] = "5491112345678@s.whatsapp.net" }},
	{"revoked extra field", "'text' not allowed", "message.revoked.json", func(_, d map[string]any) { d["text"] = "x" }},
	{"revoked without chat", "missing property 'chat'", "message.revoked.json", func(_, d map[string]any) { delete(d, "chat") }},
	{"vote id not a uuid", "'/data/id'", "poll.vote.json", func(_, d map[string]any) { d["id"] = "3EB0E2D4C6A8B0F1E3D5" }},
	{"vote options null", "'/data/selectedOptions'", "poll.vote.json", func(_, d map[string]any) { d["selectedOptions"] = nil }},
	{"vote option not a string", "'/data/selectedOptions/0'", "poll.vote.json", func(_, d map[string]any) { d["selectedOptions"] = []any{1} }},
	{"vote data of a reaction", "missing property 'emoji'", "poll.vote.json", func(b, _ map[string]any) { b["event"] = "message.reaction" }},

	// Groups and calls.
	{"participants empty", "'/data/participants'", "group.participants.json", func(_, d map[string]any) { d["participants"] = []any{} }},
	{"participants null", "'/data/participants'", "group.participants.json", func(_, d map[string]any) { d["participants"] = nil }},
	{"participant with plus", "'/data/participants/0'", "group.participants.json", func(_, d map[string]any) { d["participants"] = []any{"+5491187654321"} }},
	{"participant as a JID", "'/data/participants/1'", "group.participants.by-unknown.json", func(_, d map[string]any) {
		d["participants"].([]any)[1] = "5491155554444@s.whatsapp.net"
	}},
	{"unknown action", "'/data/action'", "group.participants.json", func(_, d map[string]any) { d["action"] = "join" }},
	{"action in another case", "'/data/action'", "group.participants.json", func(_, d map[string]any) { d["action"] = "Add" }},
	{"by missing", "missing property 'by'", "group.participants.by-unknown.json", func(_, d map[string]any) { delete(d, "by") }},
	{"by empty", "'/data/by'", "group.participants.json", func(_, d map[string]any) { d["by"] = "" }},
	{"by a group", "'/data/by'", "group.participants.json", func(_, d map[string]any) { d["by"] = "120363025246125486@g.us" }},
	{"participants in a direct chat", "'/data/group'", "group.participants.json", func(_, d map[string]any) { d["group"] = "5491112345678" }},
	{"updated without group", "missing property 'group'", "group.updated.json", func(_, d map[string]any) { delete(d, "group") }},
	{"updated description null", "'/data/description'", "group.updated.no-description.json", func(_, d map[string]any) { d["description"] = nil }},
	{"updated description missing", "missing property 'description'", "group.updated.no-description.json", func(_, d map[string]any) { delete(d, "description") }},
	{"updated announce as string", "'/data/announce'", "group.updated.json", func(_, d map[string]any) { d["announce"] = "true" }},
	{"updated locked null", "'/data/locked'", "group.updated.json", func(_, d map[string]any) { d["locked"] = nil }},
	{"updated subject null", "'/data/subject'", "group.updated.json", func(_, d map[string]any) { d["subject"] = nil }},
	{"updated with a change list", "'changed' not allowed", "group.updated.json", func(_, d map[string]any) { d["changed"] = []any{"subject"} }},
	{"call from a group", "'/data/from'", "call.received.json", func(_, d map[string]any) { d["from"] = "120363025246125486@g.us" }},
	{"call empty callId", "'/data/callId'", "call.received.json", func(_, d map[string]any) { d["callId"] = "" }},
	{"call callId in another case", "'callID' not allowed", "call.received.json", func(_, d map[string]any) { d["callID"] = d["callId"]; delete(d, "callId") }},
	{"call video null", "'/data/video'", "call.received.json", func(_, d map[string]any) { d["video"] = nil }},
	{"call without rejected", "missing property 'rejected'", "call.received.rejected.json", func(_, d map[string]any) { delete(d, "rejected") }},
	{"call data of a vote", "missing properties 'chat', 'messageId'", "call.received.json", func(b, _ map[string]any) { b["event"] = "poll.vote" }},
	{"updated data of participants", "missing properties 'action', 'participants', 'by'", "group.updated.json", func(b, _ map[string]any) { b["event"] = "group.participants" }},
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
		Text: &text, MessageID: "AC3EADB76DB5BE4130602FBF2039604A", Timestamp: 1773596760, Chat: "5491112345678",
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
		r.From, r.PushName, r.MessageID, r.Timestamp, r.Chat = "5491112345678", "Juan", "AC3E", 1773596760, "5491112345678"
		return r
	}
	sent := events.Sent{ID: "3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10", To: "5491112345678", Lane: "normal", Type: "text", SentAt: events.FormatTime(at)}
	delivered := events.Delivered{ID: sent.ID, To: sent.To, DeliveredAt: sent.SentAt}
	okMedia := &events.Media{
		URL: ptr("https://media.example.com/x.webp"), Mimetype: "image/webp", Size: i64(1),
		SHA256: ptr("57c4b13a4c7335e72f1669e0506e99208df1da050c125da678b23ebb55bf4c61"),
	}
	// inGroup is a text written in a group, with what sets it apart.
	inGroup := func(isGroup bool, participant *string) events.Received {
		r := conv(events.Received{MessageType: "conversation", Text: ptr("hi"), IsGroup: isGroup, Participant: participant})
		r.Chat = "120363025246125486@g.us"
		return r
	}
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

		// A payload of the wrong event, among the newer ones: the types
		// differ even where the fields look alike.
		{"delivered as read", "events.Delivered is not the data of message.read", events.MessageRead, "acme__soporte__main", delivered, at},
		{"read as delivered", "events.Read is not the data of message.delivered", events.MessageDelivered, "acme__soporte__main", &events.Read{ID: sent.ID, To: sent.To, ReadAt: sent.SentAt}, at},
		{"sent as delivered", "is not the data", events.MessageDelivered, "acme__soporte__main", sent, at},
		{"revoked as edited", "events.Revoked is not the data of message.edited", events.MessageEdited, "acme__soporte__main", events.Revoked{From: sent.To, Chat: sent.To, MessageID: "X", Timestamp: 1}, at},
		{"edited as revoked", "is not the data", events.MessageRevoked, "acme__soporte__main", events.Edited{From: sent.To, Chat: sent.To, MessageID: "X", Timestamp: 1}, at},
		{"vote as reaction", "events.Vote is not the data of message.reaction", events.MessageReaction, "acme__soporte__main", events.Vote{From: sent.To, Chat: sent.To, MessageID: "X", Timestamp: 1}, at},
		{"reaction as vote", "is not the data", events.PollVote, "acme__soporte__main", events.Reaction{From: sent.To, Chat: sent.To, MessageID: "X", Timestamp: 1}, at},
		{"received as reaction", "is not the data", events.MessageReaction, "acme__soporte__main", conv(events.Received{MessageType: "conversation", Text: ptr("hi")}), at},
		{"poll as vote", "is not the data", events.PollVote, "acme__soporte__main", events.Poll{Question: "Q"}, at},
		{"nil vote pointer", "nil pointer", events.PollVote, "acme__soporte__main", (*events.Vote)(nil), at},
		{"nil delivered pointer", "nil pointer", events.MessageDelivered, "acme__soporte__main", (*events.Delivered)(nil), at},
		{"deliveredAt unformatted", "'/data/deliveredAt'", events.MessageDelivered, "acme__soporte__main", events.Delivered{ID: sent.ID, To: sent.To, DeliveredAt: at.String()}, at},
		{"reaction with our WhatsApp id as id", "'/data/id'", events.MessageReaction, "acme__soporte__main", events.Reaction{From: sent.To, Chat: sent.To, MessageID: "X", ID: ptr("X"), Timestamp: 1}, at},
		{"vote without messageId", "'/data/messageId'", events.PollVote, "acme__soporte__main", events.Vote{From: sent.To, Chat: sent.To, Timestamp: 1}, at},
		{"edited without chat", "'/data/chat'", events.MessageEdited, "acme__soporte__main", events.Edited{From: sent.To, MessageID: "X", Text: "t", Timestamp: 1}, at},

		// Groups and calls, as a producer would get them wrong.
		{"group info as membership", "events.GroupInfo is not the data of group.participants", events.GroupParticipants, "acme__soporte__main", events.GroupInfo{Group: "120363025246125486@g.us"}, at},
		{"membership as group info", "events.Membership is not the data of group.updated", events.GroupUpdated, "acme__soporte__main", events.Membership{Group: "120363025246125486@g.us"}, at},
		{"call as received", "events.Call is not the data of message.received", events.MessageReceived, "acme__soporte__main", events.Call{From: sent.To, CallID: "C"}, at},
		{"nil membership pointer", "nil pointer", events.GroupParticipants, "acme__soporte__main", (*events.Membership)(nil), at},
		{"nil call pointer", "nil pointer", events.CallReceived, "acme__soporte__main", (*events.Call)(nil), at},
		{"membership without participants", "'/data/participants'", events.GroupParticipants, "acme__soporte__main", events.Membership{Group: "120363025246125486@g.us", Action: "add"}, at},
		{"membership without action", "'/data/action'", events.GroupParticipants, "acme__soporte__main", events.Membership{Group: "120363025246125486@g.us", Participants: []string{sent.To}}, at},
		{"membership by nobody", "'/data/by'", events.GroupParticipants, "acme__soporte__main", events.Membership{Group: "120363025246125486@g.us", Action: "add", Participants: []string{sent.To}, By: ptr("")}, at},
		{"group info without group", "'/data/group'", events.GroupUpdated, "acme__soporte__main", events.GroupInfo{Subject: "S"}, at},
		{"call without callId", "'/data/callId'", events.CallReceived, "acme__soporte__main", events.Call{From: sent.To}, at},
		{"call from nobody", "'/data/from'", events.CallReceived, "acme__soporte__main", events.Call{CallID: "C"}, at},

		// message.received's newer fields, as a producer would get them wrong.
		{"group without chat", "'/data/chat'", events.MessageReceived, "acme__soporte__main", events.Received{From: sent.To, MessageType: "conversation", Text: ptr("hi"), MessageID: "X", IsGroup: true, Participant: &sent.To}, at},
		{"sticker with caption", "'/data/caption'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "stickerMessage", Caption: ptr("c"), Media: okMedia}), at},
		{"image without media", "'/data/media'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "imageMessage"}), at},
		{"media on conversation", "'/data/media'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "conversation", Text: ptr("hi"), Media: okMedia}), at},
		{"failed media keeping its url", "'/data/media/url'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "imageMessage", Media: &events.Media{URL: okMedia.URL, Mimetype: "image/jpeg", Error: "x"}}), at},
		{"media neither stored nor failed", "'/data/media/url'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "imageMessage", Media: &events.Media{Mimetype: "image/jpeg"}}), at},
		{"location without location", "'/data/location'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "locationMessage"}), at},
		{"contact without contacts", "'/data/contacts'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "contactMessage"}), at},
		{"poll without poll", "'/data/poll'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "pollCreationMessage"}), at},
		{"caption on a poll", "'/data/caption'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "pollCreationMessage", Caption: ptr("c"), Poll: &events.Poll{Question: "Q"}}), at},
		{"group without IsGroup", "'/data/chat'", events.MessageReceived, "acme__soporte__main", inGroup(false, ptr("5491112345678")), at},
		{"group without participant", "'/data/participant'", events.MessageReceived, "acme__soporte__main", inGroup(true, nil), at},
		{"mention as a JID", "'/data/mentions/0'", events.MessageReceived, "acme__soporte__main", conv(events.Received{MessageType: "conversation", Text: ptr("hi"), Mentions: []string{"5491187654321@s.whatsapp.net"}}), at},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.New(tc.event, tc.instance, tc.data, tc.at)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// TestReceivedJSON pins Received's wire form: the caption key by
// messageType, and null or [] (never a missing key, never a null list) for
// every field that does not apply.
func TestReceivedJSON(t *testing.T) {
	// rest is what a Received with none of the newer fields set ends in.
	const rest = `"chat":"","isGroup":false,"participant":null,"quoted":null,"mentions":[],"media":null,"location":null,"contacts":[],"poll":null}`
	for _, tc := range []struct {
		name string
		in   events.Received
		want string
	}{
		{"conversation has no caption key", events.Received{MessageType: "conversation", Text: ptr("hi")},
			`{"from":"","pushName":"","messageType":"conversation","text":"hi","messageId":"","timestamp":0,` + rest},
		{"media has a null caption", events.Received{MessageType: "documentMessage"},
			`{"from":"","pushName":"","messageType":"documentMessage","text":null,"caption":null,"messageId":"","timestamp":0,` + rest},
		{"a sticker has a null caption", events.Received{MessageType: "stickerMessage"},
			`{"from":"","pushName":"","messageType":"stickerMessage","text":null,"caption":null,"messageId":"","timestamp":0,` + rest},
		{"media caption, unescaped", events.Received{MessageType: "videoMessage", Caption: ptr("a<b & c")},
			`{"from":"","pushName":"","messageType":"videoMessage","text":null,"caption":"a<b & c","messageId":"","timestamp":0,` + rest},
		{"a caption is never dropped", events.Received{MessageType: "conversation", Text: ptr("hi"), Caption: ptr("c")},
			`{"from":"","pushName":"","messageType":"conversation","text":"hi","caption":"c","messageId":"","timestamp":0,` + rest},
		{"a location has no caption key", events.Received{MessageType: "locationMessage"},
			`{"from":"","pushName":"","messageType":"locationMessage","text":null,"messageId":"","timestamp":0,` + rest},
		{"contact and poll have no caption key either", events.Received{MessageType: "pollCreationMessage"},
			`{"from":"","pushName":"","messageType":"pollCreationMessage","text":null,"messageId":"","timestamp":0,` + rest},
		{"empty slices stay []", events.Received{MessageType: "contactMessage", Mentions: []string{}, Contacts: []events.Contact{}},
			`{"from":"","pushName":"","messageType":"contactMessage","text":null,"messageId":"","timestamp":0,` + rest},
		{"nested nil slices are [] and error is left out", events.Received{
			MessageType: "imageMessage",
			Media:       &events.Media{Mimetype: "image/png"},
			Contacts:    []events.Contact{{FullName: "A"}},
			Poll:        &events.Poll{Question: "Q"},
			Quoted:      &events.Quoted{MessageID: "X"},
		}, `{"from":"","pushName":"","messageType":"imageMessage","text":null,"caption":null,"messageId":"","timestamp":0,` +
			`"chat":"","isGroup":false,"participant":null,"quoted":{"messageId":"X","from":null},"mentions":[],` +
			`"media":{"url":null,"mimetype":"image/png","fileName":null,"size":null,"sha256":null},"location":null,` +
			`"contacts":[{"fullName":"A","phoneNumbers":[]}],"poll":{"question":"Q","options":[],"selectableCount":0}}`},
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

// TestNilListsMarshalAsEmpty: the payloads' lists are [] in the contract,
// never null, so a producer leaving one nil must still send [] (and New
// accept it where the list may be empty; group.participants' may not, see
// TestNewRejects).
func TestNilListsMarshalAsEmpty(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{events.Vote{}, `{"from":"","chat":"","messageId":"","id":null,"selectedOptions":[],"timestamp":0}`},
		{&events.Vote{}, `{"from":"","chat":"","messageId":"","id":null,"selectedOptions":[],"timestamp":0}`},
		{events.Contact{}, `{"fullName":"","phoneNumbers":[]}`},
		{events.Poll{}, `{"question":"","options":[],"selectableCount":0}`},
		{events.Membership{}, `{"group":"","action":"","participants":[],"by":null}`},
		{&events.Membership{}, `{"group":"","action":"","participants":[],"by":null}`},
	} {
		b, err := json.Marshal(tc.in)
		require.NoError(t, err)
		require.Equal(t, tc.want, string(b))
	}

	at := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)
	e, err := events.New(events.MessageReceived, "acme__soporte__main", events.Received{
		From: "5491112345678", MessageType: "conversation", Text: ptr("hi"), MessageID: "X",
	}, at)
	require.NoError(t, err)
	require.Contains(t, string(e.Data), `"chat":"5491112345678",`, "a direct chat's chat is its sender")
	require.Contains(t, string(e.Data), `"mentions":[],`)
	require.Contains(t, string(e.Data), `"contacts":[],`)
	e, err = events.New(events.PollVote, "acme__soporte__main", events.Vote{
		From: "5491112345678", Chat: "5491112345678", MessageID: "X", Timestamp: 1,
	}, at)
	require.NoError(t, err, "a withdrawn vote")
	require.Contains(t, string(e.Data), `"selectedOptions":[]`)
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

// TestParseDetailStrictForEveryEvent: whatever the event, the deliverer
// refuses a detail whose data carries a field the contract does not name,
// at the top of data or nested, or names one in another case.
func TestParseDetailStrictForEveryEvent(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.file, func(t *testing.T) {
			detail := string(withTenant(golden(t, tc.file), "acme"))
			_, err := events.ParseDetail([]byte(detail))
			require.NoError(t, err)

			extra := strings.Replace(detail, `"data":{`, `"data":{"extra":1,`, 1)
			_, err = events.ParseDetail([]byte(extra))
			require.ErrorContains(t, err, "'extra' not allowed")

			// The first key of data, upper-cased: encoding/json would
			// match it case-insensitively, the schema must not.
			i := strings.Index(detail, `"data":{"`) + len(`"data":{"`)
			upper := detail[:i] + strings.ToUpper(detail[i:i+1]) + detail[i+1:]
			_, err = events.ParseDetail([]byte(upper))
			require.Error(t, err, upper)

			for _, nested := range []string{`"media":{`, `"quoted":{`, `"location":{`, `"poll":{`, `"contacts":[{`} {
				if !strings.Contains(detail, nested) {
					continue
				}
				_, err = events.ParseDetail([]byte(strings.Replace(detail, nested, nested+`"extra":1,`, 1)))
				require.ErrorContains(t, err, "'extra' not allowed", nested)
			}
		})
	}
}

// TestSchemasClosedAtEveryLevel: every object a schema describes, however
// deep (in $defs, allOf branches, array items), lists its properties and
// refuses others, as the README promises; a schema reopened by mistake
// fails here even where no golden reaches it.
func TestSchemasClosedAtEveryLevel(t *testing.T) {
	var objects int
	var walk func(n events.Name, path string, v any)
	walk = func(n events.Name, path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "object" {
				objects++
				require.Equal(t, false, v["additionalProperties"], "%s %s is not closed", n, path)
			}
			for k, child := range v {
				walk(n, path+"/"+k, child)
			}
		case []any:
			for i, child := range v {
				walk(n, path+"/"+strconv.Itoa(i), child)
			}
		}
	}
	for _, n := range events.Names() {
		var doc any
		require.NoError(t, json.Unmarshal(events.Schema(n), &doc))
		walk(n, "", doc)
	}
	require.GreaterOrEqual(t, objects, 2*len(events.Names())+5, "the walk reached the nested objects")
}
