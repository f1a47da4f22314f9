package spintax

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// seeded returns a deterministic source, so statistical tests cannot flake.
func seeded() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// variants lists every output the tree can produce, sorted and deduplicated.
// Test-only: it recurses and enumerates, so it is for small inputs.
func variants(seq []node) []string {
	out := []string{""}
	for _, n := range seq {
		var opts []string
		if n.alts == nil {
			opts = []string{n.text}
		} else {
			for _, alt := range n.alts {
				opts = append(opts, variants(alt)...)
			}
		}
		var next []string
		for _, prefix := range out {
			for _, o := range opts {
				next = append(next, prefix+o)
			}
		}
		out = next
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestParseVariants(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", []string{""}},
		{"plain", "hello", []string{"hello"}},
		{"three options", "{a|b|c}", []string{"a", "b", "c"}},
		{"nested example", "{Good {morning|afternoon}|Hello}!", []string{"Good afternoon!", "Good morning!", "Hello!"}},
		{"empty option", "{a|}", []string{"", "a"}},
		{"single option", "{a}", []string{"a"}},
		{"empty group", "{}", []string{""}},
		{"two empty options", "{|}", []string{""}},
		{"unclosed group", "{a|b", []string{"{a|b"}},
		{"stray close", "a}", []string{"a}"}},
		{"unclosed outer, closed inner", "{a|{b}", []string{"{a|b"}},
		{"bar outside groups", "a|b", []string{"a|b"}},
		{"reversed braces", "}{", []string{"}{"}},
		{"extra close", "{a}}", []string{"a}"}},
		{"extra open", "{{a}", []string{"{a"}},
		{"bar after group", "{a|b}|c", []string{"a|c", "b|c"}},
		{"nested in last option", "{a|{b|c}}", []string{"a", "b", "c"}},
		{"two groups", "x{a|b}y{c|d}z", []string{"xaycz", "xaydz", "xbycz", "xbydz"}},
		{"groups of groups", "{{a|b}|{c|d}}", []string{"a", "b", "c", "d"}},
		{"trailing open", "{a|b}{", []string{"a{", "b{"}},
		{"strays around", "}{a|b}{", []string{"}a{", "}b{"}},
		{"unpaired open before group", "{{a|b}", []string{"{a", "{b"}},
		{"unpaired close after group", "{a|b}}", []string{"a}", "b}"}},
		{"unicode", "¡{Hola|Buenas}, José!", []string{"¡Buenas, José!", "¡Hola, José!"}},
		{"invalid utf-8 kept", "\xff{a|\xfe}", []string{"\xffa", "\xff\xfe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq, _ := parse(tt.in)
			require.Equal(t, tt.want, variants(seq))

			// Resolve only ever produces those variants, and (for these
			// small sets) all of them.
			r := seeded()
			seen := map[string]bool{}
			for range 200 {
				got := Resolve(tt.in, r)
				require.Contains(t, tt.want, got)
				seen[got] = true
			}
			require.Len(t, seen, len(tt.want))
		})
	}
}

func TestOptionCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"plain | text", 0},
		{"{a}", 1},
		{"{}", 1},
		{"{a|b}", 2},
		{"{a|b} {c|d|e}", 5},
		{"{Good {morning|afternoon}|Hello}!", 4},
		{"{a|b", 0},
		{"{x{a|b}", 2},
		{"{a|{b}", 1},
		{"{{{a|b}|c}|d}", 6},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := count(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, n)
		})
	}
}

func nest(depth int, inner string) string {
	return strings.Repeat("{", depth) + inner + strings.Repeat("}", depth)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", nil},
		{"plain", "hello", nil},
		{"example", "{Good {morning|afternoon}|Hello}!", nil},
		{"depth 16", nest(16, "a"), nil},
		{"depth 17", nest(17, "a"), ErrTooDeep},
		{"depth 17 with options", nest(17, "a|b"), ErrTooDeep},
		{"17 opens, 16 closes", strings.Repeat("{", 17) + "a" + strings.Repeat("}", 16), nil},
		{"17 closes, 16 opens", strings.Repeat("{", 16) + "a" + strings.Repeat("}", 17), nil},
		{"17 unpaired opens", strings.Repeat("{", 17) + "a", nil},
		{"closes before opens", strings.Repeat("}", 20) + strings.Repeat("{", 20), nil},
		{"deep but wide", strings.Repeat(nest(16, "a"), 100), nil},
		{"deep in the middle", "x" + nest(8, "{a|"+nest(9, "b")+"}") + "y", ErrTooDeep},
		{"10000 options in one group", "{" + strings.Repeat("a|", 9999) + "a}", nil},
		{"10001 options in one group", "{" + strings.Repeat("a|", 10000) + "a}", ErrTooManyOptions},
		{"10000 options over groups", strings.Repeat("{a|b}", 5000), nil},
		{"10001 options over groups", strings.Repeat("{a|b}", 5000) + "{c}", ErrTooManyOptions},
		{"single-option groups count", strings.Repeat("{a}", 10001), ErrTooManyOptions},
		{"nested options count", strings.Repeat("{{a|b}|c}", 3333) + "{a|b}", ErrTooManyOptions},
		{"bars in unpaired group do not count", "{" + strings.Repeat("a|", 20000), nil},
		{"bars outside groups do not count", strings.Repeat("|", 20000), nil},
		{"depth hit first", nest(17, "a") + strings.Repeat("{a}", 10001), ErrTooDeep},
		{"options hit first", strings.Repeat("{a}", 10001) + nest(17, "a"), ErrTooManyOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.in)
			require.Equal(t, tt.want, err) // the sentinel itself, not a wrapper
		})
	}
	require.Equal(t, "Spintax nesting deeper than 16 levels", ErrTooDeep.Error())
	require.Equal(t, "Spintax with more than 10,000 options", ErrTooManyOptions.Error())
}

