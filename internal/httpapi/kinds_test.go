package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/message"
)

// TestEveryKindIsRouted: every kind of message.Kinds() has its route,
// POST /message/<kind>, and its variant of POST /message/send, and the
// OpenAPI document gives each exactly the fields the handler takes. A kind
// added to internal/message without its routes or its documentation
// fails here.
func TestEveryKindIsRouted(t *testing.T) {
	a := &api{mux: http.NewServeMux()}
	a.routes()
	doc := openAPIDoc(t)
	variants, _ := doc.schema(t, "SendToClientRequest")["discriminator"].(map[string]any)["mapping"].(map[string]any)
	var types []any
	for _, k := range message.Kinds() {
		types = append(types, string(k.Type))
		own := memberNames(k.NewFields())
		path := "/message/" + string(k.Type)
		require.Contains(t, a.routing.literal[path], http.MethodPost, "kind %q has no route %s", k.Type, path)

		post, _ := doc.Paths[path]["post"].(map[string]any)
		require.NotNil(t, post, "POST %s is not in the OpenAPI document", path)
		body := post["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"]
		require.ElementsMatch(t, append(memberNames(sendCommon{}), own...), doc.properties(t, body),
			"POST %s: the fields the route takes, as documented", path)

		variant, ok := variants[string(k.Type)]
		require.True(t, ok, "POST /message/send documents no variant for type %q", k.Type)
		require.ElementsMatch(t, append(memberNames(clientCommon{}), own...), doc.properties(t, map[string]any{"$ref": variant}),
			"POST /message/send with type %q: the fields it takes, as documented", k.Type)
	}
	require.Len(t, variants, len(types), "POST /message/send documents a variant per kind, and no other")
	require.Equal(t, types, doc.schema(t, "MessageType")["enum"], "MessageType lists the kinds, in their order")
}

type openAPI struct {
	Paths      map[string]map[string]any `json:"paths"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

func openAPIDoc(t *testing.T) openAPI {
	t.Helper()
	var doc openAPI
	require.NoError(t, json.Unmarshal(OpenAPI(), &doc))
	return doc
}

func (d openAPI) schema(t *testing.T, name string) map[string]any {
	t.Helper()
	s, ok := d.Components.Schemas[name]
	require.True(t, ok, "schema %s", name)
	return s
}

// properties lists the property names of an object schema, or of the one
// it refers to.
func (d openAPI) properties(t *testing.T, schema any) []string {
	t.Helper()
	s, _ := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		s = d.schema(t, strings.TrimPrefix(ref, "#/components/schemas/"))
	}
	props, _ := s["properties"].(map[string]any)
	require.NotEmpty(t, props, "schema %v has no properties", schema)
	var names []string
	for name := range props {
		names = append(names, name)
	}
	return names
}

// TestKindRequests: the routes of the kinds whose fields are more than
// strings check them as strictly as the others: types and unknown members
// at their path (inside contact cards too), rules at their field, and on
// POST /message/send only the chosen type's fields.
func TestKindRequests(t *testing.T) {
	a := newTestAPI(t, nil)
	const to = `"instanceName":"acme__c__main","to":"5491112345678"`
	const client = `"tenantId":"acme","clientId":"c","to":"5491112345678"`
	tests := []struct {
		name, path, body string
		status           int
		issues           []any // the paths of the issues, in order
	}{
		{"location", "/message/location", `{` + to + `,"latitude":-34.6037,"longitude":-58.3816,"name":"Obelisco","address":null}`, 202, nil},
		{"latitude as text", "/message/location", `{` + to + `,"latitude":"north","longitude":1}`, 400, []any{[]any{"latitude"}}},
		{"coordinates out of range", "/message/location", `{` + to + `,"latitude":-90.5,"longitude":180.01}`, 400,
			[]any{[]any{"latitude"}, []any{"longitude"}}},
		{"coordinates missing", "/message/location", `{` + to + `}`, 400, []any{[]any{"latitude"}, []any{"longitude"}}},
		{"contact", "/message/contact", `{` + to + `,"contacts":[{"fullName":"Juan","phoneNumber":"5491112345678","email":null}]}`, 202, nil},
		{"unknown member of a card", "/message/contact", `{` + to + `,"contacts":[{"fullName":"Juan","phoneNumber":"5491112345678","nickname":"J"}]}`,
			400, []any{[]any{"contacts", 0.0, "nickname"}}},
		{"bad card number", "/message/contact", `{` + to + `,"contacts":[{"fullName":"Juan","phoneNumber":"5491112345678"},{"fullName":"Ana","phoneNumber":"054 911"}]}`,
			400, []any{[]any{"contacts", 1.0, "phoneNumber"}}},
		{"contacts as an object", "/message/contact", `{` + to + `,"contacts":{"fullName":"Juan"}}`, 400, []any{[]any{"contacts"}}},
		{"poll", "/message/poll", `{` + to + `,"question":"Lunch?","options":["Pizza","Sushi"],"selectableCount":null}`, 202, nil},
		{"options not strings", "/message/poll", `{` + to + `,"question":"q","options":[1,"b",true]}`, 400,
			[]any{[]any{"options", 0.0}, []any{"options", 2.0}}},
		{"selectableCount not whole", "/message/poll", `{` + to + `,"question":"q","options":["a","b"],"selectableCount":1.5}`, 400,
			[]any{[]any{"selectableCount"}}},
		{"duplicate option", "/message/poll", `{` + to + `,"question":"q","options":["a","b","a"]}`, 400, []any{[]any{"options", 2.0}}},
		{"poll field on a text", "/message/text", `{` + to + `,"text":"hi","question":"q"}`, 400, []any{[]any{"question"}}},
		{"to a client", "/message/send", `{` + client + `,"type":"poll","question":"q","options":["a","b"]}`, 409, nil},
		{"field of another kind to a client", "/message/send", `{` + client + `,"type":"poll","question":"q","options":["a","b"],"latitude":1}`,
			400, []any{[]any{"latitude"}}},
		{"bad card to a client", "/message/send", `{` + client + `,"type":"contact","contacts":[]}`, 400, []any{[]any{"contacts"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := a.do(t, "POST", tt.path, tt.body)
			require.Equal(t, tt.status, got.status, "%v", got.body)
			if tt.issues == nil {
				return
			}
			var paths []any
			for _, is := range got.body["issues"].([]any) {
				paths = append(paths, is.(map[string]any)["path"])
			}
			require.Equal(t, tt.issues, paths, "%v", got.body)
		})
	}
}
