package media

import (
	"mime"
	"net/url"
	"path"
	"strings"
	"unicode"
)

// maxNameLen is the longest file name most file systems store (bytes).
const maxNameLen = 255

// maxExtLen bounds what counts as an extension worth keeping when a long
// name is shortened; anything longer is just part of the name.
const maxExtLen = 16

// fileName picks the name a recipient sees. The server's
// Content-Disposition is the most deliberate choice and wins. Otherwise the
// last element of a URL path is used, the tenant's URL before the final
// redirect target, but a name with an extension beats one without: a CDN
// redirect often ends in an opaque hash, while a "/download?id=1" link
// often redirects to the real name.
func fileName(disposition string, urls ...*url.URL) string {
	if _, params, err := mime.ParseMediaType(disposition); err == nil {
		if name := sanitizeFileName(params["filename"]); name != "" {
			return name
		}
	}
	var names []string
	for _, u := range urls {
		if u == nil {
			continue
		}
		if name := sanitizeFileName(u.Path[strings.LastIndex(u.Path, "/")+1:]); name != "" {
			names = append(names, name)
		}
	}
	for _, name := range names {
		if path.Ext(name) != "" {
			return name
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return ""
}

// sanitizeFileName reduces s, which a tenant or a remote server controls,
// to one path element that is safe to show and to save: the last element
// only (no directory traversal), no control or invisible formatting
// characters (a right-to-left override can disguise "gpj.exe"), none of
// the characters Windows forbids, no leading or trailing dots or spaces,
// valid UTF-8, and at most maxNameLen bytes with the extension kept.
// It is idempotent, and returns "" when nothing usable remains.
func sanitizeFileName(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = s[strings.LastIndexAny(s, `/\`)+1:]
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		case unicode.IsSpace(r):
			return ' '
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, s)
	s = strings.Trim(s, " .")
	if len(s) > maxNameLen {
		ext := path.Ext(s)
		if len(ext) > maxExtLen {
			ext = ""
		}
		stem := s[:len(s)-len(ext)]
		s = truncateUTF8(stem, maxNameLen-len(ext)) + ext
		s = strings.Trim(s, " .")
	}
	return s
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
