package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
)

type sample struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// strictBody has the shapes the real bodies use (an embedded struct, as
// sendCommon is) and the ones a future body may: nested objects, arrays,
// pointers, free-form values.
type (
	strictCommon struct {
		To   string `json:"to"`
		Lane string `json:"lane"`
	}
	strictInner struct {
		N   int     `json:"n"`
		F   float32 `json:"f"`
		Any any     `json:"any"`
	}
	strictBody struct {
		strictCommon
		Text   string            `json:"text"`
		Tags   []string          `json:"tags"`
		Meta   *strictInner      `json:"meta"`
		Labels map[string]string `json:"labels"`
		OK     *bool             `json:"ok,omitempty"`
		Hidden string            `json:"-"`
		hidden string
	}
)

func request(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, maxBody)
	return r
}

func TestDecode(t *testing.T) {
	cases := []struct {
		body string
		path []any // nil: no error expected
		ok   bool
	}{
		{`{"name":"a","count":1}`, nil, true},
		{`  {"name":"a"}  `, nil, true},
		{`{"nme":"a"}`, []any{"nme"}, false},
		{`{"count":"x"}`, []any{"count"}, false},
		{`{"name":1}`, []any{"name"}, false},
		{`{"name":"a"} {"name":"b"}`, []any{}, false},
		{`{"name":"a"`, []any{}, false},
		{`[1]`, []any{}, false},
		{``, []any{}, false},
		{`null`, []any{}, false},
		{`{"name":"a",}`, []any{}, false},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			var dst sample
			err := decode(request(c.body), &dst)
			if c.ok {
				require.NoError(t, err)
				return
			}
			var v *fault.ValidationError
			require.True(t, errors.As(err, &v), "%v", err)
			require.Equal(t, c.path, v.Issues[0].Path)
		})
	}
	var dst sample
	err := decode(request(`{"name":"`+strings.Repeat("a", maxBody)+`"}`), &dst)
	require.ErrorIs(t, err, fault.ErrTooLarge)
}

