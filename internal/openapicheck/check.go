// Package openapicheck checks HTTP exchanges against the gateway's OpenAPI
// 3.1 document, so end-to-end tests can prove that every response they
// receive (and every request they mean to send) matches the published
// contract.
//
// It wraps github.com/pb33f/libopenapi-validator and makes up for what that
// library (v0.14.0) does not do:
//
//   - Routing is done here, the way the gateway's router does it: among the
//     document's path templates that match the request path and have the
//     request's method, the most specific wins (a literal segment beats a
//     {parameter} at the first position where they differ). The library
//     stops at the literal path even when it lacks the method, so it would
//     call GET /message/text "not found" instead of judging it against
//     GET /message/{id}.
//   - Responses to paths the document does not have must be 404, and to
//     known paths with a method they do not support must be 405 with an
//     Allow header; both with the document's Error body. The library only
//     reports such exchanges as "path not found".
//   - A documented response without content (204) must have an empty body,
//     and optional documented response headers (Idempotency-Replayed) are
//     validated when present; the library validates required ones only.
//   - New rejects a document whose model the library could only build in
//     part (it logs such errors instead of returning them), and compiles
//     every schema as JSON Schema 2020-12 (the library's document
//     validation does not look inside schemas).
//   - Request failures against a oneOf with a discriminator are narrowed to
//     the variant the body selects, instead of every variant's mismatch.
package openapicheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// requestIDHeader is carried by every response of the gateway.
const requestIDHeader = "x-request-id"

// errorSchemaName is the components schema of 404/405 bodies for paths and
// methods the document does not list.
const errorSchemaName = "Error"

// Checker validates HTTP exchanges against an OpenAPI 3.1 document. It is
// safe for concurrent use.
type Checker struct {
	// mu serialises calls into the validator: the library attaches state to
	// the requests it is given and keeps shared caches, and its thread
	// safety is not documented. Validation is fast, so tests lose nothing.
	mu          sync.Mutex
	v           validator.Validator
	schemas     schema_validation.SchemaValidator
	routes      []route
	errorSchema *base.Schema
}

// route is one path template of the document.
type route struct {
	template string
	segments []string // literal segments, or "" for a {parameter}
	item     *v3.PathItem
	methods  []string // upper case, in document order
}

// New parses spec (JSON or YAML), checks that it is a valid OpenAPI 3.1
// document (structure, and for JSON every schema) that defines
// #/components/schemas/Error, and returns a Checker for it.
func New(spec []byte) (*Checker, error) {
	// The library logs model-building errors (e.g. a malformed operation,
	// which it then leaves out of the model) instead of returning them;
	// capture them so a broken document fails here.
	var buildLog bytes.Buffer
	cfg := datamodel.NewDocumentConfiguration()
	cfg.Logger = slog.New(slog.NewTextHandler(&buildLog, &slog.HandlerOptions{Level: slog.LevelError}))
	doc, err := libopenapi.NewDocumentWithConfiguration(spec, cfg)
	if err != nil {
		return nil, fmt.Errorf("openapicheck: parse document: %w", err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		return nil, fmt.Errorf("openapicheck: document is OpenAPI %q, want 3.1.x", v)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("openapicheck: build model: %w", err)
	}
	if buildLog.Len() > 0 {
		return nil, fmt.Errorf("openapicheck: build model: %s", strings.TrimSpace(buildLog.String()))
	}
	v := validator.NewValidatorFromV3Model(&model.Model, config.WithRejectUndeclaredRequestBody())
	v.SetDocument(doc)
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("openapicheck: document is not valid OpenAPI: %w", joinErrors(verrs))
	}
	if err := compileSchemas(spec); err != nil {
		return nil, err
	}
	c := &Checker{v: v, schemas: schema_validation.NewSchemaValidator()}
	if model.Model.Paths == nil || model.Model.Paths.PathItems == nil {
		return nil, errors.New("openapicheck: document has no paths")
	}
	for tmpl, item := range model.Model.Paths.PathItems.FromOldest() {
		r := route{template: tmpl, item: item}
		for _, seg := range strings.Split(strings.TrimPrefix(tmpl, "/"), "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				seg = ""
			}
			r.segments = append(r.segments, seg)
		}
		for m := range item.GetOperations().FromOldest() {
			r.methods = append(r.methods, strings.ToUpper(m))
		}
		c.routes = append(c.routes, r)
	}
	if model.Model.Components != nil && model.Model.Components.Schemas != nil {
		if p := model.Model.Components.Schemas.GetOrZero(errorSchemaName); p != nil {
			c.errorSchema = p.Schema()
		}
	}
	if c.errorSchema == nil {
		return nil, fmt.Errorf("openapicheck: document lacks #/components/schemas/%s", errorSchemaName)
	}
	return c, nil
}

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

