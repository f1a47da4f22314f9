package instance

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Name
		ok   bool
	}{
		{"example from the API", "acme__soporte__main", Name{"acme", "soporte", "main"}, true},
		{"digits and hyphens", "t1__c-2__0-x-", Name{"t1", "c-2", "0-x-"}, true},
		{"single chars", "a__b__c", Name{"a", "b", "c"}, true},
		{"32-char parts", strings.Repeat("a", 32) + "__b__c", Name{strings.Repeat("a", 32), "b", "c"}, true},
		{"33-char part", strings.Repeat("a", 33) + "__b__c", Name{}, false},
		{"empty", "", Name{}, false},
		{"two parts", "acme__main", Name{}, false},
		{"four parts", "a__b__c__d", Name{}, false},
		{"single underscore", "a_b_c", Name{}, false},
		{"mixed separators", "a__b_c", Name{}, false},
		{"three underscores", "a___b__c", Name{}, false},
		{"four underscores", "a____b__c", Name{}, false},
		{"empty part", "a____c", Name{}, false},
		{"empty first part", "__b__c", Name{}, false},
		{"trailing separator", "a__b__c__", Name{}, false},
		{"upper case", "Acme__b__c", Name{}, false},
		{"leading hyphen", "-a__b__c", Name{}, false},
		{"leading hyphen in label", "a__b__-c", Name{}, false},
		{"space", "a__b__c ", Name{}, false},
		{"dot", "a.b__c__d", Name{}, false},
		{"non-ascii", "acmé__b__c", Name{}, false},
		{"newline", "a__b__c\n", Name{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseName(tt.in)
			if !tt.ok {
				require.Equal(t, ErrNameFormat, err) // unwrapped, same value
				require.Equal(t, "Must follow {tenant}__{client}__{label} format: three parts joined by two underscores, "+
					"each 1-32 lower-case letters, digits or hyphens (a-z, 0-9, -) starting with a letter or digit, e.g. acme__soporte__main", err.Error())
				require.Equal(t, Name{}, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.in, got.String())
		})
	}
}

func TestValidPart(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"a", true},
		{"0", true},
		{"a-", true},
		{"a-b-c", true},
		{"9lives", true},
		{strings.Repeat("z", 32), true},
		{strings.Repeat("z", 33), false},
		{"", false},
		{"-", false},
		{"-a", false},
		{"A", false},
		{"a_b", false},
		{"a b", false},
		{"ä", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			require.Equal(t, tt.want, ValidPart(tt.in))
		})
	}
}

func TestNameString(t *testing.T) {
	require.Equal(t, "acme__soporte__main", Name{"acme", "soporte", "main"}.String())
}

// refName is the contract's grammar written as a regexp, used only to
// cross-check the hand-written parser.
var refName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}__[a-z0-9][a-z0-9-]{0,31}__[a-z0-9][a-z0-9-]{0,31}$`)

func FuzzParseName(f *testing.F) {
	for _, s := range []string{"acme__soporte__main", "a__b__c", "a___b__c", "", "__", "____", "-a__b__c", "A__b__c", "a__b__c__d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseName(s)
		if refName.MatchString(s) != (err == nil) {
			t.Fatalf("ParseName(%q) err=%v disagrees with the grammar", s, err)
		}
		if err != nil {
			if err != ErrNameFormat {
				t.Fatalf("ParseName(%q) returned %v, want ErrNameFormat", s, err)
			}
			return
		}
		if n.String() != s {
			t.Fatalf("round trip %q -> %q", s, n.String())
		}
		for _, p := range []string{n.Tenant, n.Client, n.Label} {
			if !ValidPart(p) {
				t.Fatalf("ParseName(%q) accepted invalid part %q", s, p)
			}
		}
	})
}
