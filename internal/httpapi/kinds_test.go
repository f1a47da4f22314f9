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