// Check validates the response (status, headers it can, body schema) for the
// request; returns a descriptive error listing all validation failures.
//
// body is the response body as the caller read it; resp.Body and req.Body
// are not read, so both may already be consumed. A status the operation
// does not document is an error. Requests to paths the document lacks must
// be answered 404, and known paths with another method 405 with Allow; both
// with the document's Error body.
func (c *Checker) Check(req *http.Request, resp *http.Response, body []byte) error {
	if req == nil || req.URL == nil || resp == nil {
		return errors.New("openapicheck: Check needs a request with a URL and a response")
	}
	head := fmt.Sprintf("%s %s → %d", req.Method, req.URL.Path, resp.StatusCode)
	var problems []string
	r, allowed := c.find(req)
	switch {
	case r == nil && len(allowed) == 0:
		problems = append(problems, c.checkFallback(resp, body, http.StatusNotFound, nil)...)
	case r == nil:
		problems = append(problems, c.checkFallback(resp, body, http.StatusMethodNotAllowed, allowed)...)
	default:
		problems = append(problems, c.checkDocumented(req, resp, body, r)...)
	}
	return report(head, dedupe(problems))
}

// CheckRequest validates a request the test is about to send (useful to
// prove the document accepts what the server accepts): path and method,
// path and header parameters, security (the apikey / x-admin-key header is
// present), and the body, which must be empty for operations without a
// request body. body is the request body; req.Body is not read.
func (c *Checker) CheckRequest(req *http.Request, body []byte) error {
	if req == nil || req.URL == nil {
		return errors.New("openapicheck: CheckRequest needs a request with a URL")
	}
	head := fmt.Sprintf("request %s %s", req.Method, req.URL.Path)
	r, allowed := c.find(req)
	switch {
	case r == nil && len(allowed) == 0:
		return report(head, []string{"path is not in the document"})
	case r == nil:
		return report(head, []string{fmt.Sprintf("method not in the document for this path (it has %s)", strings.Join(allowed, ", "))})
	}
	fresh := cloneRequest(req, body)
	c.mu.Lock()
	_, verrs := c.v.ValidateHttpRequestSyncWithPathItem(fresh, r.item, r.template)
	c.mu.Unlock()
	op := r.item.GetOperations().GetOrZero(strings.ToLower(fresh.Method))
	return report(head, dedupe(describe(narrowOneOf(op, body, verrs))))
}

// narrowOneOf keeps, for a request body schema that is a oneOf with a
// discriminator, only the failures of the variant the body's discriminator
// value selects. The library validates every variant and reports them all,
// which buries the one failure that matters under the others' "value must
// be 'image'" noise. If the variant cannot be determined, all failures stay.
func narrowOneOf(op *v3.Operation, body []byte, verrs []*verrors.ValidationError) []*verrors.ValidationError {
	if op == nil || op.RequestBody == nil || op.RequestBody.Content == nil || len(verrs) == 0 {
		return verrs
	}
	mt := op.RequestBody.Content.GetOrZero("application/json")
	if mt == nil || mt.Schema == nil {
		return verrs
	}
	s := mt.Schema.Schema()
	if s == nil || s.Discriminator == nil || len(s.OneOf) == 0 {
		return verrs
	}
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil {
		return verrs
	}
	val, ok := obj[s.Discriminator.PropertyName].(string)
	if !ok {
		return verrs
	}
	ref := ""
	if s.Discriminator.Mapping != nil {
		ref = s.Discriminator.Mapping.GetOrZero(val)
	}
	idx := -1
	for i, p := range s.OneOf {
		r := p.GetReference()
		if (ref != "" && r == ref) || (ref == "" && r != "" && strings.HasSuffix(r, "/"+val)) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return verrs
	}
	keep := fmt.Sprintf("/oneOf/%d/", idx)
	out := make([]*verrors.ValidationError, 0, len(verrs))
	for _, e := range verrs {
		if e == nil || len(e.SchemaValidationErrors) == 0 {
			out = append(out, e)
			continue
		}
		var kept []*verrors.SchemaValidationFailure
		for _, f := range e.SchemaValidationErrors {
			if strings.HasPrefix(f.KeywordLocation, "/oneOf/") && !strings.HasPrefix(f.KeywordLocation, keep) {
				continue
			}
			kept = append(kept, f)
		}
		if len(kept) == 0 {
			continue
		}
		narrowed := *e
		narrowed.SchemaValidationErrors = kept
		out = append(out, &narrowed)
	}
	if len(out) == 0 {
		// Never turn a failure into a pass.
		return verrs
	}
	return out
}

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

	c.mu.Lock()
	_, verrs := c.v.GetResponseBodyValidator().ValidateResponseBodyWithPathItem(fresh, freshResp, r.item, r.template)
	c.mu.Unlock()
	problems := describe(verrs)

	op := r.item.GetOperations().GetOrZero(strings.ToLower(fresh.Method))
	documented := documentedResponse(op, resp.StatusCode)
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

