package openapicheck

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// route is one path template of the document.
type route struct {
	template string
	segments []string // literal segments, or param for a {parameter}
	item     *v3.PathItem
	methods  []string // upper case, in document order
}

// param stands for a {parameter} segment. It is not "", which is the
// literal empty segment of "/" and of a trailing slash ("/console/"), and
// no literal segment of a template can be spelled with braces.
const param = "{}"

// find routes req like the gateway does: the most specific template that
// matches the path and has the method, among the literal templates alone
// when one matches. If none has the method, allowed
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
	// A path that some template spells out in full (/message/text)
	// belongs to the literal templates alone, as in the gateway: a
	// parameter template of another method (/message/{id}) never takes it.
	literal := false
	for i := range c.routes {
		if c.routes[i].literal() && c.routes[i].matches(segs) {
			literal = true
		}
	}
	for i := range c.routes {
		r := &c.routes[i]
		if !r.matches(segs) || (literal && !r.literal()) {
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
		if s == param {
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

// literal reports whether the template has no parameter.
func (r *route) literal() bool { return !slices.Contains(r.segments, param) }

// moreSpecificThan: at the first segment where one template has a literal
// and the other a parameter, the literal wins.
func (r *route) moreSpecificThan(o *route) bool {
	for i := range r.segments {
		a, b := r.segments[i] != param, o.segments[i] != param
		if a != b {
			return a
		}
	}
	return false
}
