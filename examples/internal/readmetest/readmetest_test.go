package readmetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	got := []string{"title", "a 1", "b 2", "c 3", "end  "}
	for _, tc := range []struct {
		want []string
		ok   bool
	}{
		{[]string{"title", "a 1", "b 2", "c 3", "end"}, true},
		{[]string{"title", "...", "end"}, true},
		{[]string{"title", "...", "c 3", "end"}, true},
		{[]string{"title", "a ...", "...", "end"}, true},
		{[]string{"...", "end"}, true},
		{[]string{"title", "..."}, true},
		{[]string{"title", "a 1", "b 2", "c 3", "end", "more"}, false},
		{[]string{"title", "a 1", "c 3", "end"}, false},        // a line left out without "..."
		{[]string{"title", "a 2", "...", "end"}, false},        // a changed number
		{[]string{"title", "...", "b 2", "a 1", "end"}, false}, // out of order
		{[]string{"title", "a 1"}, false},                      // output goes on
		{[]string{"title", "a (1)", "...", "end"}, false},      // no regexp in a README line
	} {
		if err := Match(tc.want, got); (err == nil) != tc.ok {
			t.Errorf("Match(%q): %v, want ok=%v", tc.want, err, tc.ok)
		}
	}
}

func TestBlockAndReplace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "README.md")
	doc := "# x\n\n## One\n\n```sh\ncmd\n```\n\n```\nold 1\nold 2\n```\n\n## Two\n\n```\nother\n```\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := Block(path, "## One", 1)
	if err != nil || strings.Join(b, "|") != "old 1|old 2" {
		t.Fatalf("Block: %q, %v", b, err)
	}
	if err := Replace(path, "## One", 1, []string{"new"}); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if want := strings.Replace(doc, "old 1\nold 2\n", "new\n", 1); string(after) != want {
		t.Errorf("after Replace:\n%s\nwant:\n%s", after, want)
	}
	if _, err := Block(path, "## Three", 0); err == nil {
		t.Error("a missing heading is not an error")
	}
	if _, err := Block(path, "## Two", 1); err == nil {
		t.Error("a missing block is not an error")
	}
}