// find routes req like the gateway does: the most specific template that
// matches the path and has the method. If none has the method, allowed
// lists the methods of the templates that match the path (405); if no
// template matches, both are empty (404).
func (c *Checker) find(req *http.Request) (match *route, allowed []string) {
	segs, ok := pathSegments(req.URL)
	if !ok {
		return nil, nil
	}
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = http.MethodGet
	}
	for i := range c.routes {
		r := &c.routes[i]
		if !r.matches(segs) {
			continue
		}
		if !slices.Contains(r.methods, method) {
			for _, m := range r.methods {
				if !slices.Contains(allowed, m) {
					allowed = append(allowed, m)
				}
			}
			continue
		}
		if match == nil || r.moreSpecificThan(match) {
			match = r
		}
	}
	return match, allowed
}

// pathSegments splits a request path into unescaped segments.
func pathSegments(u *url.URL) ([]string, bool) {
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") {
		return nil, false
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range parts {
		un, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		parts[i] = un
	}
	return parts, true
}

func (r *route) matches(segs []string) bool {
	if len(segs) != len(r.segments) {
		return false
	}
	for i, s := range r.segments {
		if s == "" {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if s != segs[i] {
			return false
		}
	}
	return true
}

// moreSpecificThan: at the first segment where one template has a literal
// and the other a parameter, the literal wins.
func (r *route) moreSpecificThan(o *route) bool {
	for i := range r.segments {
		a, b := r.segments[i] != "", o.segments[i] != ""
		if a != b {
			return a
		}
	}
	return false
}

// cloneRequest copies req with body b, so that the library may read the
// body and attach state to the request without touching the caller's.
func cloneRequest(req *http.Request, b []byte) *http.Request {
	fresh := req.Clone(context.WithoutCancel(req.Context()))
	if fresh.Method == "" {
		fresh.Method = http.MethodGet
	}
	fresh.Body, fresh.ContentLength, fresh.GetBody = bodyOf(b)
	return fresh
}

// bodyOf returns a fresh, re-readable body for b.
func bodyOf(b []byte) (io.ReadCloser, int64, func() (io.ReadCloser, error)) {
	if len(b) == 0 {
		return http.NoBody, 0, func() (io.ReadCloser, error) { return http.NoBody, nil }
	}
	get := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	rc, _ := get()
	return rc, int64(len(b)), get
}

// describe renders validation errors, one line per schema failure.
func describe(verrs []*verrors.ValidationError) []string {
	var out []string
	for _, e := range verrs {
		if e == nil {
			continue
		}
		msg := e.Message
		if e.Reason != "" && e.Reason != e.Message {
			msg += ": " + e.Reason
		}
		if len(e.SchemaValidationErrors) == 0 {
			out = append(out, msg)
			continue
		}
		for _, f := range e.SchemaValidationErrors {
			where := f.FieldPath
			if where == "" && len(f.InstancePath) > 0 {
				where = "/" + strings.Join(f.InstancePath, "/")
			}
			line := msg + " — " + f.Reason
			if where != "" {
				line += " (at " + where + ")"
			}
			if f.KeywordLocation != "" {
				line += " [schema " + f.KeywordLocation + "]"
			}
			out = append(out, line)
		}
	}
	return out
}

func joinErrors(verrs []*verrors.ValidationError) error {
	return errors.New(strings.Join(describe(verrs), "; "))
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// report formats problems as one error, or nil if there are none.
func report(head string, problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "openapicheck: %s: %d problem(s):", head, len(problems))
	for _, p := range problems {
		b.WriteString("\n  - ")
		b.WriteString(p)
	}
	return errors.New(b.String())
}
