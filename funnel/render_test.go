package funnel_test

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/funnel"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got), run go test -update if intended:\n%s", path, diff)
	}
}

func TestRenderGolden(t *testing.T) {
	guarded := funnel.DefaultSpec()
	guarded.ID = "guarded"
	guarded.AllowSkip = false
	guarded.Stages[0].Label = `Sub "quoted"` + "\nline"
	guarded.Guards = []funnel.Guard{{Name: "needs_owner", Check: func(funnel.State, funnel.Move) error { return nil }}}
	guarded.Moves = append(guarded.Moves,
		funnel.MoveSpec{From: funnel.MQL, To: funnel.SQL, Guards: []string{"needs_owner"}},
		funnel.MoveSpec{From: funnel.Lead, To: funnel.SQL, Reasons: []funnel.ReasonCode{funnel.ReasonScoreThreshold}, Guards: []string{"needs_owner"}},
	)
	for name, m := range map[string]*funnel.Model{
		"default":   funnel.Default(),
		"waterfall": funnel.Waterfall(),
		"guarded":   funnel.MustNew(guarded),
	} {
		t.Run(name, func(t *testing.T) {
			var mm, dot bytes.Buffer
			if err := m.WriteMermaid(&mm); err != nil {
				t.Fatal(err)
			}
			if err := m.WriteDOT(&dot); err != nil {
				t.Fatal(err)
			}
			golden(t, "testdata/"+name+".mmd", mm.Bytes())
			golden(t, "testdata/"+name+".dot", dot.Bytes())
			// Deterministic: a second rendering is byte-identical.
			var again bytes.Buffer
			if err := m.WriteMermaid(&again); err != nil || !bytes.Equal(again.Bytes(), mm.Bytes()) {
				t.Error("Mermaid output not deterministic")
			}
		})
	}
}

// TestRenderReservedWords: stages named like keywords of either language
// still render as their own nodes.
func TestRenderReservedWords(t *testing.T) {
	m := funnel.MustNew(funnel.Spec{
		ID: "kw",
		Stages: []funnel.StageSpec{
			{ID: "state", Team: funnel.Marketing, Kind: funnel.Forward},
			{ID: "node", Team: funnel.Sales, Kind: funnel.Forward},
			{ID: "end", Team: funnel.Sales, Kind: funnel.Terminal},
		},
		Moves:   []funnel.MoveSpec{{From: "node", To: "end", Reasons: []funnel.ReasonCode{"r"}}},
		Reasons: []funnel.ReasonSpec{{Code: "r"}},
	})
	var mm, dot bytes.Buffer
	if err := m.WriteMermaid(&mm); err != nil {
		t.Fatal(err)
	}
	if err := m.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/keywords.mmd", mm.Bytes())
	golden(t, "testdata/keywords.dot", dot.Bytes())
}

// TestRenderMermaidEscaping: labels keep every character through
// Mermaid's entity codes ('#' used to start one, and '<' and '>' were read
// as HTML), and a model ID that YAML would read as something other than
// that string (a number, a boolean, null) is quoted in the front matter.
func TestRenderMermaidEscaping(t *testing.T) {
	for _, tc := range []struct {
		id, label, title, state string
	}{
		{"acme", `Tier #1; <b>"hot"</b>`, "title: acme\n",
			`state "Tier #35;1; #lt;b#gt;#quot;hot#quot;#lt;/b#gt;" as a` + "\n"},
		{"1.10", "A", `title: "1.10"` + "\n", `state "A" as a` + "\n"},
		{"true", "A", `title: "true"` + "\n", `state "A" as a` + "\n"},
		{"Null", "A", `title: "Null"` + "\n", `state "A" as a` + "\n"},
		{"-x", "A", `title: "-x"` + "\n", `state "A" as a` + "\n"},
		// Mermaid reads any line with "direction", spaces and lr, tb, bt or
		// rl (any case) as a direction statement, and "[[fork]]" (join,
		// choice) in a state line as a pseudo-state: both used to drop the
		// stage's label.
		{"acme", "Redirection LR", "title: acme\n", `state "Redirectio#110; LR" as a` + "\n"},
		{"acme", "DIRECTION\ttbd direction", "title: acme\n", `state "DIRECTIO#78;	tbd directio#110;" as a` + "\n"},
		{"acme", "Pick [[fork]]", "title: acme\n", `state "Pick #91;#91;fork]]" as a` + "\n"},
	} {
		m := funnel.MustNew(funnel.Spec{ID: tc.id, Stages: []funnel.StageSpec{{ID: "a", Label: tc.label, Team: funnel.Sales, Kind: funnel.Forward}}})
		var b bytes.Buffer
		if err := m.WriteMermaid(&b); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{tc.title, tc.state} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("id %q, label %q: output does not contain %q:\n%s", tc.id, tc.label, want, b.String())
			}
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestRenderWriteError(t *testing.T) {
	m := funnel.Default()
	if err := m.WriteMermaid(failWriter{}); err == nil {
		t.Error("WriteMermaid ignored a write error")
	}
	if err := m.WriteDOT(failWriter{}); err == nil {
		t.Error("WriteDOT ignored a write error")
	}
}

// TestRenderMermaidDefaultPrefix: Mermaid's lexer takes the first rule that
// matches, and its "default" rule needs no word boundary, so stage IDs that
// start with "default" (and "statediagram", a keyword) are prefixed like
// the reserved words; other IDs are left alone.
func TestRenderMermaidDefaultPrefix(t *testing.T) {
	m := funnel.MustNew(funnel.Spec{
		ID: "kw",
		Stages: []funnel.StageSpec{
			{ID: "defaults", Team: funnel.Marketing, Kind: funnel.Forward},
			{ID: "default_tier", Team: funnel.Sales, Kind: funnel.Forward},
			{ID: "statediagram", Team: funnel.Sales, Kind: funnel.Forward},
			{ID: "nodefault", Team: funnel.Sales, Kind: funnel.Forward},
		},
	})
	var b bytes.Buffer
	if err := m.WriteMermaid(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"[*] --> S_defaults\n", "S_defaults --> S_default_tier\n",
		"S_default_tier --> S_statediagram\n", "S_statediagram --> nodefault\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output does not contain %q:\n%s", want, b.String())
		}
	}
}

// TestRenderDOTControlCharacters: control characters in labels (a NUL
// byte ends a string for Graphviz) are written as spaces, tabs kept, line
// feeds as \n and carriage returns dropped.
func TestRenderDOTControlCharacters(t *testing.T) {
	m := funnel.MustNew(funnel.Spec{ID: "cc", Stages: []funnel.StageSpec{
		{ID: "a", Label: "x\x00y\x1b\tz\r\nw\x7f", Team: funnel.Sales, Kind: funnel.Forward},
	}})
	var b bytes.Buffer
	if err := m.WriteDOT(&b); err != nil {
		t.Fatal(err)
	}
	want := `"a" [label="x y ` + "\t" + `z\nw \nsales"`
	if !strings.Contains(b.String(), want) {
		t.Errorf("output does not contain %q:\n%q", want, b.String())
	}
	for i := 0; i < b.Len(); i++ {
		if c := b.Bytes()[i]; c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			t.Errorf("control byte 0x%02x at %d", c, i)
		}
	}
}
