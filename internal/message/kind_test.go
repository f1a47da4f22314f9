package message

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
)

// completeRequests holds, for every kind, the request fields of one send
// with every field the kind takes set, as a client writes them.
var completeRequests = map[Type]string{
	Text:  `{"text":"value of text","mentions":["5491112345678"]}`,
	Image: `{"imageUrl":"value of imageUrl","caption":"value of caption","mentions":["5491112345678"],"viewOnce":true}`,
	Document: `{"documentUrl":"value of documentUrl","fileName":"value of fileName","caption":"value of caption",` +
		`"mentions":["5491112345678"]}`,
	Audio:    `{"audioUrl":"value of audioUrl"}`,
	Video:    `{"videoUrl":"value of videoUrl","caption":"value of caption","mentions":["5491112345678"],"viewOnce":true}`,
	Location: `{"latitude":-34.6037,"longitude":-58.3816,"name":"value of name","address":"value of address"}`,
	Contact: `{"contacts":[{"fullName":"value of fullName","phoneNumber":"5491112345678",` +
		`"organization":"value of organization","email":"value@of.email"}]}`,
	Sticker: `{"stickerUrl":"value of stickerUrl"}`,
	Poll: `{"question":"value of question","options":["value of option 0","value of option 1","value of option 2"],` +
		`"selectableCount":2}`,
	Reaction: `{"messageId":"value of messageId","emoji":"👍🏽"}`,
}

// TestKinds: each kind is defined once and whole: a type of its own, a
// constructor of its request fields, rules, and for a kind with media the
// request field that carries the URL.
func TestKinds(t *testing.T) {
	seen := map[Type]bool{}
	for _, k := range Kinds() {
		require.NotEmpty(t, k.Type)
		require.False(t, seen[k.Type], "type %q defined twice", k.Type)
		seen[k.Type] = true
		got, ok := KindOf(k.Type)
		require.True(t, ok)
		require.Equal(t, k.Type, got.Type)
		require.True(t, k.Type.Valid())
		require.NotNil(t, k.fields, "%s: no request fields", k.Type)
		require.NotNil(t, k.check, "%s: no rules", k.Type)

		// The sample sets every request field, each with a json name.
		req, ok := completeRequests[k.Type]
		require.True(t, ok, "%s: add a request with every field to completeRequests", k.Type)
		f := k.NewFields()
		dec := json.NewDecoder(strings.NewReader(req))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(f), "%s", k.Type)
		v := reflect.ValueOf(f).Elem()
		var members map[string]any
		require.NoError(t, json.Unmarshal([]byte(req), &members))
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			require.NotEmpty(t, name, "%s.%s has no json name", v.Type(), v.Type().Field(i).Name)
			require.Contains(t, members, name, "%s: the complete request sets %s", k.Type, name)
		}

		// Every value given reaches the stored content, which reads back
		// as it was written.
		stored, err := json.Marshal(f.Content())
		require.NoError(t, err)
		var back Content
		require.NoError(t, json.Unmarshal(stored, &back))
		require.Equal(t, f.Content(), back, "%s: stored content reads back", k.Type)
		var storedValue any
		require.NoError(t, json.Unmarshal(stored, &storedValue))
		have := leaves(storedValue)
		for _, value := range leaves(members) {
			require.Contains(t, have, value, "%s: %v is not stored", k.Type, value)
		}
		if m, ok := k.Media(); ok {
			require.Contains(t, members, m.Field, "%s: the media URL field is one of its request fields", k.Type)
			require.Equal(t, members[m.Field], f.Content().MediaURL, "%s: %s is the media URL", k.Type, m.Field)
			require.Positive(t, m.MaxBytes)
			require.NotEmpty(t, m.Noun)
		}
		var issues fault.Issues
		k.Validate(f.Content(), &issues)
		require.NoError(t, issues.Err(), "%s: all fields set is valid", k.Type)
	}
	require.Len(t, completeRequests, len(Kinds()), "every sample is of a kind")
	require.False(t, Type("carrier-pigeon").Valid())
	_, ok := KindOf("")
	require.False(t, ok)
}

// leaves lists the strings and numbers in a decoded JSON value.
func leaves(v any) []any {
	switch x := v.(type) {
	case map[string]any:
		var out []any
		for _, e := range x {
			out = append(out, leaves(e)...)
		}
		return out
	case []any:
		var out []any
		for _, e := range x {
			out = append(out, leaves(e)...)
		}
		return out
	case nil:
		return nil
	}
	return []any{v}
}

// TestValidate: each kind's rules, reported at the API's field names.
func TestValidate(t *testing.T) {
	long := strings.Repeat("a", MaxTextLen+1)
	tests := []struct {
		typ  Type
		c    Content
		want []string // "field: message"
	}{
		{Text, Content{}, []string{"text: Required"}},
		{Text, Content{Text: long}, []string{"text: Must be at most 65536 characters"}},
		{Text, Content{Text: "{a|b} {unclosed"}, nil},
		{Image, Content{}, nil},
		{Image, Content{Caption: long}, []string{"caption: Must be at most 65536 characters"}},
		{Document, Content{}, []string{"fileName: Required"}},
		{Document, Content{FileName: strings.Repeat("é", MaxFileNameLen+1), Caption: long},
			[]string{"fileName: Must be at most 255 characters", "caption: Must be at most 65536 characters"}},
		{Audio, Content{}, nil},
		{Video, Content{Caption: "{ok|fine}"}, nil},
	}
	for _, tt := range tests {
		k, ok := KindOf(tt.typ)
		require.True(t, ok)
		var issues fault.Issues
		k.Validate(tt.c, &issues)
		require.Equal(t, tt.want, issueList(issues), "%s %+v", tt.typ, tt.c)
	}
}

