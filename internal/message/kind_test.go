package message

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
)

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

		// Every request field reaches the stored content.
		f := k.NewFields()
		v := reflect.ValueOf(f).Elem()
		names := map[string]string{} // json name -> value given
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			require.NotEmpty(t, name, "%s.%s has no json name", v.Type(), v.Type().Field(i).Name)
			if v.Field(i).Kind() == reflect.String {
				names[name] = "value of " + name
				v.Field(i).SetString(names[name])
			}
		}
		stored, err := json.Marshal(f.Content())
		require.NoError(t, err)
		for name, value := range names {
			require.Contains(t, string(stored), value, "%s: %s is not stored", k.Type, name)
		}
		if m, ok := k.Media(); ok {
			require.Contains(t, names, m.Field, "%s: the media URL field is one of its request fields", k.Type)
			require.Equal(t, names[m.Field], f.Content().MediaURL, "%s: %s is the media URL", k.Type, m.Field)
			require.Positive(t, m.MaxBytes)
			require.NotEmpty(t, m.Noun)
		}
		var issues fault.Issues
		k.Validate(f.Content(), &issues)
		require.NoError(t, issues.Err(), "%s: all fields set is valid", k.Type)
	}
	require.False(t, Type("carrier-pigeon").Valid())
	_, ok := KindOf("")
	require.False(t, ok)
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
		var got []string
		for _, is := range issues {
			got = append(got, is.Path[0].(string)+": "+is.Message)
		}
		require.Equal(t, tt.want, got, "%s %+v", tt.typ, tt.c)
	}
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
}

// TestContentJSON: the stored format, which messages written by earlier
// versions are read back in.
func TestContentJSON(t *testing.T) {
	b, err := json.Marshal(Content{Text: "t", MediaURL: "u", Caption: "c", FileName: "f"})
	require.NoError(t, err)
	require.JSONEq(t, `{"text":"t","mediaUrl":"u","caption":"c","fileName":"f"}`, string(b))
	b, err = json.Marshal(Content{Text: "t"})
	require.NoError(t, err)
	require.Equal(t, `{"text":"t"}`, string(b))
}

func TestResolve(t *testing.T) {
	c := Content{Text: "{a|a}", Caption: "{b|b}", MediaURL: "{u|v}", FileName: "{f|g}"}
	require.Equal(t, Content{Text: "a", Caption: "b", MediaURL: "{u|v}", FileName: "{f|g}"}, c.Resolve(rand.New(rand.NewPCG(1, 2))))
}
