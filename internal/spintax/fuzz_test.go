package spintax

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// refPairs matches braces the obvious way, independently of the package:
// for each '}', search left for the nearest '{' not yet used.
// Quadratic, so only for fuzz-sized inputs.
func refPairs(text string) map[int]int {
	pair := map[int]int{}
	for j := 0; j < len(text); j++ {
		if text[j] != '}' {
			continue
		}
		for i := j - 1; i >= 0; i-- {
			if _, used := pair[i]; text[i] == '{' && !used {
				pair[i], pair[j] = j, i
				break
			}
		}
	}
	return pair
}

// refMeasure computes depth and option count from refPairs by counting.
func refMeasure(text string) (depth, options int) {
	pair := refPairs(text)
	d := 0
	for i := 0; i < len(text); i++ {
		_, p := pair[i]
		switch {
		case text[i] == '{' && p:
			d++
			options++
			depth = max(depth, d)
		case text[i] == '}' && p:
			d--
		case text[i] == '|' && d > 0:
			options++
		}
	}
	return depth, options
}

// refVariants enumerates every output of text[lo:hi] recursively from
// refPairs, giving up (ok false) past limit variants.
func refVariants(text string, pair map[int]int, lo, hi, limit int) (out []string, ok bool) {
	out = []string{""}
	appendAll := func(opts []string) bool {
		var next []string
		for _, a := range out {
			for _, b := range opts {
				next = append(next, a+b)
			}
		}
		out = next
		return len(out) <= limit
	}
	for i := lo; i < hi; i++ {
		j, p := pair[i]
		if !p || text[i] != '{' {
			if !appendAll([]string{text[i : i+1]}) {
				return nil, false
			}
			continue
		}
		var opts []string
		start, d := i+1, 0
		for k := i + 1; k <= j; k++ {
			_, pk := pair[k]
			switch {
			case pk && text[k] == '{':
				d++
			case pk && text[k] == '}' && k != j:
				d--
			case k == j || (text[k] == '|' && d == 0):
				alt, ok := refVariants(text, pair, start, k, limit)
				if !ok {
					return nil, false
				}
				opts = append(opts, alt...)
				start = k + 1
			}
		}
		if !appendAll(opts) {
			return nil, false
		}
		i = j
	}
	return out, true
}

// balanced reports whether every brace in text pairs, by a plain counter.
func balanced(text string) bool {
	d := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '{':
			d++
		case '}':
			if d--; d < 0 {
				return false
			}
		}
	}
	return d == 0
}

var fuzzSeeds = []string{
	"", "hello", "{a|b|c}", "{Good {morning|afternoon}|Hello}!", "{a|}", "{a}", "{}",
	"{a|b", "a}", "{a|{b}", "a|b", "}{", "{{a}", "{a}}", "{a|b}|c", "x{a|b}y{c|d}z",
	"¡{Hola|Buenas}!", "\xff{a|\xfe}", nest(17, "a"), nest(16, "a|b"), "{|{|{|}}}",
}

func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		err := Validate(text)
		if len(text) > 4096 {
			return // the reference is quadratic
		}
		depth, options := refMeasure(text)
		switch err {
		case nil:
			if depth > MaxDepth || options > MaxOptions {
				t.Fatalf("Validate(%q) = nil, reference depth %d options %d", text, depth, options)
			}
			if n, _ := count(text); n != options {
				t.Fatalf("count(%q) = %d, reference %d", text, n, options)
			}
		case ErrTooDeep:
			if depth <= MaxDepth {
				t.Fatalf("Validate(%q) = ErrTooDeep, reference depth %d", text, depth)
			}
		case ErrTooManyOptions:
			if options <= MaxOptions {
				t.Fatalf("Validate(%q) = ErrTooManyOptions, reference options %d", text, options)
			}
		default:
			t.Fatalf("Validate(%q) = %v, not a sentinel", text, err)
		}
	})
}

func FuzzResolve(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint64(i))
	}
	f.Fuzz(func(t *testing.T, text string, seed uint64) {
		out := Resolve(text, rand.New(rand.NewPCG(seed, 0)))
		if again := Resolve(text, rand.New(rand.NewPCG(seed, 0))); again != out {
			t.Fatalf("Resolve(%q) not repeatable with one seed: %q then %q", text, out, again)
		}
		if len(out) > len(text) {
			t.Fatalf("Resolve(%q) = %q grew", text, out)
		}
		if !strings.ContainsAny(text, "{}") && out != text {
			t.Fatalf("Resolve(%q) = %q, want the text unchanged", text, out)
		}
		if balanced(text) && strings.ContainsAny(out, "{}") {
			t.Fatalf("Resolve(%q) = %q leaked a paired brace", text, out)
		}
		if len(text) > 256 || Validate(text) != nil {
			return
		}
		want, ok := refVariants(text, refPairs(text), 0, len(text), 4096)
		if ok && !slices.Contains(want, out) {
			t.Fatalf("Resolve(%q) = %q, not among reference variants %q", text, out, want)
		}
	})
}
