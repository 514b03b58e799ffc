// Command webhook is a lead qualification service on net/http, built on
// the smarketing packages with the standard library only.
//
// Marketing's systems POST what a contact did (an activity) or a change to
// its profile; the answer is the new fit and interest score with its
// ledger and explanation, what the handoff policy decided and why, the
// funnel events appended and, for a lead handed to sales, the rep it was
// routed to and its SLA deadlines. Sales POSTs first touches, acceptances
// and rejections with reason codes (only the rep the lead was routed to
// may: another gets 409 not_owner); rejected leads are recycled. The
// answer to an acceptance or a rejection carries "decided": the handoff's
// SLA report at the decision (its final state for a lead sent back) and
// its report.Response and report.Decision records, for the host's KPIs.
//
// Endpoints (JSON in, JSON out; errors are {"error": {"code", "message"}}):
//
//	POST /contacts                   {"id", "fields", "stage"?, "at"?}
//	GET  /contacts/{id}
//	POST /contacts/{id}/activities   {"type", "id"?, "at"?, "attrs"?}  (a known "id" is a retry: nothing changes; 409 id_reused if its activity differs)
//	POST /contacts/{id}/profile      {"fields", "at"?}   ("" removes a field)
//	POST /contacts/{id}/touch        {"rep", "at"?}
//	POST /contacts/{id}/accept       {"rep", "at"?}
//	POST /contacts/{id}/reject       {"rep", "reason", "note"?, "at"?}
//
// Try it:
//
//	go run ./examples/webhook &
//	curl -s --json '{"id":"c1","fields":{"employees":"200","industry":"software","country":"ES","seniority":"director"}}' localhost:8080/contacts
//	curl -s --json '{"type":"demo_request"}' localhost:8080/contacts/c1/activities
//	curl -s --json '{"rep":"ana","reason":"bad_timing"}' localhost:8080/contacts/c1/reject
//	curl -s --json '{"type":"demo_request","score":100}' localhost:8080/contacts/c1/activities
//
// (curl's --json sets Content-Type: application/json; the service refuses
// other media types with 415.)
//
// An "at" may be up to 5 minutes ahead of the service's clock (a sender's
// clock running fast) and is then taken as the service's now; further
// ahead, or before 1970, it is refused with 422 invalid. A lead's handoff whose service
// level cannot be evaluated (its ticket's tier is no longer in the SLA)
// fails every request that answers with its "sla", GET included, with 500
// sla_unavailable, and nothing is stored: a 2xx answer about a lead with an
// open handoff always carries its "sla".
//
// A contact created at a stage sales owns ("stage": "sql" or
// "opportunity") is handed to sales as a promotion would be: routed to a
// rep, with an SLA ticket on the default tier (its action the contact's
// "at", its assignment the service's now, as for every handoff); only that
// rep may then touch, accept or return it.
//
// The store is in memory, guarded by one mutex; every change works on a
// copy of the contact that is stored only when every step succeeded. A
// request's body is read before the lock is taken and its answer written
// after it is released, so a slow client holds up no one. It keeps at most
// -max-contacts contacts (100000 by default): a new one beyond is refused
// with 507 store_full.
//
// On SIGINT or SIGTERM it stops accepting connections and waits for the
// requests in flight, for at most -grace (5s); a second signal, or the end
// of that period, closes the connections still open, and it exits with
// status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // office hours in any zone, even without a zoneinfo database

	_ "embed"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/scoring"
)

//go:embed scoring.json
var defaultScoring []byte

func main() {
	// Ctrl-C, or a service manager stopping it: finish the requests in
	// flight, then exit; a second signal while they finish exits at once.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	err := run(sigs, os.Args[1:], os.Stderr)
	signal.Stop(sigs)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "webhook:", err)
		os.Exit(1)
	}
}

// readTimeout is the longest a request may take to arrive, body included
// (a variable so that a test can keep a request in flight longer).
var readTimeout = 10 * time.Second

// errForced is the cause of a shutdown cut short by a second signal.
var errForced = errors.New("a second signal forced the exit")

