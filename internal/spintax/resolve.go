package spintax

import (
	"math/rand/v2"
	"strings"
)

// Resolve returns one variant of text, choosing each group's option
// uniformly with r. It is called at send time, once per message, so that
// every recipient gets an independent draw; a nil r uses the global source,
// which suits that use. Tests pass a seeded r to get repeatable output.
//
// Text that fails Validate is still resolved best-effort (never panics) but
// callers validate first. Text without any '{' is returned unchanged.
func Resolve(text string, r *rand.Rand) string {
	if !strings.Contains(text, "{") {
		return text
	}
	intN := rand.IntN
	if r != nil {
		intN = r.IntN
	}

	// Walk the tree with an explicit stack of sequences still being
	// written, for the same reason parse does: depth is not bounded for
	// text that skipped Validate.
	type cursor struct {
		seq []node
		i   int
	}
	var b strings.Builder
	b.Grow(len(text)) // a variant is never longer than its text
	seq, depth := parse(text)
	stack := make([]cursor, 0, depth+1)
	stack = append(stack, cursor{seq: seq})
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i == len(top.seq) {
			stack = stack[:len(stack)-1]
			continue
		}
		n := top.seq[top.i]
		top.i++
		if n.alts == nil {
			b.WriteString(n.text)
			continue
		}
		stack = append(stack, cursor{seq: n.alts[intN(len(n.alts))]})
	}
	return b.String()
}
