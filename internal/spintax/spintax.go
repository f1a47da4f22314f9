// Package spintax parses and resolves spintax, the "{a|b|c}" syntax tenants
// use so that each message of a campaign reads slightly differently.
//
// Brace rule. Braces are matched first, on their own, the way a stack
// matches brackets: each '}' pairs with the nearest '{' before it that is
// still unpaired; a '}' with nothing to pair with, and every '{' still
// unpaired at the end, is literal text. Only paired braces form groups. A '|'
// separates alternatives of the innermost group that contains it; outside
// every group it is literal. So "{a|b" and "a}" stay as they are, and in
// "{a|{b}" only "{b}" is a group, giving "{a|b". The rule never looks ahead
// for meaning and never backtracks, so one linear pass decides it.
//
// Both passes are iterative, so input nested far past MaxDepth (say 100,000
// '{') costs memory proportional to its length but never deep recursion.
package spintax

import (
	"errors"
	"strings"
)

// MaxDepth bounds nesting so that one message cannot carry a deeply nested
// text whose resolution or display would be costly. Depth counts paired
// groups only: "{a}" is depth 1, "{{a}}" depth 2.
const MaxDepth = 16

// MaxOptions bounds the total number of alternatives in one text, counting
// every alternative of every group, nested ones included ("{a|b} {c|d|e}"
// has 5; "{a}" has 1). It caps parse work and memory per message.
const MaxOptions = 10000

// Validate's errors. Their text is shown to API users as is, and Validate
// returns them unwrapped so errors.Is (and ==) work.
var (
	ErrTooDeep        = errors.New("Spintax nesting deeper than 16 levels")
	ErrTooManyOptions = errors.New("Spintax with more than 10,000 options")
)

// Validate checks text against MaxDepth and MaxOptions, so a bad text is a
// 400 at enqueue time rather than a failure at send time. Unpaired braces
// are not an error: they are literal text by the package's brace rule. When
// both limits are exceeded, the error for whichever is hit first, reading
// left to right, is returned.
func Validate(text string) error {
	_, err := count(text)
	return err
}

// pending is a '{' waiting for its '}' while count runs. Both fields matter
// only if this '{' ends up paired. They are small and saturating so that the
// stack costs 4 bytes per '{' even for a 1 MiB body of nothing but '{'.
type pending struct {
	height uint8  // tallest group closed directly inside so far (≤ MaxDepth)
	bars   uint16 // '|' directly inside so far, capped at MaxOptions+1
}

// count is the bracket-matching pass that Validate runs. It stops at the
// first limit exceeded and returns that error, with the options counted up
// to there (all of them when err is nil).
//
// The depth check works without knowing yet which '{' will pair. The height
// of a group (1 + the tallest group inside it) is known when its '}' is
// read, and the deepest nesting in the text equals the greatest height of
// any group. A closed group's height is handed to the '{' just below it on
// the stack: if that '{' later pairs it is the group's true parent, and if
// it never pairs then nothing below it does either, so there is no parent
// to miss. '|' are counted on the '{' at the top of the stack by the same
// argument.
func count(text string) (options int, err error) {
	stack := make([]pending, 0, strings.Count(text, "{"))
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '{':
			stack = append(stack, pending{})
		case '|':
			if n := len(stack); n > 0 && stack[n-1].bars <= MaxOptions {
				stack[n-1].bars++
			}
		case '}':
			n := len(stack)
			if n == 0 {
				continue // stray '}', literal
			}
			g := stack[n-1]
			stack = stack[:n-1]
			h := g.height + 1
			if h > MaxDepth {
				return options, ErrTooDeep
			}
			options += int(g.bars) + 1
			if options > MaxOptions {
				return options, ErrTooManyOptions
			}
			if n > 1 && stack[n-2].height < h {
				stack[n-2].height = h
			}
		}
	}
	return options, nil
}

// pairs is the same matching pass for parse: it reports, for every byte of
// text, whether it is a paired brace, and enforces no limits, which is what
// best-effort resolution needs. It also returns the nesting depth of the
// paired groups, so that callers can size their stacks once.
func pairs(text string) (paired []bool, depth int) {
	paired = make([]bool, len(text))
	stack := make([]int, 0, strings.Count(text, "{")) // offsets of unpaired '{'
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '{':
			stack = append(stack, i)
		case '}':
			if n := len(stack); n > 0 {
				paired[stack[n-1]], paired[i] = true, true
				stack = stack[:n-1]
			}
		}
	}
	d := 0
	for i, p := range paired {
		switch {
		case !p:
		case text[i] == '{':
			d++
			depth = max(depth, d)
		default:
			d--
		}
	}
	return paired, depth
}

// node is one piece of a parsed text: literal text, or a group.
type node struct {
	text string   // the literal text, when alts is nil
	alts [][]node // a group's alternatives, at least one (possibly empty)
}

// frame is a group being built by parse.
type frame struct {
	alts [][]node // alternatives finished so far
	cur  []node   // the alternative being read
}

// parse turns text into a sequence of nodes, using only the braces that the
// matching pass paired. It builds with an explicit stack, so nesting depth
// is bounded by memory, not by the goroutine stack. Literal runs are
// substrings of text; nothing is copied. It also returns the nesting depth.
func parse(text string) (seq []node, depth int) {
	mark, depth := pairs(text)
	stack := make([]frame, 1, depth+1) // stack[0] is the top-level sequence
	lit := 0                           // start of the literal run not yet emitted
	flush := func(end int) {
		if end > lit {
			top := &stack[len(stack)-1]
			top.cur = append(top.cur, node{text: text[lit:end]})
		}
		lit = end + 1
	}
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '{' && mark[i]:
			flush(i)
			stack = append(stack, frame{})
		case c == '}' && mark[i]:
			flush(i)
			g := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			top := &stack[len(stack)-1]
			top.cur = append(top.cur, node{alts: append(g.alts, g.cur)})
		case c == '|' && len(stack) > 1:
			flush(i)
			top := &stack[len(stack)-1]
			top.alts = append(top.alts, top.cur)
			top.cur = nil
		}
	}
	flush(len(text))
	return stack[0].cur, depth
}
