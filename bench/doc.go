// Package bench measures smarketing against what its users would pick
// instead, on identical workloads, and runs it at scale. It is a module of
// its own so that the peer libraries (looplab/fsm, qmuntal/stateless,
// expr-lang/expr, cel-go, modernc.org/sqlite) never enter the root go.mod.
//
// The package holds the workloads, shared by the benchmarks in its tests
// and by the scale run (cmd/scale):
//
//   - lifecycle moves: [Cycle], the same move sequence for funnel,
//     looplab/fsm ([NewLooplab]), qmuntal/stateless ([NewStateless]) and a
//     plain map lookup ([NewMapFloor]);
//   - scoring: the reference workload of issue 3 ([ReferenceSpec],
//     [NewLead]) scored by package scoring, by expr-lang/expr ([NewExpr])
//     and cel-go ([NewCEL]) programs computing the same points, and by
//     hand-written int64 code ([NewHand]);
//   - KPI aggregation: a deterministic event log ([GenLog]) aggregated by
//     package report ([ReportFigures]), by a hand-written single pass
//     ([HandFigures]) and by SQL GROUP BY queries on modernc.org/sqlite
//     ([SQLite]), all reduced to the same [Figures].
//
// The tests check only that the implementations agree on small inputs and
// that a tiny scale run works; they never assert timings. bench/run.sh
// runs the benchmarks and the scale run and writes BENCHMARKS.md.
package bench
