package media

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestSanitizeFileName(t *testing.T) {
	long := strings.Repeat("é", 200) + ".pdf" // 404 bytes
	cases := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\x\evil.exe`, "evil.exe"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"}, // right-to-left override removed
		{"a\x00b\nc.txt", "abc.txt"},
		{"  .hidden. ", "hidden"},
		{"..", ""},
		{"/", ""},
		{"", ""},
		{`what?"*<>|:.txt`, "what_______.txt"},
		{"tab\u00A0space.txt", "tab space.txt"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{long, strings.Repeat("é", 125) + ".pdf"},
		{strings.Repeat("a", 300), strings.Repeat("a", 255)},
	}
	for _, c := range cases {
		require.Equal(t, c.want, sanitizeFileName(c.in), "%q", c.in)
	}
}

func TestFileNamePreference(t *testing.T) {
	u := func(s string) *url.URL {
		v, err := url.Parse(s)
		require.NoError(t, err)
		return v
	}
	cases := []struct {
		disposition   string
		orig, final   string
		want          string
		whyNotObvious string
	}{
		{`attachment; filename="a.pdf"`, "https://x/b.pdf", "https://x/c.pdf", "a.pdf", "disposition wins"},
		{`attachment; filename="///"`, "https://x/b.pdf", "https://x/c.pdf", "b.pdf", "empty disposition name ignored"},
		{`garbage;;`, "https://x/b.pdf", "https://x/c.pdf", "b.pdf", "unparsable disposition ignored"},
		{"", "https://x/download", "https://cdn/c.pdf", "c.pdf", "an extension beats a bare name"},
		{"", "https://x/b.pdf", "https://cdn/3f2a9", "b.pdf", "tenant URL before an opaque CDN name"},
		{"", "https://x/download", "https://cdn/3f2a9", "download", "no extension anywhere: tenant URL"},
		{"", "https://x/", "https://x/?q=1", "", "nothing"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, fileName(c.disposition, u(c.orig), u(c.final)), c.whyNotObvious)
	}
}

// FuzzFileName checks the properties callers rely on for any header and
// URL a remote party can send: a single, visible, bounded, stable name.
func FuzzFileName(f *testing.F) {
	f.Add(`attachment; filename="../a.pdf"`, "https://x/y/b%2F..%2Fc.png")
	f.Add(`inline; filename*=UTF-8''%E2%80%AEfdp.exe`, "https://x/\u202e")
	f.Add("", "https://x/"+strings.Repeat("\u00e9", 200)+".docx")
	f.Fuzz(func(t *testing.T, disposition, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			u = nil
		}
		for _, name := range []string{fileName(disposition, u, u), sanitizeFileName(disposition), sanitizeFileName(raw)} {
			require.True(t, utf8.ValidString(name), "%q", name)
			require.LessOrEqual(t, len(name), maxNameLen)
			require.False(t, strings.ContainsAny(name, `/\<>:"|?*`), "%q", name)
			require.NotEqual(t, ".", name)
			require.NotEqual(t, "..", name)
			if name != "" {
				require.NotContains(t, " .", name[:1])
				require.NotContains(t, " .", name[len(name)-1:])
			}
			for _, r := range name {
				require.False(t, unicode.IsControl(r) || unicode.Is(unicode.Cf, r), "%q", name)
			}
			require.Equal(t, name, sanitizeFileName(name), "idempotent")
		}
	})
}