// TestDecodeStrict: names are matched exactly, each problem is one issue
// at the API's own JSON path, and all of them are reported at once.
func TestDecodeStrict(t *testing.T) {
	const allowed = "Unknown field; allowed: to, lane, text, tags, meta, labels, ok"
	type want struct {
		path []any
		msg  string // prefix of the issue's message
	}
	cases := []struct {
		name string
		body string
		want []want // nil: decodes
	}{
		{"valid", `{"to":"1","lane":"x","text":"é😀\u00e9\ud83d\ude00","tags":["a"],"meta":{"n":-3,"f":1.5,"any":[1,{"k":"v"}]},"labels":{"a":"b"},"ok":true}`, nil},
		{"nulls are absent values", `{"to":null,"tags":null,"meta":null,"ok":null}`, nil},
		{"empty object", `{}`, nil},
		{"embedded field type", `{"to":1}`, []want{{[]any{"to"}, "Must be of type string"}}},
		{"every type error at once", `{"to":5491112345678,"lane":true,"text":[],"tags":"a","meta":[],"labels":1,"ok":"yes"}`, []want{
			{[]any{"to"}, "Must be of type string"}, {[]any{"lane"}, "Must be of type string"},
			{[]any{"text"}, "Must be of type string"}, {[]any{"tags"}, "Must be of type array"},
			{[]any{"meta"}, "Must be of type object"}, {[]any{"labels"}, "Must be of type object"},
			{[]any{"ok"}, "Must be of type boolean"}}},
		{"nested paths", `{"meta":{"n":"x","m":1},"tags":["a",2],"labels":{"k":3}}`, []want{
			{[]any{"meta", "n"}, "Must be of type integer"}, {[]any{"meta", "m"}, "Unknown field; allowed: n, f, any"},
			{[]any{"tags", 1}, "Must be of type string"}, {[]any{"labels", "k"}, "Must be of type string"}}},
		{"not an integer", `{"meta":{"n":1.5}}`, []want{{[]any{"meta", "n"}, "Must be of type integer"}}},
		{"integer out of range", `{"meta":{"n":1e30}}`, []want{{[]any{"meta", "n"}, "Must be of type integer"}}},
		{"float out of range", `{"meta":{"f":1e300}}`, []want{{[]any{"meta", "f"}, "Number out of range"}}},
		{"case differs", `{"Text":"x"}`, []want{{[]any{"Text"}, `Unknown field (names are case-sensitive: did you mean "text"?); allowed: to,`}}},
		{"unknown field lists the allowed ones", `{"txt":"x"}`, []want{{[]any{"txt"}, allowed}}},
		{"ignored Go field is unknown", `{"Hidden":"x","hidden":"y"}`, []want{{[]any{"Hidden"}, "Unknown field"}, {[]any{"hidden"}, "Unknown field"}}},
		{"nulls in a skipped value", `{"x":[null,{"a":null}],"text":[null],"to":1}`, []want{
			{[]any{"x"}, "Unknown field"}, {[]any{"text"}, "Must be of type string"}, {[]any{"to"}, "Must be of type string"}}},
		{"duplicated key", `{"text":"a","text":"b"}`, []want{{[]any{"text"}, "Duplicated field"}}},
		{"duplicated nested key", `{"meta":{"n":1,"n":2}}`, []want{{[]any{"meta", "n"}, "Duplicated field"}}},
		{"duplicated free-form key", `{"meta":{"any":{"a":1,"a":1}}}`, []want{{[]any{"meta", "any", "a"}, "Duplicated field"}}},
		{"escaped NUL", `{"text":"a\u0000b"}`, []want{{[]any{"text"}, "Must not contain NUL"}}},
		{"raw NUL", "{\"text\":\"a\x00b\"}", []want{{[]any{"text"}, "Must not contain NUL"}}},
		{"NUL deep in a free-form value", `{"meta":{"any":[{"k":"\u0000"}]}}`, []want{{[]any{"meta", "any", 0, "k"}, "Must not contain NUL"}}},
		{"NUL in a map key", `{"labels":{"a\u0000":"b"}}`, []want{{[]any{"labels", "a\x00"}, "Must not contain NUL"}}},
		{"invalid UTF-8", "{\"text\":\"a\xffb\"}", []want{{[]any{"text"}, "Must be valid UTF-8"}}},
		{"invalid UTF-8 in an array", "{\"tags\":[\"ok\",\"\xc3\"]}", []want{{[]any{"tags", 1}, "Must be valid UTF-8"}}},
		{"lone high surrogate", `{"text":"\ud800"}`, []want{{[]any{"text"}, "Must be valid UTF-8"}}},
		{"lone low surrogate", `{"text":"x\uDC00"}`, []want{{[]any{"text"}, "Must be valid UTF-8"}}},
		{"reversed surrogates", `{"text":"\ude00\ud83d"}`, []want{{[]any{"text"}, "Must be valid UTF-8"}}},
		{"mixed problems in document order", `{"to":1,"Lane":"x","to":"y","text":"\u0000"}`, []want{
			{[]any{"to"}, "Must be of type string"}, {[]any{"Lane"}, "Unknown field"},
			{[]any{"to"}, "Duplicated field"}, {[]any{"text"}, "Must not contain NUL"}}},
		{"malformed with position", "{\n  \"to\": \"a\",\n  \"text\": x\n}", []want{{[]any{}, "Malformed JSON at line 3, column 11: "}}},
		{"malformed after multibyte text", `{"text":"éé",}`, []want{{[]any{}, "Malformed JSON at line 1, column 14: "}}},
		{"malformed after a raw NUL", "{\"text\":\"\x00\",}", []want{{[]any{}, "Malformed JSON at line 1, column 13: "}}},
		{"raw NUL outside a string", "{\"to\":\"a\",\x00}", []want{{[]any{}, "Malformed JSON at line 1, column 11: NUL character outside a string"}}},
		{"truncated", "{\"to\":\n\"a", []want{{[]any{}, "Malformed JSON at line 2, column 3: "}}},
		{"trailing data", "{\"to\":\"a\"}\n x", []want{{[]any{}, "Unexpected data after the JSON object at line 2, column 2"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var dst strictBody
			err := decode(request(c.body), &dst)
			if c.want == nil {
				require.NoError(t, err)
				return
			}
			var v *fault.ValidationError
			require.ErrorAs(t, err, &v)
			require.Len(t, v.Issues, len(c.want), "%+v", v.Issues)
			for i, w := range c.want {
				require.Equal(t, w.path, v.Issues[i].Path, "%+v", v.Issues)
				require.True(t, strings.HasPrefix(v.Issues[i].Message, w.msg), "issue %d: %q, want prefix %q", i, v.Issues[i].Message, w.msg)
			}
			require.NotContains(t, err.Error(), "strictCommon", "no Go names in messages")
		})
	}
}

func TestDecodeValues(t *testing.T) {
	var dst strictBody
	require.NoError(t, decode(request(`{"to":"5491112345678","text":"hi","meta":{"n":7,"any":{"a":[1]}},"labels":{"k":"v"}}`), &dst))
	require.Equal(t, "5491112345678", dst.To)
	require.Equal(t, "hi", dst.Text)
	require.Equal(t, 7, dst.Meta.N)
	require.Equal(t, map[string]any{"a": []any{1.0}}, dst.Meta.Any)
	require.Equal(t, map[string]string{"k": "v"}, dst.Labels)
}

// TestDecodeIssueCap: a body of a million unknown fields gets a bounded
// answer, not a million issues.
func TestDecodeIssueCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 5000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"f` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + `":1`)
	}
	b.WriteString("}")
	var dst sample
	var v *fault.ValidationError
	require.ErrorAs(t, decode(request(b.String()), &dst), &v)
	require.LessOrEqual(t, len(v.Issues), 101)
	require.Equal(t, "Too many problems; fix these and send the request again", v.Issues[len(v.Issues)-1].Message)
}

func TestDecodeContentType(t *testing.T) {
	cases := []struct {
		contentType string
		ok          bool
	}{
		{"", true},
		{"application/json", true},
		{"application/json; charset=utf-8", true},
		{"Application/JSON;charset=UTF-8", true},
		{"application/merge-patch+json", true},
		{"application/vnd.api+json; charset=utf-8", true},
		{"application/json; charset", true}, // a sloppy parameter is not worth a 415
		{"text/plain", false},
		{"text/plain; charset=utf-8", false},
		{"application/x-www-form-urlencoded", false},
		{"multipart/form-data; boundary=x", false},
		{"application/jsonx", false},
		{"text/json+json", false},
		{"json", false},
		{"garbage;;", false},
	}
	for _, c := range cases {
		t.Run(c.contentType, func(t *testing.T) {
			r := request(`{"name":"a"}`)
			r.Header.Set("Content-Type", c.contentType)
			var dst sample
			err := decode(r, &dst)
			if c.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, fault.ErrUnsupportedMediaType)
			require.Equal(t, http.StatusUnsupportedMediaType, statusOf(err))
			var fe *fault.Error
			require.ErrorAs(t, err, &fe)
			require.Contains(t, fe.Msg, "Content-Type: application/json")
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(`{"name":"a","count":1}`)
	f.Add(`{"count":1e400}`)
	f.Add(`{"name":"\ud800"}`)
	f.Add("{\"name\":\"\x00\"}")
	f.Add(`{"name":"a","name":"b"}`)
	f.Add(`{"to":"a","meta":{"any":[{"k":"\u0000"}]},"labels":{"a":"b","a":"c"}}`)
	f.Add("{\"text\":\"\xff\"}")
	f.Fuzz(func(t *testing.T, body string) {
		for _, dst := range []any{&sample{}, &strictBody{}} {
			err := decode(request(body), dst)
			if err == nil {
				// What passes is what encoding/json reads the same way.
				fresh := reflect.New(reflect.TypeOf(dst).Elem()).Interface()
				dec := json.NewDecoder(strings.NewReader(body))
				dec.DisallowUnknownFields()
				if e := dec.Decode(fresh); e != nil || !reflect.DeepEqual(fresh, dst) {
					t.Fatalf("%q: accepted as %+v; encoding/json: %v, %+v", body, dst, e, fresh)
				}
				continue
			}
			var v *fault.ValidationError
			if !errors.As(err, &v) && !errors.Is(err, fault.ErrTooLarge) {
				t.Fatalf("decode error is neither a validation error nor too large: %v", err)
			}
			if v == nil {
				continue
			}
			if len(v.Issues) == 0 {
				t.Fatalf("validation error without issues")
			}
			// Only problems with the body as a whole have no path.
			for _, is := range v.Issues {
				whole := false
				for _, p := range []string{"Malformed JSON", "Unexpected data", "Body must be", "Too many problems", "Could not read"} {
					whole = whole || strings.HasPrefix(is.Message, p)
				}
				if whole != (len(is.Path) == 0) {
					t.Fatalf("%q: issue %+v", body, is)
				}
			}
		}
	})
}

func TestStatusOf(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{fault.Invalid("x"), 400},
		{fault.New(fault.ErrUnauthorized, "x"), 401},
		{fault.New(fault.ErrForbidden, "x"), 403},
		{fault.New(fault.ErrNotFound, "x"), 404},
		{fault.New(fault.ErrConflict, "x"), 409},
		{errTooLarge, 413},
		{fault.New(fault.ErrUnsupportedMediaType, "x"), 415},
		{fault.RateLimited("x", time.Second), 429},
		{fault.New(fault.ErrSession, "x"), 502},
		{errors.New("disk on fire"), 500},
		{errors.Join(errors.New("wrapped"), fault.New(fault.ErrNotFound, "x")), 404},
	}
	for _, c := range cases {
		require.Equal(t, c.want, statusOf(c.err), "%v", c.err)
	}
}
