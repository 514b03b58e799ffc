package report_test

import (
	"io"
	"testing"

	"github.com/smarketing/smarketing/report"
)

// BenchmarkRender renders the golden files' report (scorecard, channels,
// reasons, criteria) and a 24-month report of the synthetic log with
// every renderer.
func BenchmarkRender(b *testing.B) {
	small := smallReport(&testing.T{}, nil)
	acc, _ := report.NewAccumulator(report.Config{Path: testPath, Detours: testDetours, Location: benchLoc, NoLeadState: true})
	for _, e := range syntheticLog()[:100_000] {
		_ = acc.AddEvent(e)
	}
	long := acc.Report()
	for _, c := range []struct {
		name string
		r    report.Report
	}{{"small", small}, {"24months", long}} {
		for _, w := range []struct {
			name  string
			write func(report.Report, io.Writer) error
		}{
			{"text", report.Report.WriteText}, {"markdown", report.Report.WriteMarkdown},
			{"html", report.Report.WriteHTML}, {"csv", report.Report.WriteCSV},
		} {
			b.Run(c.name+"/"+w.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_ = w.write(c.r, io.Discard)
				}
			})
		}
	}
}
