package events

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaFS holds one JSON Schema (draft 2020-12) per event. They are files,
// not Go, so tenants and other tooling can take them as they are; embedding
// them makes the binary check exactly what it publishes.
//
//go:embed schema/*.json
var schemaFS embed.FS

// Schema returns the JSON Schema of name's webhook body, or nil for a name
// the gateway does not emit. The bytes are the caller's own.
func Schema(name Name) []byte {
	if !name.Valid() {
		return nil
	}
	b, err := schemaFS.ReadFile(schemaPath(name))
	if err != nil {
		return nil // unreachable: the tests pin a file per Name
	}
	return b
}

func schemaPath(name Name) string { return "schema/" + string(name) + ".json" }

// schemaID is the $id each schema file declares; compiling under it keeps
// the compiler from ever resolving anything outside the embedded files.
func schemaID(name Name) string {
	return "https://github.com/wagateway/wagateway/events/" + schemaPath(name)
}

// compiled compiles every schema once, on first use: only processes that
// validate (publishers, deliverers, tests) pay for it.
var compiled = sync.OnceValues(func() (map[Name]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	for _, n := range Names() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema(n)))
		if err != nil {
			return nil, fmt.Errorf("events: schema of %s: %w", n, err)
		}
		if err := c.AddResource(schemaID(n), doc); err != nil {
			return nil, fmt.Errorf("events: schema of %s: %w", n, err)
		}
	}
	out := make(map[Name]*jsonschema.Schema, len(Names()))
	for _, n := range Names() {
		s, err := c.Compile(schemaID(n))
		if err != nil {
			return nil, fmt.Errorf("events: schema of %s: %w", n, err)
		}
		out[n] = s
	}
	return out, nil
})

// Validate checks a webhook body against the schema of the event it names,
// so tests and deliverers can hold a body to the published contract.
func Validate(body []byte) error {
	doc, err := decodeDoc(body)
	if err != nil {
		return err
	}
	return validateDoc(doc)
}

// decodeDoc reads one JSON object, numbers kept exact, nothing after it.
func decodeDoc(b []byte) (map[string]any, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("events: invalid JSON: %w", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("events: not a JSON object")
	}
	return doc, nil
}

func validateDoc(doc map[string]any) error {
	s, _ := doc["event"].(string)
	name := Name(s)
	if !name.Valid() {
		return fmt.Errorf("events: unknown event %q", s)
	}
	schemas, err := compiled()
	if err != nil {
		return err
	}
	if err := schemas[name].Validate(doc); err != nil {
		return fmt.Errorf("events: %s does not match its schema: %w", name, err)
	}
	return nil
}
