// Package smbeam runs smarketing's KPI report on Apache Beam, so that a
// funnel event history too large for one machine gives the same figures,
// byte for byte, as the report package computes in-process.
//
// It lives in its own Go module (github.com/smarketing/smarketing/beam) so
// that importers of the core library never download the Beam SDK.
//
// # The pieces
//
//   - Reading: [ReadLog] reads log files in [JSONL] or [CSV] (layouts:
//     [Format], [CSVColumns]) through Beam's fileio, splitting
//     uncompressed files for parallel reading and decompressing .gz files
//     whole ([Compressed]), and parses them with [ParseFn] /
//     [ParseLine]. A line that does not parse becomes a [DeadLetter] in a
//     second PCollection (and counts in [CounterDeadLetters]); it never
//     fails the job. [ReadLogFor] also sends the records a report would
//     refuse there, with the report's reason ([Checker]), so every line
//     ends up in the report or in the dead letters. A glob that matches
//     no file fails the job.
//   - Combining: [Combiner] is a Beam combiner (create, add, merge,
//     extract) over [report.Record] whose accumulator [Acc] wraps a
//     [report.Accumulator]. [Report] combines globally; [CombineByLead]
//     combines per lead shard first, so each lead's records and per-lead
//     state meet in one accumulator. Records the report refuses that
//     reach the combiner (read with [ReadLog], not [ReadLogFor]) count in
//     [Acc.Rejected] and [CounterRejected]. [Accumulate] is the same
//     computation in-process.
//   - Grouping: [GroupByLead] gives each lead's funnel events in version
//     order.
//   - Writing: [RenderFn] / [Render] render with the report package's
//     renderers ([Formats]) or as the accumulator's binary encoding;
//     [WriteReport] and [WriteDeadLetters] write files through Beam's
//     filesystems.
//   - The whole pipeline: [Build] with [Options], as the smarketing-beam
//     command runs it. The report configuration travels as a [Spec], a
//     [report.Config] that survives Beam's JSON serialization of
//     transforms.
//
// # Coders
//
// Beam's default schema coding silently turns a shopspring/decimal.Decimal
// into zero (its fields are unexported). Importing this package registers
// an explicit coder with beam.RegisterCoder for every type it puts in a
// PCollection ([CodedTypes]): versioned binary encodings ([MarshalRecord],
// [MarshalEvent], [MarshalAcc]) that keep every decimal's coefficient and
// exponent and every time's instant and zone offset. Their decoders return
// an error wrapping [ErrEncoding] on any malformed input, never panic.
//
// # Example
//
//	p, s := beam.NewPipelineWithRoot()
//	recs, dead := smbeam.ReadLogFor(s, spec, smbeam.JSONL, "gs://bucket/logs/*.jsonl.gz")
//	acc := smbeam.Report(s, spec, recs)
//	smbeam.WriteReport(s, spec, "html", "gs://bucket/report.html", acc)
//	smbeam.WriteDeadLetters(s, "gs://bucket/dead.jsonl", dead)
//	err := beamx.Run(ctx, p)
//
// # Guarantees
//
// The report of a pipeline equals the report of [Accumulate] over the same
// records, whatever the runner's bundling, ordering and merging, because
// the report's accumulators merge associatively and commutatively and
// their encoding is canonical. Read with [ReadLogFor] (as [Build] does),
// every line of the log is accounted for: a record in the report, a
// dead letter with its file and reason, or a blank line, comment or CSV
// header. All transforms are registered with Beam's register package.
// Transforms hold no state between elements beyond the accumulators Beam
// gives them and a [ParseFn]'s scratch [Checker]; [Acc] is not safe for
// concurrent use (Beam never shares one).
package smbeam
