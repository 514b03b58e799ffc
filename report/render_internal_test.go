package report

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// mdUnescape is a naive reference of what a CommonMark reader shows for
// the text of a table cell: a backslash before ASCII punctuation is
// dropped, any other character is kept.
func mdUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mdMarkup returns the first character of s that a Markdown reader would
// take as markup or as the end of a table cell, or -1: a character among
// | < > & [ ] * ` ~ not escaped by a backslash, or an unescaped _ that is
// not between two ASCII letters or digits.
func mdMarkup(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", s[i+1]) >= 0 {
			i++
			continue
		}
		if strings.IndexByte("|<>&[]*`~", c) >= 0 {
			return i
		}
		if c == '_' && (i == 0 || i+1 == len(s) || !isAlnum(s[i-1]) || !isAlnum(s[i+1])) {
			return i
		}
	}
	return -1
}

// Any host text in a Markdown cell reads back as the text of the plain
// renderer, holds no markup (no HTML tag, link, emphasis, code span or
// entity) and no character that would end the cell or the line.
func TestMarkdownEscapeRoundTrips(t *testing.T) {
	alphabet := []rune("ab_1 |\\<>&[]*`~!()#\t\n\r\x1b\u202e\u2028é")
	rapid.Check(t, func(t *rapid.T) {
		var s string
		if rapid.Bool().Draw(t, "any") {
			s = rapid.String().Draw(t, "s")
		} else {
			s = string(rapid.SliceOf(rapid.SampledFrom(alphabet)).Draw(t, "runes"))
		}
		got := mdEscape(s)
		if i := mdMarkup(got); i >= 0 {
			t.Fatalf("mdEscape(%q) = %q: markup at byte %d", s, got, i)
		}
		if strings.ContainsAny(got, "\n\r\u2028\u2029\u202e") {
			t.Fatalf("mdEscape(%q) = %q: a line break or bidi override", s, got)
		}
		if back := mdUnescape(got); back != plain(s) {
			t.Fatalf("mdEscape(%q) = %q reads as %q, want %q", s, got, back, plain(s))
		}
	})
}

// The bidirectional controls and line separators are escaped by the text
// renderer, like the C0 and C1 controls; ordinary text, right-to-left
// scripts and emoji sequences (which use U+200D) are kept.
func TestPlainEscapesBidiControls(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a\u202eb", `a\u202eb`},
		{"\u2066x\u2069", `\u2066x\u2069`},
		{"x\u200fy\u200e\u061c", `x\u200fy\u200e\u061c`},
		{"l1\u2028l2\u2029", `l1\u2028l2\u2029`},
		{"שלום عربي", "שלום عربي"},
		{"👩\u200d💻 café", "👩\u200d💻 café"},
	} {
		if got := plain(c.in); got != c.want {
			t.Errorf("plain(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