// run serves until the first value on sigs (nil: never), then shuts down
// gracefully: it stops accepting connections and waits, for at most the
// -grace period, for the requests in flight. A second value on sigs
// during that wait, or the end of the period, closes every connection at
// once (http.Server.Close) and run returns an error saying so: requests
// still in flight were cut off.
func run(sigs <-chan os.Signal, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	zone := fs.String("zone", "Europe/Madrid", "IANA time zone of the sales team's office hours (09:00-18:00, Monday to Friday)")
	spec := fs.String("scoring", "", "path of a JSON scoring spec to use instead of the built-in one")
	maxBody := fs.Int64("max-body", 64<<10, "largest request body accepted, in bytes")
	maxContacts := fs.Int("max-contacts", defaultMaxContacts, "most contacts kept in memory; a new one beyond is refused with 507 store_full")
	grace := fs.Duration("grace", 5*time.Second, "on SIGINT or SIGTERM, how long to wait for the requests in flight before closing their connections (a second signal closes them at once)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `webhook is a lead qualification service: POST activities and profile changes
of contacts and get back their score with its explanation, the handoff decision
and any SLA deadline; sales POSTs touches, acceptances and rejections.

Usage:
  go run ./examples/webhook [flags]

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *maxContacts <= 0 {
		return fmt.Errorf("-max-contacts %d: want at least 1", *maxContacts)
	}
	if *grace < 0 {
		return fmt.Errorf("-grace %v: want 0 or more", *grace)
	}
	data := defaultScoring
	if *spec != "" {
		b, err := os.ReadFile(*spec)
		if err != nil {
			return err
		}
		data = b
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		return err
	}
	cfg, err := NewConfig(data, loc)
	if err != nil {
		return err
	}
	cfg.MaxBody = *maxBody
	cfg.MaxContacts = *maxContacts
	logger := log.New(stderr, "", log.LstdFlags)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           NewServer(cfg),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       readTimeout,
		WriteTimeout:      10 * time.Second,
		ErrorLog:          logger,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Printf("webhook: listening on http://%s", ln.Addr())
	select {
	case err := <-served:
		return err
	case <-sigs:
	}
	logger.Printf("webhook: shutting down (a second signal exits at once)")
	cancelled, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	shutdown, stop := context.WithTimeoutCause(cancelled, *grace,
		fmt.Errorf("requests still in flight after the %v grace period", *grace))
	defer stop()
	go func() {
		select {
		case <-sigs:
			cancel(errForced)
		case <-shutdown.Done():
		}
	}()
	if err := srv.Shutdown(shutdown); err != nil {
		// Cut off what is left: Shutdown does not close the connections
		// still active when its context ends.
		cause := context.Cause(shutdown)
		if cause == nil {
			cause = err
		}
		_ = srv.Close()
		<-served
		logger.Printf("webhook: closed the remaining connections: %v", cause)
		return fmt.Errorf("shutdown: %w", cause)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// NewConfig builds the service's models: the default lifecycle, the
// scoring model from its JSON spec, the default handoff policy and SLA,
// office hours in loc, and a roster of three reps routed by territory.
func NewConfig(scoringJSON []byte, loc *time.Location) (Config, error) {
	fm := funnel.Default()
	spec, err := scoring.ParseSpec(scoringJSON)
	if err != nil {
		return Config{}, err
	}
	sm, err := scoring.New(spec, scoring.LeadSource())
	if err != nil {
		return Config{}, err
	}
	pol, err := handoff.DefaultPolicy(fm)
	if err != nil {
		return Config{}, err
	}
	sla, err := handoff.NewSLA(handoff.DefaultSLASpec())
	if err != nil {
		return Config{}, err
	}
	acc, err := handoff.NewAcceptance(handoff.AcceptanceConfig{Model: fm, SLA: sla})
	if err != nil {
		return Config{}, err
	}
	cal, err := handoff.NewWeekly(handoff.CalendarSpec{
		Location: loc,
		Week:     handoff.OfficeHours(handoff.Span{Start: 9 * handoff.Hour, End: 18 * handoff.Hour}),
	})
	if err != nil {
		return Config{}, err
	}
	router, err := handoff.NewRouter(handoff.RoutingSpec{
		Rules:    []handoff.RouteRule{{Name: "iberia", Territories: []string{"ES", "PT"}, Queue: "iberia"}},
		Fallback: "europe",
	})
	if err != nil {
		return Config{}, err
	}
	return Config{
		Funnel: fm, Scoring: sm, Policy: pol, Acceptance: acc, SLA: sla, Calendar: cal, Router: router,
		Roster: []handoff.Rep{
			{ID: "ana", Queues: []string{"iberia"}},
			{ID: "bruno", Queues: []string{"iberia", "europe"}},
			{ID: "claire", Queues: []string{"europe"}},
		},
		Now: time.Now,
	}, nil
}
