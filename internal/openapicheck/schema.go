package openapicheck

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchemas compiles every schema of a JSON document (the component
// schemas and every "schema" of a parameter, header or media type) as JSON
// Schema 2020-12, the default dialect of OpenAPI 3.1. The library's document
// validation does not look inside schemas, so "type": "strin", a malformed
// pattern or "required": "x" would otherwise pass and quietly weaken every
// check. YAML documents are skipped.
func compileSchemas(spec []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(spec))
	if err != nil {
		return nil // not JSON: the library parsed it, so it is YAML
	}
	const loc = "urn:openapicheck:document"
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	if err := comp.AddResource(loc, doc); err != nil {
		return fmt.Errorf("openapicheck: schemas: %w", err)
	}
	var pointers []string
	var walk func(v any, ptr, key string)
	walk = func(v any, ptr, key string) {
		switch x := v.(type) {
		case map[string]any:
			if key == "schema" || (strings.HasPrefix(ptr, "/components/schemas/") && strings.Count(ptr, "/") == 3) {
				pointers = append(pointers, ptr)
				return
			}
			for k, child := range x {
				if k != "example" && k != "examples" {
					walk(child, ptr+"/"+escapePointer(k), k)
				}
			}
		case []any:
			for i, child := range x {
				walk(child, ptr+"/"+strconv.Itoa(i), "")
			}
		}
	}
	walk(doc, "", "")
	slices.Sort(pointers)
	pointers = slices.Compact(pointers)
	var problems []string
	for _, p := range pointers {
		if _, err := comp.Compile(loc + "#" + p); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p, err))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("openapicheck: invalid schemas:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return nil
}

// escapePointer escapes one JSON pointer token for use in a URI fragment.
func escapePointer(tok string) string {
	tok = strings.ReplaceAll(tok, "~", "~0")
	tok = strings.ReplaceAll(tok, "/", "~1")
	return url.PathEscape(tok)
}
