package funnel

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// WriteMermaid writes the model as a Mermaid state diagram
// (stateDiagram-v2), ready to paste into Markdown. The output is
// deterministic (declaration order) and shows:
//
//   - the forward path as plain arrows, from the start marker to the entry
//     stage; skips (and entries past the entry stage) are implied by the
//     title when the model allows them and drawn only when declared;
//   - every declared move labelled with its reason codes (and guards in
//     brackets);
//   - stages styled by class: one per team on the forward path, "detour"
//     (dashed) and "terminal" (grey, with an arrow to the end marker).
//
// Stage IDs are the Mermaid state IDs, except words Mermaid reserves (end,
// state, note, ...) and IDs that start with "default" (Mermaid reads the
// word out of "defaults"), which are written with an "S_" prefix.
func (m *Model) WriteMermaid(w io.Writer) error {
	b := bufio.NewWriter(w)
	title := m.id
	if m.allowSkip {
		title += " (forward moves may skip stages)"
	}
	b.WriteString("---\ntitle: " + yamlTitle(title) + "\n---\nstateDiagram-v2\n    direction LR\n")
	for _, st := range m.stages {
		label := st.Label
		if label == "" {
			label = string(st.ID)
		}
		b.WriteString("    state \"" + mermaidText(label) + "\" as " + mermaidID(st.ID) + "\n")
	}
	for to, c := range m.entries {
		if c < 0 || (to != m.entry && !m.edges[c].declared) {
			continue
		}
		b.WriteString("    [*] --> " + mermaidID(m.stages[to].ID))
		if l := m.edgeLabel(&m.edges[c], ", "); l != "" {
			b.WriteString(": " + l)
		}
		b.WriteString("\n")
	}
	for k := 0; k+1 < len(m.forward); k++ {
		from, to := m.forward[k], m.forward[k+1]
		e := &m.edges[m.cells[from*m.n+to]]
		b.WriteString("    " + mermaidID(m.stages[from].ID) + " --> " + mermaidID(m.stages[to].ID))
		if l := m.edgeLabel(e, ", "); l != "" {
			b.WriteString(": " + l)
		}
		b.WriteString("\n")
	}
	for i := range m.edges {
		e := &m.edges[i]
		if !e.declared || e.kind == MoveForward || e.kind == MoveEntry {
			continue
		}
		b.WriteString("    " + mermaidID(m.stages[e.from].ID) + " --> " + mermaidID(m.stages[e.to].ID))
		if l := m.edgeLabel(e, ", "); l != "" {
			b.WriteString(": " + l)
		}
		b.WriteString("\n")
	}
	for _, st := range m.stages {
		if st.Kind == Terminal {
			b.WriteString("    " + mermaidID(st.ID) + " --> [*]\n")
		}
	}
	b.WriteString("    classDef marketing fill:#dbeafe,stroke:#1d4ed8\n")
	b.WriteString("    classDef sales fill:#dcfce7,stroke:#15803d\n")
	b.WriteString("    classDef customer_success fill:#f3e8ff,stroke:#7e22ce\n")
	b.WriteString("    classDef detour fill:#fef3c7,stroke:#b45309,stroke-dasharray:5 5\n")
	b.WriteString("    classDef terminal fill:#e5e7eb,stroke:#4b5563\n")
	for _, class := range []string{string(Marketing), string(Sales), string(CustomerSuccess), string(Detour), string(Terminal)} {
		var ids []string
		for _, st := range m.stages {
			c := string(st.Team)
			if st.Kind != Forward {
				c = string(st.Kind)
			}
			if c == class {
				ids = append(ids, mermaidID(st.ID))
			}
		}
		if len(ids) > 0 {
			b.WriteString("    class " + strings.Join(ids, ",") + " " + class + "\n")
		}
	}
	return b.Flush()
}

