package openapicheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// checkDocumented validates an exchange on a documented operation.
func (c *Checker) checkDocumented(req *http.Request, resp *http.Response, body []byte, r *route) []string {
	fresh := cloneRequest(req, nil)
	freshResp := &http.Response{
		Status:     resp.Status,
		StatusCode: resp.StatusCode,
		Proto:      resp.Proto,
		ProtoMajor: resp.ProtoMajor,
		ProtoMinor: resp.ProtoMinor,
		Header:     resp.Header.Clone(),
		Request:    fresh,
	}
	if freshResp.Header == nil {
		freshResp.Header = http.Header{}
	}
	freshResp.Body, freshResp.ContentLength, _ = bodyOf(body)

	op := r.item.GetOperations().GetOrZero(strings.ToLower(fresh.Method))
	documented := documentedResponse(op, resp.StatusCode)
	var problems []string
	if documented != nil && anyContent(documented) {
		// A file of any type (*/*, binary): there is no schema to hold it
		// to, and the library matches content types exactly, so it would
		// refuse every real type.
	} else {
		c.mu.Lock()
		_, verrs := c.v.GetResponseBodyValidator().ValidateResponseBodyWithPathItem(fresh, freshResp, r.item, r.template)
		c.mu.Unlock()
		problems = describe(verrs)
	}
	if documented == nil {
		// The library reports undocumented statuses itself; make sure
		// nothing slips through if it ever stops doing so.
		if len(problems) == 0 {
			problems = append(problems, fmt.Sprintf("status %d is not documented for %s %s", resp.StatusCode, fresh.Method, r.template))
		}
		return append(problems, requireRequestID(resp.Header)...)
	}
	if documented.Content == nil || documented.Content.Len() == 0 {
		if len(bytes.TrimSpace(body)) > 0 {
			problems = append(problems, fmt.Sprintf("status %d is documented without a body, got %d bytes", resp.StatusCode, len(body)))
		}
	}
	problems = append(problems, c.checkOptionalHeaders(resp.Header, documented)...)
	return problems
}

// checkFallback checks the answer to an undocumented path (404) or method
// (405): status, Allow for 405, and an Error body.
func (c *Checker) checkFallback(resp *http.Response, body []byte, want int, allowed []string) []string {
	problems := requireRequestID(resp.Header)
	if resp.StatusCode != want {
		what := "path is not in the document"
		if want == http.StatusMethodNotAllowed {
			what = "method is not in the document for this path (it has " + strings.Join(allowed, ", ") + ")"
		}
		problems = append(problems, fmt.Sprintf("%s: want status %d, got %d", what, want, resp.StatusCode))
	}
	if want == http.StatusMethodNotAllowed && resp.StatusCode == want {
		got := map[string]bool{}
		for _, v := range resp.Header.Values("Allow") {
			for _, m := range strings.Split(v, ",") {
				got[strings.ToUpper(strings.TrimSpace(m))] = true
			}
		}
		for _, m := range allowed {
			if !got[m] {
				problems = append(problems, fmt.Sprintf("405 Allow header %q lacks %s", resp.Header.Get("Allow"), m))
			}
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		problems = append(problems, fmt.Sprintf("want Content-Type application/json, got %q", ct))
	}
	var decoded any
	if err := json.Unmarshal(body, &decoded); err != nil {
		return append(problems, fmt.Sprintf("body is not JSON: %v", err))
	}
	c.mu.Lock()
	_, verrs := c.schemas.ValidateSchemaObject(c.errorSchema, decoded)
	c.mu.Unlock()
	for _, d := range describe(verrs) {
		problems = append(problems, fmt.Sprintf("%d body (#/components/schemas/%s): %s", want, errorSchemaName, d))
	}
	return problems
}

// requireRequestID checks the header every gateway response carries, for
// responses the library does not check against a documented one.
func requireRequestID(h http.Header) []string {
	if h.Get(requestIDHeader) == "" {
		return []string{"missing response header " + requestIDHeader}
	}
	return nil
}

// checkOptionalHeaders validates documented response headers that are
// present but not required; the library validates only required ones.
func (c *Checker) checkOptionalHeaders(h http.Header, resp *v3.Response) []string {
	if resp.Headers == nil {
		return nil
	}
	var problems []string
	for name, hdr := range resp.Headers.FromOldest() {
		if hdr == nil || hdr.Required || hdr.Schema == nil {
			continue
		}
		values := h.Values(name)
		if len(values) == 0 {
			continue
		}
		schema := hdr.Schema.Schema()
		for _, raw := range values {
			c.mu.Lock()
			ok, verrs := c.schemas.ValidateSchemaObject(schema, headerValue(schema, raw))
			c.mu.Unlock()
			if !ok {
				for _, d := range describe(verrs) {
					problems = append(problems, fmt.Sprintf("response header %s %q: %s", name, raw, d))
				}
			}
		}
	}
	return problems
}

// headerValue turns a header string into the JSON value its schema expects.
func headerValue(schema *base.Schema, raw string) any {
	for _, t := range schema.Type {
		switch t {
		case "integer":
			if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
				return n
			}
		case "number":
			if f, err := strconv.ParseFloat(raw, 64); err == nil {
				return f
			}
		case "boolean":
			if b, err := strconv.ParseBool(raw); err == nil {
				return b
			}
		}
	}
	return raw
}

// documentedResponse is the response an operation documents for status,
// by exact code, then range (4XX), then default; nil if none.
func documentedResponse(op *v3.Operation, status int) *v3.Response {
	if op == nil || op.Responses == nil {
		return nil
	}
	if op.Responses.Codes != nil {
		if r := op.Responses.Codes.GetOrZero(strconv.Itoa(status)); r != nil {
			return r
		}
		if r := op.Responses.Codes.GetOrZero(fmt.Sprintf("%dXX", status/100)); r != nil {
			return r
		}
	}
	return op.Responses.Default
}

// anyContent reports whether resp documents a body of any media type.
func anyContent(resp *v3.Response) bool {
	if resp.Content == nil {
		return false
	}
	_, ok := resp.Content.Get("*/*")
	return ok
}
