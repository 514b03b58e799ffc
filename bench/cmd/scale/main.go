// Command scale runs smarketing at scale: it generates contacts and their
// funnel logs deterministically, scores every contact, replays every log
// and computes the full report, and prints wall time, throughput per
// phase and memory. bench/run.sh runs it under /usr/bin/time -v.
//
//	go run ./cmd/scale -contacts 1000000 -events 10000000
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/smarketing/smarketing/bench"
)

func main() {
	var c bench.ScaleConfig
	flag.IntVar(&c.Contacts, "contacts", 100_000, "contacts")
	flag.IntVar(&c.Events, "events", 0, "funnel events over all contacts (0: 10 × contacts)")
	flag.IntVar(&c.Activities, "activities", 10, "activities a contact, for scoring")
	flag.IntVar(&c.Workers, "workers", 2, "goroutines, each with its own accumulator")
	flag.IntVar(&c.Batch, "batch", 0, "contacts generated and processed at a time (0: about 100,000 events' worth)")
	flag.Uint64Var(&c.Seed, "seed", 1, "generator seed")
	flag.BoolVar(&c.NoLeadState, "nolead", false, "report without per-lead figures (report.Config.NoLeadState)")
	jsonOut := flag.Bool("json", false, "also print the result as a line of JSON prefixed with RESULT")
	flag.Parse()
	r, err := bench.Scale(c, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
	if *jsonOut {
		b, err := r.JSON()
		if err != nil {
			fmt.Fprintln(os.Stderr, "scale:", err)
			os.Exit(1)
		}
		fmt.Printf("RESULT %s\n", b)
	}
}