// edgeLabel lists an edge's reason codes and guards.
func (m *Model) edgeLabel(e *edge, sep string) string {
	parts := make([]string, 0, len(e.reasons)+len(e.guards))
	for _, r := range e.reasons {
		parts = append(parts, string(r))
	}
	for _, g := range e.guards {
		parts = append(parts, "["+m.guards[g].Name+"]")
	}
	return strings.Join(parts, sep)
}

// mermaidID returns the Mermaid identifier of a stage: the stage ID
// itself, except for words Mermaid's grammar reserves, which get an
// upper-case prefix (stage IDs are lower case, so it cannot collide).
// Mermaid's lexer takes the first rule that matches, not the longest, and
// its "default" rule needs no word boundary: "defaults" or
// "default_tier" would be read as the keyword and an ID "s" or "_tier".
func mermaidID(s Stage) string {
	switch s {
	case "end", "state", "note", "direction", "class", "classdef", "style", "click",
		"as", "left", "right", "of", "default", "fork", "join", "choice", "concurrent",
		"linkstyle", "accdescr", "acctitle", "title", "hide_empty_description", "scale",
		"statediagram", "href":
		return "S_" + string(s)
	}
	if strings.HasPrefix(string(s), "default") {
		return "S_" + string(s)
	}
	return string(s)
}

// mermaidText escapes a label for a Mermaid quoted string, with Mermaid's
// entity codes: the quote; '#', which would otherwise start an entity code
// ("Tier #1; leads" would lose its "#1;"); '<' and '>', which Mermaid
// would otherwise read as HTML ("<b>" would vanish into bold text); '[',
// so that "[[fork]]", "[[join]]" or "[[choice]]" in a label does not turn
// the stage into a fork, join or choice pseudo-state; and the last letter
// of the word "direction" in any case, because Mermaid reads any line
// where it is followed by a space and "lr", "tb", "bt" or "rl" as a
// direction statement ("Redirection LR" would drop the stage). Line
// breaks become spaces.
func mermaidText(s string) string {
	s = mermaidEscaper.Replace(s)
	if !containsFold(s, "direction") {
		return s
	}
	var b strings.Builder
	for {
		i := indexFold(s, "direction")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		n := i + len("direction") - 1
		b.WriteString(s[:n])
		b.WriteString("#" + strconv.Itoa(int(s[n])) + ";")
		s = s[n+1:]
	}
}

// indexFold is strings.Index for an ASCII lower-case word, ignoring ASCII
// case in s.
func indexFold(s, word string) int {
	for i := 0; i+len(word) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(word)], word) {
			return i
		}
	}
	return -1
}

func containsFold(s, word string) bool { return indexFold(s, word) >= 0 }

var mermaidEscaper = strings.NewReplacer(`"`, "#quot;", "#", "#35;", "<", "#lt;", ">", "#gt;", "[", "#91;", "\n", " ", "\r", " ")

// yamlTitle returns a model's title for Mermaid's YAML front matter: as it
// is when YAML reads it back as that string, else double-quoted (a spec ID
// may be "1.10", which YAML reads as the number 1.1, or "true" or "null";
// spec IDs hold no character that needs escaping in double quotes).
func yamlTitle(s string) string {
	c := s[0]
	switch strings.ToLower(s) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n":
	default:
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return s
		}
	}
	return `"` + s + `"`
}

