// Package readmetest keeps the output shown in examples/README.md true to
// what the examples print: a test runs an example, takes the README's
// code block for it and checks that the output matches, and can rewrite
// the block when the output changed on purpose.
//
// In a README block, a line that is only "..." stands for any number of
// output lines (none included), and "..." inside a line for any text on
// that line; everything else must be equal, but for trailing spaces.
package readmetest

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
)

const fence = "```"

// Block returns the lines of the n-th fenced code block (from 0) after
// the first line of the file at path that equals heading.
func Block(path, heading string, n int) ([]string, error) {
	lines, start, end, err := locate(path, heading, n)
	if err != nil {
		return nil, err
	}
	return lines[start:end], nil
}

// Replace writes body as the n-th fenced code block after heading in the
// file at path, keeping the rest of the file as it is.
func Replace(path, heading string, n int, body []string) error {
	lines, start, end, err := locate(path, heading, n)
	if err != nil {
		return err
	}
	out := append(append(append([]string{}, lines[:start]...), body...), lines[end:]...)
	return os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644)
}

// locate finds the block: lines[start:end] is its body, between the fences.
func locate(path, heading string, n int) (lines []string, start, end int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, 0, err
	}
	lines = strings.Split(string(b), "\n")
	i := 0
	for i < len(lines) && lines[i] != heading {
		i++
	}
	if i == len(lines) {
		return nil, 0, 0, fmt.Errorf("%s: no line %q", path, heading)
	}
	for k := 0; ; k++ {
		for i < len(lines) && !strings.HasPrefix(lines[i], fence) {
			i++
		}
		if i == len(lines) {
			return nil, 0, 0, fmt.Errorf("%s: no code block %d after %q", path, n, heading)
		}
		start = i + 1
		end = start
		for end < len(lines) && lines[end] != fence {
			end++
		}
		if end == len(lines) {
			return nil, 0, 0, fmt.Errorf("%s: code block after line %d is not closed", path, i+1)
		}
		if k == n {
			return lines, start, end, nil
		}
		i = end + 1
	}
}

// Lines splits output into lines, without the final empty one.
func Lines(output []byte) []string {
	output = bytes.TrimSuffix(output, []byte("\n"))
	return strings.Split(string(output), "\n")
}

// Match checks the output lines got against the README block want and
// describes the first README line it could not find.
func Match(want, got []string) error {
	pos := 0 // next output line to match
	skip := false
	for i, w := range want {
		w = strings.TrimRight(w, " \t")
		if w == "..." {
			skip = true
			continue
		}
		re := linePattern(w)
		found := -1
		for j := pos; j < len(got); j++ {
			if re.MatchString(strings.TrimRight(got[j], " \t")) {
				found = j
				break
			}
			if !skip {
				break
			}
		}
		if found < 0 {
			at := "<end of output>"
			if pos < len(got) {
				at = fmt.Sprintf("%q", got[pos])
			}
			return fmt.Errorf("README line %d %q does not match the output at line %d: %s\nthe output was:\n%s",
				i+1, w, pos+1, at, strings.Join(got, "\n"))
		}
		pos, skip = found+1, false
	}
	if pos < len(got) && !skip {
		return fmt.Errorf("the output goes on after the README's block, from line %d: %q\nthe output was:\n%s",
			pos+1, got[pos], strings.Join(got, "\n"))
	}
	return nil
}

// linePattern turns a README line into a regular expression for a whole
// output line, "..." matching any text.
func linePattern(w string) *regexp.Regexp {
	parts := strings.Split(w, "...")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}
