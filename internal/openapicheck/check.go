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
	"slices"
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
				seg = param
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
