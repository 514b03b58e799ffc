// Package smbeam runs smarketing's KPI report on Apache Beam, so that a
// funnel event history too large for one machine gives the same figures as
// the library computes in-process.
//
// It is a separate Go module (github.com/smarketing/smarketing/beam) so
// that importers of the core library never download the Beam SDK.
//
// The package gives a pipeline author:
//
//   - explicit, lossless coders for every element and accumulator type it
//     puts in a PCollection (Beam's default schema coding silently turns
//     decimal.Decimal fields into zero);
//   - readers of event logs in JSON Lines and CSV through Beam's textio,
//     with unparsable lines sent to a dead-letter PCollection instead of
//     failing the job;
//   - a Beam combiner wrapping the report package's mergeable accumulator;
//   - writers of the finished report in the report renderers' formats.
//
// All transforms are registered with Beam's register package, so they run
// on Prism (in-process, over loopback), Flink, Spark and Dataflow.
package smbeam
