package reporttest_test

import (
	"testing"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
	"github.com/smarketing/smarketing/report/reporttest"
	"pgregory.net/rapid"
)

func TestCheckMergeOnDefaultModel(t *testing.T) {
	path, detours := report.StagesOf(funnel.Default())
	cfg := report.Config{Path: path, Detours: detours, Period: report.Week, Window: 14 * 24 * 60 * 60 * 1e9}
	rapid.Check(t, func(t *rapid.T) {
		var recs []report.Record
		for _, e := range reporttest.Events(path, detours, 10).Draw(t, "events") {
			recs = append(recs, report.EventRecord(e))
		}
		reporttest.CheckMerge(t, cfg, recs)
	})
}