// issueList writes each issue as "path: message", the path's elements
// joined with dots (contacts.0.phoneNumber).
func issueList(issues fault.Issues) []string {
	var out []string
	for _, is := range issues {
		var path []string
		for _, p := range is.Path {
			path = append(path, fmt.Sprint(p))
		}
		out = append(out, strings.Join(path, ".")+": "+is.Message)
	}
	return out
}

// TestMediaAccepts: what each kind with media takes, by sniffed type.
func TestMediaAccepts(t *testing.T) {
	accepts := func(typ Type, ct string) bool {
		k, _ := KindOf(typ)
		m, ok := k.Media()
		return ok && m.Accepts(ct)
	}
	require.True(t, accepts(Image, "image/png"))
	require.False(t, accepts(Image, "video/mp4"))
	require.True(t, accepts(Audio, "application/ogg"))
	require.False(t, accepts(Audio, "video/ogg"))
	require.True(t, accepts(Document, "application/x-anything"))
	require.False(t, accepts(Text, "text/plain"))
	for _, ct := range []string{"image/webp", "image/png", "image/jpeg"} {
		require.True(t, accepts(Sticker, ct), "the host converts %s into a sticker", ct)
	}
	require.False(t, accepts(Sticker, "image/gif"))
	sticker, _ := KindOf(Sticker)
	m, _ := sticker.Media()
	require.Equal(t, "sticker must be WebP, PNG or JPEG (got image/gif)", m.Refusal("image/gif"))
	image, _ := KindOf(Image)
	m, _ = image.Media()
	require.Equal(t, "media is not an image (got video/mp4)", m.Refusal("video/mp4"))
	for _, typ := range []Type{Location, Contact, Poll} {
		k, _ := KindOf(typ)
		_, ok := k.Media()
		require.False(t, ok, "%s carries no file: nothing is fetched", typ)
	}
}

// TestContentJSON: the stored format, which messages written by earlier
// versions are read back in.
func TestContentJSON(t *testing.T) {
	b, err := json.Marshal(Content{Text: "t", MediaURL: "u", Caption: "c", FileName: "f"})
	require.NoError(t, err)
	require.JSONEq(t, `{"text":"t","mediaUrl":"u","caption":"c","fileName":"f"}`, string(b))
	b, err = json.Marshal(Content{Text: "t"})
	require.NoError(t, err)
	require.Equal(t, `{"text":"t"}`, string(b), "the kinds added later leave no trace in the old ones")

	tests := []struct {
		c    Content
		want string
	}{
		{Content{Location: &LocationContent{Latitude: -34.6037, Longitude: -58.3816, Name: "Obelisco", Address: "Av. 9 de Julio"}},
			`{"location":{"latitude":-34.6037,"longitude":-58.3816,"name":"Obelisco","address":"Av. 9 de Julio"}}`},
		{Content{Location: &LocationContent{}}, `{"location":{"latitude":0,"longitude":0}}`},
		{Content{Contacts: []ContactCard{{FullName: "Juan", PhoneNumber: "5491112345678"},
			{FullName: "Ana", PhoneNumber: "5491187654321", Organization: "Acme", Email: "ana@acme.example"}}},
			`{"contacts":[{"fullName":"Juan","phoneNumber":"5491112345678"},` +
				`{"fullName":"Ana","phoneNumber":"5491187654321","organization":"Acme","email":"ana@acme.example"}]}`},
		{Content{Poll: &PollContent{Question: "Lunch?", Options: []string{"Pizza", "Sushi"}, SelectableCount: 1}},
			`{"poll":{"question":"Lunch?","options":["Pizza","Sushi"],"selectableCount":1}}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.c)
		require.NoError(t, err)
		require.Equal(t, tt.want, string(b))
		var back Content
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, tt.c, back)
	}
}

func TestResolve(t *testing.T) {
	c := Content{Text: "{a|a}", Caption: "{b|b}", MediaURL: "{u|v}", FileName: "{f|g}"}
	require.Equal(t, Content{Text: "a", Caption: "b", MediaURL: "{u|v}", FileName: "{f|g}"}, c.Resolve(rand.New(rand.NewPCG(1, 2))))

	// Spintax is for text and captions only: a poll, a place or a contact
	// card says exactly what the client wrote.
	c = Content{Location: &LocationContent{Name: "{a|b}", Address: "{c|d}"},
		Contacts: []ContactCard{{FullName: "{e|f}", PhoneNumber: "5491112345678", Organization: "{g|h}"}},
		Poll:     &PollContent{Question: "{i|j}?", Options: []string{"{k|l}", "{m|n}"}, SelectableCount: 1}}
	require.Equal(t, c, c.Resolve(rand.New(rand.NewPCG(1, 2))))
}
