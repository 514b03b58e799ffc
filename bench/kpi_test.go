package bench_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smarketing/smarketing/bench"
	"github.com/smarketing/smarketing/funnel"
)

// TestKPIAgrees checks that package report, the hand-written pass and the
// SQLite queries give the same figures on a small log, and that the log
// replays.
func TestKPIAgrees(t *testing.T) {
	m := funnel.Default()
	const contacts, events = 300, 3000
	log, offsets, err := bench.NewGen(m, 7).Log(contacts, events)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) < events*9/10 {
		t.Fatalf("generated %d events, want about %d", len(log), events)
	}
	for i := range contacts {
		if _, err := m.Replay(bench.ContactID(i), log[offsets[i]:offsets[i+1]]); err != nil {
			t.Fatalf("contact %d: %v", i, err)
		}
	}
	hand, err := bench.HandFigures(log)
	if err != nil {
		t.Fatal(err)
	}
	if len(hand) < 6 {
		t.Fatalf("only %d months", len(hand))
	}
	for _, noLead := range []bool{false, true} {
		r, err := bench.ReportRun(bench.ReportConfig(noLead), log)
		if err != nil {
			t.Fatal(err)
		}
		got, err := bench.ReportFigures(r)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(hand, got); d != "" {
			t.Errorf("report (NoLeadState %v) differs from the hand-written pass (-hand +report):\n%s", noLead, d)
		}
	}
	for name, open := range map[string]func() (*bench.SQLite, error){"SQLite": bench.OpenSQLite, "tuned SQLite": bench.OpenSQLiteTuned} {
		db, err := open()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Load(log); err != nil {
			t.Fatal(err)
		}
		got, err := db.Figures()
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(hand, got); d != "" {
			t.Errorf("%s differs from the hand-written pass (-hand +sqlite):\n%s", name, d)
		}
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}
}
