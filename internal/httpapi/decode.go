package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/wagateway/wagateway/internal/fault"
)

// maxBody is the largest request body accepted (API.md: 1 MiB).
const maxBody = 1 << 20

var errTooLarge = fault.New(fault.ErrTooLarge, "Request body larger than 1 MiB")

// decode reads one JSON object from the request into dst, strictly:
// unknown fields, wrong types, trailing data and bodies over maxBody are
// errors naming the offending field.
func decode(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	if err != nil {
		return fault.Invalid("Could not read the request body")
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return fault.Invalid("Body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fault.Invalid("Body must be a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		path := []any{}
		if te.Field != "" {
			for _, p := range strings.Split(te.Field, ".") {
				path = append(path, p)
			}
		}
		return fault.Invalid(fmt.Sprintf("Must be of type %s", jsonKind(te.Type.Kind().String())), path...)
	case errors.As(err, &se):
		return fault.Invalid(fmt.Sprintf("Malformed JSON at byte %d", se.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fault.Invalid("Malformed JSON: unexpected end of body")
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fault.Invalid("Unknown field", strings.Trim(field, `"`))
	}
	return fault.Invalid("Malformed JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	}
	return "number"
}

// noBody rejects a request body on routes that take none, so a client
// that sends one by mistake hears about it.
func noBody(r *http.Request) error {
	buf := make([]byte, 512)
	n, _ := io.ReadFull(r.Body, buf)
	if len(bytes.TrimSpace(buf[:n])) > 0 && string(bytes.TrimSpace(buf[:n])) != "{}" {
		return fault.Invalid("This route takes no request body")
	}
	return nil
}
