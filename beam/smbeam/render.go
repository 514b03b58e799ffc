package smbeam

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/smarketing/smarketing/report"
)

// renderers maps an output format to its renderer.
var renderers = map[string]func(*report.Accumulator) ([]byte, error){
	"binary": func(a *report.Accumulator) ([]byte, error) { return a.MarshalBinary() },
	"json": func(a *report.Accumulator) ([]byte, error) {
		p, err := json.MarshalIndent(a.Report(), "", "  ")
		return append(p, '\n'), err
	},
}

// Formats lists the output formats [Render] knows, sorted.
func Formats() []string {
	fs := make([]string, 0, len(renderers))
	for f := range renderers {
		fs = append(fs, f)
	}
	slices.Sort(fs)
	return fs
}

// Render renders the report of acc in format: one of [Formats], or
// "binary", the accumulator's own encoding.
func Render(format string, acc *report.Accumulator) ([]byte, error) {
	r, ok := renderers[format]
	if !ok {
		return nil, fmt.Errorf("smbeam: unknown output format %q (want one of %v)", format, Formats())
	}
	return r(acc)
}