// TestLargeInput runs the worst shapes at the 1 MiB body limit. None may
// recurse per level or go quadratic; the test timeout is the guard.
func TestLargeInput(t *testing.T) {
	const size = 1 << 20
	half := strings.Repeat("{", size/2) + strings.Repeat("}", size/2)
	tests := []struct {
		name    string
		in      string
		valid   error
		resolve string // expected Resolve output, when deterministic
	}{
		{"all opens", strings.Repeat("{", size), nil, strings.Repeat("{", size)},
		{"all closes", strings.Repeat("}", size), nil, strings.Repeat("}", size)},
		{"all bars", strings.Repeat("|", size), nil, strings.Repeat("|", size)},
		{"100000 deep", nest(100000, "x"), ErrTooDeep, "x"},
		{"half opens half closes", half, ErrTooDeep, ""},
		{"opens then one group", strings.Repeat("{", size-5) + "{a|b}", nil, ""},
		{"many groups", strings.Repeat("{a|b}", size/5), ErrTooManyOptions, ""},
		{"one huge group", "{" + strings.Repeat("|", size-2) + "}", ErrTooManyOptions, ""},
		{"unpaired with bars", strings.Repeat("{|", size/2), nil, strings.Repeat("{|", size/2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.valid, Validate(tt.in))
			got := Resolve(tt.in, seeded())
			if tt.resolve != "" {
				require.Equal(t, tt.resolve, got)
			}
			require.LessOrEqual(t, len(got), len(tt.in))
		})
	}
}

// chiSquare returns Pearson's statistic for observed counts against
// expected probabilities.
func chiSquare(counts map[string]int, probs map[string]float64, n int) float64 {
	var x2 float64
	for k, p := range probs {
		e := p * float64(n)
		d := float64(counts[k]) - e
		x2 += d * d / e
	}
	return x2
}

func TestResolveUniform(t *testing.T) {
	// Critical values of chi-square at p = 0.001: 13.82 for 2 degrees of
	// freedom. The seed is fixed, so the outcome is fixed too; the bound
	// only says the fixed outcome looks uniform.
	const draws = 30000
	tests := []struct {
		name  string
		in    string
		probs map[string]float64
	}{
		{"flat", "{a|b|c}", map[string]float64{"a": 1. / 3, "b": 1. / 3, "c": 1. / 3}},
		{"nested", "{Good {morning|afternoon}|Hello}", map[string]float64{"Good morning": .25, "Good afternoon": .25, "Hello": .5}},
		{"with empty", "{a||b}", map[string]float64{"a": 1. / 3, "": 1. / 3, "b": 1. / 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := seeded()
			counts := map[string]int{}
			for range draws {
				counts[Resolve(tt.in, r)]++
			}
			require.Len(t, counts, len(tt.probs), "unexpected variants: %v", counts)
			require.Less(t, chiSquare(counts, tt.probs, draws), 13.82, "counts %v", counts)
		})
	}
}

func TestResolveDeterministicWithSeed(t *testing.T) {
	in := "{a|b|c}{d|e|f}{g|h|i}{j|k|l}"
	var first, second []string
	r1, r2 := seeded(), seeded()
	for range 50 {
		first = append(first, Resolve(in, r1))
		second = append(second, Resolve(in, r2))
	}
	require.Equal(t, first, second)
}

func TestResolveNilRand(t *testing.T) {
	for range 100 {
		require.Contains(t, []string{"a", "b"}, Resolve("{a|b}", nil))
	}
	require.Equal(t, "plain", Resolve("plain", nil))
}

func BenchmarkValidate1MiB(b *testing.B) {
	in := strings.Repeat("Hi {there|friend}, ", (1<<20)/19)
	for b.Loop() {
		_ = Validate(in)
	}
}

func BenchmarkResolve(b *testing.B) {
	in := "{Good {morning|afternoon}|Hello} {Juan|friend}, your order is {ready|on its way}!"
	r := seeded()
	for b.Loop() {
		_ = Resolve(in, r)
	}
}
