package smbeam

import (
	"bytes"
	"fmt"
	"io"
	"slices"

	"github.com/smarketing/smarketing/report"
)

// renderers maps an output format to the report renderer that writes it.
var renderers = map[string]func(report.Report, io.Writer) error{
	"text":     report.Report.WriteText,
	"markdown": report.Report.WriteMarkdown,
	"csv":      report.Report.WriteCSV,
	"json":     report.Report.WriteJSON,
	"html":     report.Report.WriteHTML,
	"binary":   nil, // the accumulator's own encoding
}

// Formats lists the output formats [Render] knows, sorted: the report
// package's renderers (text, markdown, csv, json, html) and "binary", the
// accumulator's versioned encoding, which a later job can decode with the
// same configuration and merge with more data.
func Formats() []string {
	fs := make([]string, 0, len(renderers))
	for f := range renderers {
		fs = append(fs, f)
	}
	slices.Sort(fs)
	return fs
}

// Render renders the report of acc in format, one of [Formats]. The bytes
// are the same as the report package's renderer writes in-process.
func Render(format string, acc *report.Accumulator) ([]byte, error) {
	r, ok := renderers[format]
	if !ok {
		return nil, fmt.Errorf("smbeam: unknown output format %q (want one of %v)", format, Formats())
	}
	if r == nil {
		return acc.MarshalBinary()
	}
	var b bytes.Buffer
	if err := r(acc.Report(), &b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
