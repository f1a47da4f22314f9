package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"

	"github.com/wagateway/wagateway/internal/fault"
)

// maxIssues bounds the answer: a 1 MiB body of unknown fields would
// otherwise come back as a far larger list of issues.
const maxIssues = 100

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkValues walks body (syntactically valid JSON) against dst's type
// and returns every problem as one ValidationError: unknown or duplicated
// names, strings that are not valid UTF-8 or hold NUL, values of the wrong
// type. Paths are the JSON names and array indexes the client wrote.
func checkValues(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := &walker{dec: dec, body: body}
	w.value(reflect.TypeOf(dst))
	if w.broken && len(w.issues) == 0 {
		return fault.Invalid("Malformed JSON")
	}
	return w.issues.Err()
}

type walker struct {
	dec    *json.Decoder
	body   []byte
	path   []any // where the walk is; copied only into issues, so deep nesting stays linear
	issues fault.Issues
	broken bool // the token stream failed (it cannot: checkSyntax ran first); stop walking
}

// add records a problem at the current path.
func (w *walker) add(msg string) {
	switch {
	case len(w.issues) < maxIssues:
		w.issues.Add(msg, slices.Clone(w.path)...)
	case len(w.issues) == maxIssues:
		w.issues.Add("Too many problems; fix these and send the request again")
	}
}

// next reads one token and, for strings, the raw literal it came from:
// the decoder has already replaced invalid UTF-8 by the time it returns
// the string, so only the raw bytes tell.
func (w *walker) next() (json.Token, []byte) {
	start := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		w.broken = true
		return nil, nil
	}
	if _, ok := tok.(string); !ok {
		return tok, nil
	}
	raw := w.body[start:w.dec.InputOffset()]
	return tok, raw[bytes.IndexByte(raw, '"'):]
}

// value checks the next value against t (nil: any value is fine).
func (w *walker) value(t reflect.Type) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(unmarshalerType)) {
		t = nil // decodes anything, or decides for itself
	}
	tok, raw := w.next()
	switch v := tok.(type) {
	case json.Delim:
		if t != nil && !fits(v, t.Kind()) {
			w.add(typeMessage(t))
			w.skip()
			return
		}
		if v == '{' {
			w.object(t)
		} else {
			w.array(t)
		}
	case string:
		if msg := stringProblem(raw); msg != "" {
			w.add(msg)
		} else if t != nil && !fromString(t) {
			w.add(typeMessage(t))
		}
	case json.Number:
		if msg := numberProblem(t, string(v)); msg != "" {
			w.add(msg)
		}
	case bool:
		if t != nil && t.Kind() != reflect.Bool {
			w.add(typeMessage(t))
		}
	}
	// null fits every type: encoding/json leaves the field as it is.
}

// fits says whether an object ('{') or array ('[') decodes into kind k.
func fits(d json.Delim, k reflect.Kind) bool {
	if d == '{' {
		return k == reflect.Struct || k == reflect.Map
	}
	return k == reflect.Slice || k == reflect.Array
}

// object checks the members of an object whose '{' was read. t is a
// struct, a map or nil (any).
func (w *walker) object(t reflect.Type) {
	var fields []field
	if t != nil && t.Kind() == reflect.Struct {
		fields = fieldsOf(t)
	}
	seen := map[string]bool{}
	for !w.broken && w.dec.More() {
		tok, raw := w.next()
		key, _ := tok.(string)
		w.path = append(w.path, key)
		w.member(t, fields, key, raw, seen[key])
		w.path = w.path[:len(w.path)-1]
		seen[key] = true
	}
	w.next() // '}'
}

// member checks the value of the member key, whose raw literal is raw.
func (w *walker) member(t reflect.Type, fields []field, key string, raw []byte, dup bool) {
	if dup {
		w.add("Duplicated field: send it once")
		w.skipValue()
		return
	}
	switch {
	case t == nil:
		w.value(nil)
	case t.Kind() == reflect.Map:
		if msg := stringProblem(raw); msg != "" {
			w.add(msg)
			w.skipValue()
			return
		}
		w.value(t.Elem())
	default:
		f, ok := lookup(fields, key)
		if !ok {
			w.add(unknownMessage(fields, key))
			w.skipValue()
			return
		}
		w.value(f.typ)
	}
}

// array checks the elements of an array whose '[' was read.
func (w *walker) array(t reflect.Type) {
	var elem reflect.Type
	if t != nil {
		elem = t.Elem()
	}
	for i := 0; !w.broken && w.dec.More(); i++ {
		w.path = append(w.path, i)
		w.value(elem)
		w.path = w.path[:len(w.path)-1]
	}
	w.next() // ']'
}

// skipValue consumes the next value whole; skip the rest of one whose
// opening delimiter was read.
func (w *walker) skipValue() {
	if tok, _ := w.next(); tok == json.Delim('{') || tok == json.Delim('[') {
		w.skip()
	}
}

func (w *walker) skip() {
	for depth := 1; depth > 0 && !w.broken; {
		switch tok, _ := w.next(); tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// numberProblem checks a JSON number against t the way encoding/json
// decodes it: integers into integer kinds, in range.
func numberProblem(t reflect.Type, s string) string {
	if t == nil {
		return ""
	}
	var err error
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		_, err = strconv.ParseInt(s, 10, t.Bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		_, err = strconv.ParseUint(s, 10, t.Bits())
	case reflect.Float32, reflect.Float64:
		if _, err = strconv.ParseFloat(s, t.Bits()); err != nil {
			return "Number out of range"
		}
	default:
		return typeMessage(t)
	}
	if err != nil {
		return typeMessage(t)
	}
	return ""
}

// typeMessage names the JSON type a Go type decodes from.
func typeMessage(t reflect.Type) string {
	kind := "number"
	switch t.Kind() {
	case reflect.String:
		kind = "string"
	case reflect.Bool:
		kind = "boolean"
	case reflect.Slice, reflect.Array:
		kind = "array"
	case reflect.Struct, reflect.Map:
		kind = "object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		kind = "integer"
	}
	if fromString(t) {
		kind = "string"
	}
	return "Must be of type " + kind
}

// fromString: encoding/json decodes t from a JSON string (text, a
// TextUnmarshaler, or []byte in base64).
func fromString(t reflect.Type) bool {
	return t.Kind() == reflect.String || reflect.PointerTo(t).Implements(textUnmarshalerType) ||
		(t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8)
}
