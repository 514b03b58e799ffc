// Command benchmd writes BENCHMARKS.md from the files bench/run.sh leaves
// in its output folder: bench.txt (go test -bench output, several
// counts), benchstat.txt, scale-*.txt (cmd/scale -json output) and
// time-*.txt (/usr/bin/time -v of each scale run). It computes the
// ratios of issue 8's goals from the medians of one run.
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smarketing/smarketing/bench"
)

func main() {
	dir := flag.String("dir", "", "run.sh's output folder")
	out := flag.String("o", "BENCHMARKS.md", "file to write")
	notes := flag.String("notes", "", "Markdown file appended as the analysis section")
	cmd := flag.String("cmd", "bench/run.sh", "the command that produced the run, for the header")
	flag.Parse()
	if err := run(*dir, *out, *notes, *cmd); err != nil {
		fmt.Fprintln(os.Stderr, "benchmd:", err)
		os.Exit(1)
	}
}

// results maps a benchmark name (without the -N suffix) and a unit to
// the values of every count.
type results map[string]map[string][]float64

var procSuffix = regexp.MustCompile(`-\d+$`)

func parseBench(path string) (results, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	res := results{}
	var order []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 4 || !strings.HasPrefix(fs[0], "Benchmark") {
			continue
		}
		name := procSuffix.ReplaceAllString(fs[0], "")
		if _, ok := res[name]; !ok {
			res[name] = map[string][]float64{}
			order = append(order, name)
		}
		for i := 2; i+1 < len(fs); i += 2 {
			v, err := strconv.ParseFloat(fs[i], 64)
			if err != nil {
				continue
			}
			res[name][fs[i+1]] = append(res[name][fs[i+1]], v)
		}
	}
	return res, order, sc.Err()
}

func median(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// find returns the median of unit for the benchmark whose name has the
// prefix and ends with suffix.
func (r results) find(prefix, suffix, unit string) (float64, bool) {
	for name, units := range r {
		if strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix) {
			return median(units[unit])
		}
	}
	return 0, false
}

type scaleRun struct {
	label string
	res   bench.ScaleResult
	rssKB int64
	wall  string
}

func parseScale(dir string) ([]scaleRun, error) {
	files, err := filepath.Glob(filepath.Join(dir, "scale-*.txt"))
	if err != nil {
		return nil, err
	}
	var runs []scaleRun
	for _, f := range files {
		label := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "scale-"), ".txt")
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var sr scaleRun
		sr.label = label
		found := false
		for line := range strings.Lines(string(data)) {
			if j, ok := strings.CutPrefix(strings.TrimSpace(line), "RESULT "); ok {
				if err := json.Unmarshal([]byte(j), &sr.res); err != nil {
					return nil, fmt.Errorf("%s: %w", f, err)
				}
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: no RESULT line", f)
		}
		if tv, err := os.ReadFile(filepath.Join(dir, "time-"+label+".txt")); err == nil {
			for line := range strings.Lines(string(tv)) {
				line = strings.TrimSpace(line)
				if v, ok := strings.CutPrefix(line, "Maximum resident set size (kbytes): "); ok {
					sr.rssKB, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				}
				if v, ok := strings.CutPrefix(line, "Elapsed (wall clock) time (h:mm:ss or m:ss): "); ok {
					sr.wall = strings.TrimSpace(v)
				}
			}
		}
		runs = append(runs, sr)
	}
	slices.SortFunc(runs, func(a, b scaleRun) int {
		if c := cmp.Compare(a.res.Events, b.res.Events); c != 0 {
			return c
		}
		return cmp.Compare(a.res.Config.Contacts, b.res.Config.Contacts)
	})
	return runs, nil
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