// WriteDOT writes the model as a Graphviz digraph (render with
// `dot -Tsvg`). The output is deterministic (declaration order): forward
// stages are boxes coloured by team on a heavy left-to-right path; detours
// are dashed, terminals are grey octagons; backward moves are dashed blue
// arrows, detours dashed orange, returns dotted green and moves across
// detours dotted grey, each labelled with its reason codes and guards.
// Skips (and entries past the entry stage) are drawn only when declared;
// the graph label says when the model allows them all. Node IDs are
// quoted, so stages named like DOT keywords (node, edge, graph) are safe.
func (m *Model) WriteDOT(w io.Writer) error {
	b := bufio.NewWriter(w)
	b.WriteString("digraph " + dotQuote(m.id) + " {\n")
	label := m.id
	if m.allowSkip {
		label += " (forward moves may skip stages)"
	}
	b.WriteString("\tlabel=" + dotQuote(label) + ";\n\tlabelloc=t;\n\trankdir=LR;\n")
	b.WriteString("\tnode [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n")
	b.WriteString("\tedge [fontname=\"Helvetica\", fontsize=10];\n")
	b.WriteString("\t_start [shape=point, label=\"\"];\n")
	fill := map[Team]string{Marketing: "#dbeafe", Sales: "#dcfce7", CustomerSuccess: "#f3e8ff"}
	for _, st := range m.stages {
		label := st.Label
		if label == "" {
			label = string(st.ID)
		}
		attrs := "label=" + dotQuote(label+"\n"+string(st.Team))
		switch st.Kind {
		case Forward:
			attrs += ", fillcolor=\"" + fill[st.Team] + "\""
		case Detour:
			attrs += ", style=\"rounded,filled,dashed\", fillcolor=\"#fef3c7\", color=\"#b45309\""
		case Terminal:
			attrs += ", shape=octagon, style=filled, fillcolor=\"#e5e7eb\", color=\"#4b5563\""
		}
		b.WriteString("\t" + dotQuote(string(st.ID)) + " [" + attrs + "];\n")
	}
	for to, c := range m.entries {
		if c < 0 || (to != m.entry && !m.edges[c].declared) {
			continue
		}
		b.WriteString("\t_start -> " + dotQuote(string(m.stages[to].ID)))
		if l := m.edgeLabel(&m.edges[c], "\n"); l != "" {
			b.WriteString(" [label=" + dotQuote(l) + "]")
		}
		b.WriteString(";\n")
	}
	for k := 0; k+1 < len(m.forward); k++ {
		from, to := m.forward[k], m.forward[k+1]
		e := &m.edges[m.cells[from*m.n+to]]
		b.WriteString("\t" + dotQuote(string(m.stages[from].ID)) + " -> " + dotQuote(string(m.stages[to].ID)) + " [penwidth=2, weight=10")
		if l := m.edgeLabel(e, "\n"); l != "" {
			b.WriteString(", label=" + dotQuote(l))
		}
		b.WriteString("];\n")
	}
	style := map[MoveKind]string{
		MoveSkip:     "style=solid",
		MoveBackward: "style=dashed, color=\"#1d4ed8\", fontcolor=\"#1d4ed8\", constraint=false",
		MoveDetour:   "style=dashed, color=\"#b45309\", fontcolor=\"#b45309\"",
		MoveReturn:   "style=dotted, color=\"#15803d\", fontcolor=\"#15803d\", constraint=false",
		MoveAcross:   "style=dotted, color=\"#4b5563\", fontcolor=\"#4b5563\"",
	}
	for i := range m.edges {
		e := &m.edges[i]
		if !e.declared || e.kind == MoveForward || e.kind == MoveEntry {
			continue
		}
		b.WriteString("\t" + dotQuote(string(m.stages[e.from].ID)) + " -> " + dotQuote(string(m.stages[e.to].ID)) + " [" + style[e.kind])
		if l := m.edgeLabel(e, "\n"); l != "" {
			b.WriteString(", label=" + dotQuote(l))
		}
		b.WriteString("];\n")
	}
	b.WriteString("}\n")
	return b.Flush()
}

// dotQuote returns s as a DOT double-quoted string: backslashes and
// quotes escaped, line feeds as DOT's \n, carriage returns dropped, and
// the other control characters but the tab written as spaces (Graphviz
// reads a NUL byte as the end of the string and the rest of the file as
// garbage).
func dotQuote(s string) string {
	return `"` + dotEscaper.Replace(s) + `"`
}

var dotEscaper = func() *strings.Replacer {
	pairs := []string{`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", ""}
	for c := byte(0); c < 0x20; c++ {
		if c != '\n' && c != '\r' && c != '\t' {
			pairs = append(pairs, string(rune(c)), " ")
		}
	}
	return strings.NewReplacer(append(pairs, "\x7f", " ")...)
}()
