// Command crm is a host of the smarketing packages with a real database:
// a small CRM on SQLite (modernc.org/sqlite, pure Go, no cgo).
//
// It stores contacts, their activities, their lifecycle state with a
// version, and the append-only event log (the database refuses to change
// or delete an event). Every change is computed by the library from a
// snapshot and written in one transaction that checks the version it read
// (optimistic concurrency): a writer that lost the race writes nothing and
// computes its change again from fresh data, so nothing is lost or
// doubled. The effects the library's decisions call for
// (notify a rep, escalate a late first touch) go to an outbox table in the
// same transaction; Store.Deliver drains it for a worker, at least once.
//
// The command imports contacts, runs several writers at once on a shared
// set of hot contacts (activities, touches, acceptances, rejections, SLA
// checks), then rebuilds every contact's state from its log and checks it
// against the stored one, and prints sales' acceptance and SLA compliance
// from the handoff records and the funnel built from the log.
//
// Usage:
//
//	cd examples/crm && go run . [-db FILE] [-contacts N] [-writers N] [-ops N] [-seed N]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/report"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "crm:", err)
		os.Exit(1)
	}
}

// simClock is a shared simulated clock: every reading is 20 seconds after
// the previous one, whichever goroutine reads it.
type simClock struct {
	start time.Time
	ticks atomic.Int64
}

func (c *simClock) Now() time.Time {
	return c.start.Add(time.Duration(c.ticks.Add(1)) * 20 * time.Second)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("crm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "", "SQLite file to create (it must not hold contacts yet); empty means a new file in a temporary directory")
	contacts := fs.Int("contacts", 200, "contacts to import")
	writers := fs.Int("writers", 4, "concurrent writers")
	ops := fs.Int("ops", 300, "operations per writer")
	seed := fs.Uint64("seed", 1, "random seed of the writers' choices")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `crm runs a small CRM on SQLite with the smarketing packages: concurrent
writers record activities and sales decisions on the same contacts with
optimistic concurrency; then every contact is rebuilt from its event log and
checked against the stored state, and the funnel is reported from the log.

Usage:
  go run . [flags]        (from examples/crm)

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *contacts < 1 || *writers < 1 || *ops < 0 {
		return errors.New("-contacts and -writers must be at least 1, -ops at least 0")
	}
	if *dbPath == "" {
		dir, err := os.MkdirTemp("", "smarketing-crm-")
		if err != nil {
			return err
		}
		*dbPath = filepath.Join(dir, "crm.db")
	}
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		return err
	}
	lib, err := NewLibrary(loc)
	if err != nil {
		return err
	}
	st, err := Open(*dbPath, lib)
	if err != nil {
		return err
	}
	defer st.Close()
	if ids, err := st.ContactIDs(ctx); err != nil {
		return err
	} else if len(ids) > 0 {
		return fmt.Errorf("%s already holds %d contacts: name a new file with -db, or leave -db out", *dbPath, len(ids))
	}
	clk := &simClock{start: time.Date(2026, time.March, 2, 9, 0, 0, 0, loc)}
	st.Now = clk.Now

	ids, err := importContacts(ctx, st, *contacts, *seed)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, *writers)
	for w := range *writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = work(ctx, st, ids, *ops, rand.New(rand.NewPCG(*seed, uint64(w))))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	n, err := st.Verify(ctx)
	if err != nil {
		return fmt.Errorf("verification failed: %w", err)
	}
	var events int
	if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&events); err != nil {
		return err
	}
	out, err := st.Outbox(ctx)
	if err != nil {
		return err
	}
	kinds := map[string]int{}
	for _, e := range out {
		kinds[e.Kind+" "+e.To]++
	}
	rep, err := st.Report(ctx, report.Config{
		Path:     lib.Funnel.Path(),
		Detours:  []funnel.Stage{funnel.Nurture, funnel.Disqualified, funnel.Lost},
		Location: loc,
		Period:   report.Week,
	})
	if err != nil {
		return err
	}
	var acceptance, sla report.Rate
	if len(rep.Periods) > 0 {
		sv := rep.Periods[len(rep.Periods)-1].Service
		acceptance, sla = sv.Acceptance, sv.SLA
	}
	fmt.Fprintf(stdout, "database: %s\n", *dbPath)
	fmt.Fprintf(stdout, "%d writers × %d operations on %d contacts: %d events, %d stale commits retried\n",
		*writers, *ops, len(ids), events, st.Conflicts())
	fmt.Fprintf(stdout, "rebuilt %d contacts from the event log: every state equals the stored one\n", n)
	fmt.Fprintf(stdout, "handoffs: %d of %d decided accepted; first touch within SLA for %d of %d whose deadline passed\n",
		acceptance.Num, acceptance.Den, sla.Num, sla.Den)
	fmt.Fprintf(stdout, "outbox: %d effects to deliver\n", len(out))
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		fmt.Fprintf(stdout, "  %-22s %d\n", k, kinds[k])
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		return err
	}
	// The title and the funnel of the last week.
	parts := strings.SplitAfter(text.String(), "\n\n")
	fmt.Fprint(stdout, "\n", strings.Join(parts[:min(len(parts), 2)], ""))
	return nil
}

func importContacts(ctx context.Context, st *Store, n int, seed uint64) ([]string, error) {
	r := rand.New(rand.NewPCG(seed, 0xc0ffee))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("c-%04d", i+1)
		fields := map[string]string{
			"employees": pick("20", "120", "400", "3000"),
			"industry":  pick("software", "fintech", "retail"),
			"seniority": pick("manager", "director", "vp"),
		}
		if err := st.AddContact(ctx, ids[i], fields, funnel.Lead); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// work is one writer: mostly activities, and sales acting on the leads
// handed to them. Contacts are drawn from a small hot set, so writers
// often race on the same contact.
func work(ctx context.Context, st *Store, ids []string, ops int, r *rand.Rand) error {
	hot := ids[:max(1, len(ids)/10)]
	for range ops {
		id := ids[r.IntN(len(ids))]
		if r.IntN(2) == 0 {
			id = hot[r.IntN(len(hot))]
		}
		c, err := st.Contact(ctx, id)
		if err != nil {
			return err
		}
		switch {
		case c.State.Stage == funnel.SQL && c.Ticket != nil && c.Ticket.DecidedAt.IsZero():
			switch x := r.IntN(10); {
			case x < 3:
				_, err = st.Touch(ctx, id, c.Owner)
			case x < 6:
				_, err = st.Accept(ctx, id, c.Owner, r.IntN(2) == 0)
			case x < 8:
				_, err = st.Reject(ctx, id, c.Owner, []funnel.ReasonCode{funnel.ReasonBadTiming, funnel.ReasonNoBudget, funnel.ReasonWrongTerritory}[r.IntN(3)], "")
			default:
				_, err = st.CheckSLA(ctx, id)
			}
		default:
			_, err = st.RecordActivity(ctx, id, []string{"page_view", "page_view", "pricing_page", "webinar"}[r.IntN(4)])
		}
		// Another writer may have moved the lead between our read and
		// our decision (accepted it, sent it back, routed it to another
		// rep): the store or the library refuses the action, checked
		// against fresh data in the transaction, and nothing is written.
		// That is business as usual.
		if errors.Is(err, handoff.ErrNotHandedOff) || errors.Is(err, funnel.ErrNotAllowed) || errors.Is(err, ErrNotOwner) {
			err = nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
	}
	return nil
}