func run(dir, out, notes, cmd string) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	res, _, err := parseBench(filepath.Join(dir, "bench.txt"))
	if err != nil {
		return err
	}
	runs, err := parseScale(dir)
	if err != nil {
		return err
	}
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# smarketing benchmarks\n\n")
	w("Written by `%s` (bench/cmd/benchmd) on %s. Do not edit by hand: re-run the command.\n\n", cmd, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	w("## Machine\n\n")
	w("- CPU: %s, %d logical CPUs (`nproc`), GOMAXPROCS %d\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0))
	w("- Go: %s (%s/%s)\n", strings.TrimSpace(readFile(filepath.Join(dir, "goversion.txt"))), runtime.GOOS, runtime.GOARCH)
	if la := strings.TrimSpace(readFile(filepath.Join(dir, "load.txt"))); la != "" {
		w("- load average when the run started and ended: %s\n", strings.ReplaceAll(la, "\n", "; "))
	}
	if p := strings.TrimSpace(readFile(filepath.Join(dir, "params.txt"))); p != "" {
		w("- parameters: %s\n", p)
	}
	w("\n")

	w("## Goals (issue 8), as ratios of medians measured in the same run\n\n")
	w("| goal | measured | verdict |\n|---|---|---|\n")
	goal := func(desc string, ratio float64, ok bool, want float64, atLeast bool, unit string) {
		if !ok {
			w("| %s | not measured | — |\n", desc)
			return
		}
		var verdict string
		switch {
		case atLeast && ratio >= want, !atLeast && ratio <= want:
			verdict = "met"
		case atLeast:
			verdict = fmt.Sprintf("**missed**: %.2f× short (%.1f%% of the goal)", want/ratio, 100*ratio/want)
		default:
			verdict = fmt.Sprintf("**missed**: %.2f× over", ratio/want)
		}
		w("| %s | %.2f%s | %s |\n", desc, ratio, unit, verdict)
	}
	ratio := func(numPrefix, numSuffix, denPrefix, denSuffix string) (float64, bool) {
		n, ok1 := res.find(numPrefix, numSuffix, "ns/op")
		d, ok2 := res.find(denPrefix, denSuffix, "ns/op")
		if !ok1 || !ok2 || d == 0 {
			return 0, false
		}
		return n / d, true
	}
	for _, f := range []struct{ impl, api string }{{"impl=funnel", "Apply"}, {"impl=funnel_applyto", "ApplyTo"}} {
		r, ok := ratio("BenchmarkMove/", "impl=stateless", "BenchmarkMove/", f.impl)
		goal(fmt.Sprintf("funnel `%s` ≥ 5× faster than qmuntal/stateless (immediate firing, its fastest mode)", f.api), r, ok, 5, true, "×")
		r, ok = ratio("BenchmarkMove/", "impl=stateless_queued", "BenchmarkMove/", f.impl)
		goal(fmt.Sprintf("funnel `%s` ≥ 5× faster than qmuntal/stateless (default queued firing)", f.api), r, ok, 5, true, "×")
		r, ok = ratio("BenchmarkMove/", "impl=looplab_fsm", "BenchmarkMove/", f.impl)
		goal(fmt.Sprintf("funnel `%s` ≥ 8× faster than looplab/fsm", f.api), r, ok, 8, true, "×")
		a, ok := res.find("BenchmarkMove/", f.impl, "allocs/op")
		if ok {
			v := "met"
			if a != 0 {
				v = "**missed**"
			}
			w("| funnel `%s`: 0 allocations a move | %.0f allocs/op | %s |\n", f.api, a, v)
		}
		r, ok = ratio("BenchmarkMove/", f.impl, "BenchmarkMove/", "impl=map_floor")
		if ok {
			w("| (context) funnel `%s` ÷ plain map lookup | %.2f× | no goal here (issue 2: ≤ 2×) |\n", f.api, r)
		}
	}
	for _, s := range []struct{ impl, api string }{{"impl=scoring", "Score"}, {"impl=scoring_into", "ScoreInto"}} {
		r, ok := ratio("BenchmarkScore/", "impl=expr", "BenchmarkScore/", s.impl)
		goal(fmt.Sprintf("scoring `%s` ≥ 20× faster than expr-lang/expr", s.api), r, ok, 20, true, "×")
		r, ok = ratio("BenchmarkScore/", "impl=cel_go", "BenchmarkScore/", s.impl)
		goal(fmt.Sprintf("scoring `%s` ≥ 20× faster than cel-go", s.api), r, ok, 20, true, "×")
		r, ok = ratio("BenchmarkScore/", s.impl, "BenchmarkScore/", "impl=handwritten")
		goal(fmt.Sprintf("scoring `%s` ≤ 3× the hand-written int64 code", s.api), r, ok, 3, false, "×")
	}
	for _, rc := range []struct{ impl, what string }{
		{"impl=report_nolead", "configured for the compared figures only (`NoLeadState`)"},
		{"impl=report", "full configuration: also keeps per-lead state for cohorts, aging, cycle time and attribution, which the SQL queries do not compute"},
		{"impl=report_by_lead", "full configuration, the log ordered contact by contact"},
	} {
		impl := rc.impl
		r, ok := ratio("BenchmarkKPI/", "impl=sqlite", "BenchmarkKPI/", impl)
		goal(fmt.Sprintf("report (`%s`, %s) ≥ 100× faster than SQLite GROUP BY", strings.TrimPrefix(impl, "impl="), rc.what), r, ok, 100, true, "×")
		r, ok = ratio("BenchmarkKPI/", "impl=sqlite_tuned", "BenchmarkKPI/", impl)
		if ok {
			w("| (context) report (`%s`) faster than SQLite tuned (stored month column, covering indexes) | %.2f× | beyond the goal's baseline |\n", strings.TrimPrefix(impl, "impl="), r)
		}
		r, ok = ratio("BenchmarkKPI/", impl, "BenchmarkKPI/", "impl=handwritten")
		if ok {
			w("| (context) report (`%s`) ÷ hand-written single pass | %.2f× | no goal here (issue 5: ≤ 2× for volumes and flow alone) |\n", strings.TrimPrefix(impl, "impl="), r)
		}
	}
	// Memory flat in events: runs with the same contacts and more events.
	byContacts := map[int][]scaleRun{}
	for _, sr := range runs {
		byContacts[sr.res.Config.Contacts] = append(byContacts[sr.res.Config.Contacts], sr)
	}
	for _, c := range slices.Sorted(maps.Keys(byContacts)) {
		rs := byContacts[c]
		if len(rs) < 2 {
			continue
		}
		lo, hi := rs[0], rs[len(rs)-1]
		if hi.res.Events <= lo.res.Events {
			continue
		}
		grow := float64(hi.res.RetainedHeap) / float64(max(lo.res.RetainedHeap, 1))
		v := "met"
		if grow > 1.25 {
			v = fmt.Sprintf("**missed**: grows %.2f×", grow)
		}
		w("| report memory flat in events (%d contacts, %d → %d events: retained heap) | %.1f → %.1f MiB (%.2f×) | %s |\n",
			c, lo.res.Events, hi.res.Events, mib(lo.res.RetainedHeap), mib(hi.res.RetainedHeap), grow, v)
		if lo.rssKB > 0 && hi.rssKB > 0 {
			w("| (context) whole scale process, same runs: peak RSS | %.0f → %.0f MiB (%.2f×) | — |\n",
				float64(lo.rssKB)/1024, float64(hi.rssKB)/1024, float64(hi.rssKB)/float64(lo.rssKB))
		}
	}
	w("\n")

	w("## Benchmarks (benchstat over all counts)\n\n")
	w("Workloads are in bench/*.go and the benchmarks in bench/bench_test.go. Medians and ±95%% confidence intervals from benchstat:\n\n")
	w("```\n%s```\n\n", readFile(filepath.Join(dir, "benchstat.txt")))

	if len(runs) > 0 {
		w("## Scale runs\n\n")
		w("Each run generates contacts and funnel logs deterministically, batch by batch on 2 workers; scores every contact (reference model, its own random activities); replays every contact's log with `funnel.Model.Replay` and checks the state; adds every event to a `report.Accumulator` (one a worker, merged at the end); computes the full report and renders it as JSON. Busy times add up the workers; throughput is a core's. Peak RSS is from `/usr/bin/time -v`.\n\n")
		w("| run | contacts | events | wall (time -v) | events/s overall | events/s without generation | generate ev/s | score contacts/s | replay ev/s | report add ev/s | report compute | peak heap | retained heap | peak RSS |\n")
		w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, sr := range runs {
			p := map[string]bench.Phase{}
			for _, ph := range sr.res.Phases {
				p[ph.Name] = ph
			}
			rss := "—"
			if sr.rssKB > 0 {
				rss = fmt.Sprintf("%.0f MiB", float64(sr.rssKB)/1024)
			}
			w("| %s | %d | %d | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %v | %.0f MiB | %.0f MiB | %s |\n",
				human(sr.res.Events)+" events / "+human(int64(sr.res.Config.Contacts))+" contacts", sr.res.Config.Contacts, sr.res.Events, orDash(sr.wall),
				float64(sr.res.Events)/sr.res.Wall.Seconds(), sr.res.ProcessingRate(), p["generate"].PerSecond(), p["score"].PerSecond(),
				p["replay"].PerSecond(), p["report_add"].PerSecond(), p["report_compute"].Busy.Round(time.Millisecond),
				mib(sr.res.PeakHeap), mib(sr.res.RetainedHeap), rss)
		}
		w("\n")
		if len(runs) >= 2 {
			w("Growth between consecutive runs with 10 events a contact (time should grow like events; memory like contacts, since the full report keeps per-lead state for cohorts — see report/BENCHMARKS.md for the bytes a lead — and a batch is bounded):\n\n")
			w("| from → to | events × | wall × | retained heap × | peak RSS × |\n|---|---|---|---|---|\n")
			var prev *scaleRun
			for i := range runs {
				sr := &runs[i]
				if sr.res.Config.Contacts*10 != sr.res.Config.Events {
					continue
				}
				if prev != nil {
					rssX := "—"
					if prev.rssKB > 0 && sr.rssKB > 0 {
						rssX = fmt.Sprintf("%.2f", float64(sr.rssKB)/float64(prev.rssKB))
					}
					w("| %s → %s events | %.1f | %.2f | %.2f | %s |\n", human(prev.res.Events), human(sr.res.Events),
						float64(sr.res.Events)/float64(prev.res.Events), sr.res.Wall.Seconds()/prev.res.Wall.Seconds(),
						float64(sr.res.RetainedHeap)/float64(max(prev.res.RetainedHeap, 1)), rssX)
				}
				prev = sr
			}
			w("\n")
		}
		w("<details><summary>scale run output</summary>\n\n```\n")
		for _, sr := range runs {
			data := readFile(filepath.Join(dir, "scale-"+sr.label+".txt"))
			for line := range strings.Lines(data) {
				if !strings.HasPrefix(line, "RESULT ") {
					w("%s", line)
				}
			}
		}
		w("```\n\n</details>\n\n")
	}
	if notes != "" {
		n, err := os.ReadFile(notes)
		if err != nil {
			return err
		}
		w("%s", n)
	}
	w("## Raw output\n\nThe raw `go test -bench` output of this run is in the run's output folder (bench.txt); the table above is benchstat's reading of it.\n")
	if out == "-" {
		_, err := io.WriteString(os.Stdout, b.String())
		return err
	}
	return os.WriteFile(out, []byte(b.String()), 0o644)
}

// human writes n with three significant digits: 100k, 1M, 2.5M.
func human(n int64) string {
	switch {
	case n >= 999_500:
		return strconv.FormatFloat(float64(n)/1e6, 'g', 3, 64) + "M"
	case n >= 1000:
		return strconv.FormatFloat(float64(n)/1e3, 'g', 3, 64) + "k"
	}
	return strconv.FormatInt(n, 10)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
