package message

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/phone"
)

// numbers returns n distinct phone numbers as a JSON array.
func numbers(n int) string {
	list := make([]string, n)
	for i := range list {
		list[i] = fmt.Sprintf("%q", fmt.Sprint(549111234500+i))
	}
	return "[" + strings.Join(list, ",") + "]"
}

// TestMentionsAndViewOnce: which kinds take them, and their rules, from
// request bodies as clients send them.
func TestMentionsAndViewOnce(t *testing.T) {
	tests := []struct {
		name string
		typ  Type
		req  string
		want []string // "path: message"
		c    Content  // the content stored, when valid
	}{
		{"text with mentions", Text, `{"text":"hi @5491112345678","mentions":["5491112345678"]}`, nil,
			Content{Text: "hi @5491112345678", Mentions: []string{"5491112345678"}}},
		{"fifty mentions", Text, `{"text":"all","mentions":` + numbers(50) + `}`, nil, Content{}},
		{"empty mentions", Text, `{"text":"hi","mentions":[]}`, nil, Content{Text: "hi", Mentions: []string{}}},
		{"51 mentions", Text, `{"text":"all","mentions":` + numbers(51) + `}`, []string{"mentions: Must be at most 50 numbers"}, Content{}},
		{"bad numbers", Text, `{"text":"x","mentions":["+5491112345678","1234567","120363025246125486@g.us"]}`,
			[]string{"mentions.0: " + phone.FormatMessage, "mentions.1: " + phone.FormatMessage, "mentions.2: " + phone.FormatMessage}, Content{}},
		{"duplicates", Text, `{"text":"x","mentions":["5491112345678","5491187654321","5491112345678"]}`,
			[]string{"mentions.2: Must not repeat a number"}, Content{}},
		{"caption mentions", Image, `{"imageUrl":"https://x/a.png","caption":"@5491112345678","mentions":["5491112345678"]}`, nil,
			Content{MediaURL: "https://x/a.png", Caption: "@5491112345678", Mentions: []string{"5491112345678"}}},
		{"document mentions", Document, `{"documentUrl":"https://x/a.pdf","fileName":"a.pdf","mentions":["5491112345678","5491112345678"]}`,
			[]string{"mentions.1: Must not repeat a number"}, Content{}},
		{"video view once", Video, `{"videoUrl":"https://x/a.mp4","viewOnce":true,"mentions":["5491112345678"]}`, nil,
			Content{MediaURL: "https://x/a.mp4", ViewOnce: true, Mentions: []string{"5491112345678"}}},
		{"image view once", Image, `{"imageUrl":"https://x/a.png","viewOnce":true}`, nil,
			Content{MediaURL: "https://x/a.png", ViewOnce: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, _ := KindOf(tt.typ)
			f := k.NewFields()
			require.NoError(t, json.Unmarshal([]byte(tt.req), f))
			var issues fault.Issues
			k.Validate(f.Content(), &issues)
			require.Equal(t, tt.want, issueList(issues))
			if tt.want == nil && tt.c.MediaURL+tt.c.Text != "" {
				require.Equal(t, tt.c, f.Content())
			}
		})
	}
}

// TestWhichKindsTakeThem: mentions on the kinds with a text or caption,
// viewOnce on image and video; elsewhere the field does not exist, so the
// routes refuse it as unknown.
func TestWhichKindsTakeThem(t *testing.T) {
	mentions, viewOnce := map[Type]bool{}, map[Type]bool{}
	for _, k := range Kinds() {
		names := fieldNames(k.NewFields())
		require.Equal(t, k.TakesMentions(), names["mentions"], "%s: the mentions field and TakesMentions agree", k.Type)
		require.Equal(t, k.TakesViewOnce(), names["viewOnce"], "%s: the viewOnce field and TakesViewOnce agree", k.Type)
		mentions[k.Type], viewOnce[k.Type] = k.TakesMentions(), k.TakesViewOnce()
	}
	for _, typ := range []Type{Text, Image, Document, Video} {
		require.True(t, mentions[typ], "%s takes mentions", typ)
	}
	for _, typ := range []Type{Audio, Location, Contact, Poll} {
		require.False(t, mentions[typ], "%s takes no mentions", typ)
	}
	for typ, ok := range viewOnce {
		require.Equal(t, typ == Image || typ == Video, ok, "%s viewOnce", typ)
	}
}

// fieldNames are the JSON members of a kind's fields.
func fieldNames(f Fields) map[string]bool {
	raw, _ := json.Marshal(f)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	names := map[string]bool{}
	for n := range m {
		names[n] = true
	}
	return names
}

// FuzzCheckMentions: a list passes exactly when it has at most 50 phone
// numbers, none repeated, and every issue names a real entry.
func FuzzCheckMentions(f *testing.F) {
	f.Add("5491112345678,5491187654321")
	f.Add("5491112345678,5491112345678")
	f.Add("+5491112345678")
	f.Add(strings.Repeat("5491112345678,", 51))
	f.Fuzz(func(t *testing.T, list string) {
		mentions := strings.Split(list, ",")
		var issues fault.Issues
		checkMentions(&issues, mentions)
		seen, valid := map[string]bool{}, len(mentions) <= MaxMentions
		for _, n := range mentions {
			valid = valid && phone.Valid(n) && !seen[n]
			seen[n] = true
		}
		if valid != (len(issues) == 0) {
			t.Fatalf("%q: valid %v, issues %v", mentions, valid, issues)
		}
		for _, is := range issues {
			if len(is.Path) == 2 && (is.Path[1].(int) < 0 || is.Path[1].(int) >= len(mentions)) {
				t.Fatalf("%q: issue at %v", mentions, is.Path)
			}
		}
	})
}
