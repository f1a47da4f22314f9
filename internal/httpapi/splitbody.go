package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// splitBody is the shape of a JSON body whose members belong to several
// structs: a route's own fields and a message kind's. A kind declares its
// fields once (internal/message) for its own route and for POST
// /message/send alike, and Go cannot embed a struct chosen at run time, so
// the struct that decode checks the body against is built from the parts.
type splitBody struct {
	shape reflect.Type   // one pointer field per member, so that a value given shows
	names []string       // the members, in the shape's order
	parts []reflect.Type // the structs the members go to
}

// newSplitBody builds the shape of parts (structs or pointers to them),
// members in the order of the parts. A name in several parts must have one
// type in all (a caption is a caption in every kind), and names that
// differ only in case are refused: encoding/json, which fills each part,
// would mix them up.
func newSplitBody(parts ...any) splitBody {
	var b splitBody
	var fields []reflect.StructField
	types, folded := map[string]reflect.Type{}, map[string]string{}
	for _, p := range parts {
		t := reflect.TypeOf(p)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		b.parts = append(b.parts, t)
		for _, f := range fieldsOf(t) {
			if prev, ok := types[f.name]; ok {
				if prev != f.typ {
					panic(fmt.Sprintf("httpapi: field %q is %s in one part and %s in %s", f.name, prev, f.typ, t))
				}
				continue
			}
			if other, ok := folded[strings.ToLower(f.name)]; ok {
				panic(fmt.Sprintf("httpapi: fields %q and %q differ only in case", other, f.name))
			}
			types[f.name], folded[strings.ToLower(f.name)] = f.typ, f.name
			b.names = append(b.names, f.name)
			fields = append(fields, reflect.StructField{
				Name: "F" + strconv.Itoa(len(fields)),
				Type: reflect.PointerTo(f.typ),
				Tag:  reflect.StructTag(`json:` + strconv.Quote(f.name+",omitempty")),
			})
		}
	}
	b.shape = reflect.StructOf(fields)
	return b
}

// memberNames lists the JSON members of part (a struct or a pointer to
// one).
func memberNames(part any) []string {
	var names []string
	for _, f := range fieldsOf(reflect.Indirect(reflect.ValueOf(part)).Type()) {
		names = append(names, f.name)
	}
	return names
}

// decode decodes r's body into parts (pointers to the structs given to
// newSplitBody, in that order) as strictly as decode does into one struct,
// and returns the names of the members given a value (null is none).
func (b splitBody) decode(r *http.Request, parts ...any) ([]string, error) {
	if len(parts) != len(b.parts) {
		panic(fmt.Sprintf("httpapi: %d parts, want %d", len(parts), len(b.parts)))
	}
	v := reflect.New(b.shape)
	if err := decode(r, v.Interface()); err != nil {
		return nil, err
	}
	var given []string
	for i, name := range b.names {
		if !v.Elem().Field(i).IsNil() {
			given = append(given, name)
		}
	}
	// The members are checked and exact now, so encoding/json can hand
	// each part its own; members of other parts are unknown to it.
	raw, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, fmt.Errorf("re-encode request body: %w", err)
	}
	for i, p := range parts {
		if t := reflect.TypeOf(p); t.Kind() != reflect.Pointer || t.Elem() != b.parts[i] {
			panic(fmt.Sprintf("httpapi: part %d is %s, want *%s", i, t, b.parts[i]))
		}
		if err := json.Unmarshal(raw, p); err != nil {
			return nil, fmt.Errorf("decode request body into %T: %w", p, err)
		}
	}
	return given, nil
}
