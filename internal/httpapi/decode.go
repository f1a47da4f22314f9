package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/wagateway/wagateway/internal/fault"
)

// maxBody is the largest request body accepted (API.md: 1 MiB).
const maxBody = 1 << 20

var (
	errTooLarge  = fault.New(fault.ErrTooLarge, "Request body larger than 1 MiB")
	errMediaType = fault.New(fault.ErrUnsupportedMediaType, "Unsupported Content-Type: send the body as JSON with Content-Type: application/json")
)

// decode reads one JSON object from the request into dst (a pointer to a
// struct), strictly: the Content-Type must be JSON or absent; field names
// must match the json tags exactly, once each; strings must be valid UTF-8
// without NUL; values must have their field's type. Every such problem is
// one issue at its JSON path (API names, never Go ones), all reported at
// once. Bodies over maxBody are errTooLarge.
//
// encoding/json alone cannot do this: it matches names case-insensitively,
// lets the last duplicate win, replaces invalid UTF-8 silently, stops at
// the first type error and names embedded structs in its paths.
// (encoding/json/v2 would, but Go 1.26 still ships it behind GOEXPERIMENT.)
func decode(r *http.Request, dst any) error {
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	if err != nil {
		return fault.Invalid("Could not read the request body")
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' {
		return fault.Invalid("Body must be a JSON object")
	}
	escaped, nuls := escapeNUL(body)
	if err := checkSyntax(body, escaped, nuls); err != nil {
		return err
	}
	if err := checkValues(escaped, dst); err != nil {
		return err
	}
	if err := json.Unmarshal(escaped, dst); err != nil {
		// checkValues judged every name and type against dst, so only a
		// json.Unmarshaler inside dst can still refuse a value here.
		return fault.Invalid("Invalid value")
	}
	return nil
}

// checkContentType accepts a missing Content-Type (some clients send
// none) and any JSON media type, parameters (charset) included. Anything
// else (a form, which is what curl -d claims by default; plain text)
// would be read as JSON only by luck, so the client is told instead.
func checkContentType(ct string) error {
	if ct == "" {
		return nil
	}
	// A sloppy parameter still names the media type (ErrInvalidMediaParameter).
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return errMediaType
	}
	if mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return errMediaType
}

// escapeNUL writes each raw NUL byte as the escape \u0000. The JSON
// scanner calls a raw NUL in a string a syntax error, with no field to
// point at; escaped, it reaches checkValues and is reported at its field.
// nuls are the NULs' offsets in body, to map positions back.
func escapeNUL(body []byte) ([]byte, []int) {
	n := bytes.Count(body, []byte{0})
	if n == 0 {
		return body, nil
	}
	out := make([]byte, 0, len(body)+5*n)
	nuls := make([]int, 0, n)
	for i, b := range body {
		if b == 0 {
			nuls = append(nuls, i)
			out = append(out, `\u0000`...)
			continue
		}
		out = append(out, b)
	}
	return out, nuls
}

// checkSyntax finds malformed JSON and data after the object, and says
// where, as line and column of the original body: what an editor shows.
func checkSyntax(body, escaped []byte, nuls []int) error {
	dec := json.NewDecoder(bytes.NewReader(escaped))
	var raw json.RawMessage
	err := dec.Decode(&raw)
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		at, what := unescapedOffset(int(se.Offset)-1, nuls), se.Error()
		if at < len(body) && body[at] == 0 {
			what = "NUL character outside a string" // the scanner saw escapeNUL's backslash
		}
		return fault.Invalid(fmt.Sprintf("Malformed JSON at %s: %s", position(body, at), what))
	case err != nil:
		return fault.Invalid(fmt.Sprintf("Malformed JSON at %s: the body ends before the object does", position(body, len(body))))
	}
	rest := int(dec.InputOffset())
	for rest < len(escaped) && isSpace(escaped[rest]) {
		rest++
	}
	if rest < len(escaped) {
		return fault.Invalid(fmt.Sprintf("Unexpected data after the JSON object at %s: send a single object", position(body, unescapedOffset(rest, nuls))))
	}
	return nil
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// unescapedOffset maps an offset in escapeNUL's output back to body.
func unescapedOffset(off int, nuls []int) int {
	orig := off
	for i, n := range nuls {
		start := n + 5*i // where NUL i's six-byte escape begins
		switch {
		case off >= start+6:
			orig -= 5
		case off >= start:
			return n
		default:
			return orig
		}
	}
	return orig
}

// position is "line L, column C" of byte offset off, both counted from 1
// and the column in characters.
func position(body []byte, off int) string {
	off = max(0, min(off, len(body)))
	line := 1 + bytes.Count(body[:off], []byte{'\n'})
	start := bytes.LastIndexByte(body[:off], '\n') + 1
	return fmt.Sprintf("line %d, column %d", line, 1+utf8.RuneCount(body[start:off]))
}

// stringProblem says what is wrong with a raw JSON string literal (quotes
// included; well-formed, since checkSyntax passed): invalid UTF-8, NUL
// (escapeNUL turned raw ones into escapes) or a \u escape of half a
// surrogate pair, which stands for no character at all.
func stringProblem(raw []byte) string {
	const badText = "Must be valid UTF-8 text"
	if !utf8.Valid(raw) {
		return badText
	}
	for i := 0; i < len(raw)-1; i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if raw[i] != 'u' {
			continue
		}
		r := hex4(raw[i+1:])
		i += 4
		switch {
		case r == 0:
			return "Must not contain NUL characters (U+0000)"
		case r >= 0xDC00 && r <= 0xDFFF:
			return badText
		case r >= 0xD800 && r <= 0xDBFF:
			if i+6 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' ||
				utf16.DecodeRune(r, hex4(raw[i+3:])) == utf8.RuneError {
				return badText
			}
			i += 6
		}
	}
	return ""
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	if err != nil {
		return -1
	}
	return rune(n)
}

// noBody rejects a request body on routes that take none, so a client
// that sends one by mistake hears about it. Such routes do not look at
// Content-Type: an empty body (or {}) is fine whatever it claims to be,
// since some clients label every POST.
func noBody(r *http.Request) error {
	buf := make([]byte, 512)
	n, _ := io.ReadFull(r.Body, buf)
	if len(bytes.TrimSpace(buf[:n])) > 0 && string(bytes.TrimSpace(buf[:n])) != "{}" {
		return fault.Invalid("This route takes no request body")
	}
	return nil
}
