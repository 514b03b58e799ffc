package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/report"
	"github.com/smarketing/smarketing/scoring"
)

// manualClock is a clock the test moves; safe for concurrent use.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second) // every reading is a little later
	return c.t
}

func (c *manualClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var madrid = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err)
	}
	return loc
}()

func openStore(t *testing.T) (*Store, *manualClock) {
	t.Helper()
	lib, err := NewLibrary(madrid)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Open(filepath.Join(t.TempDir(), "crm.db"), lib)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &manualClock{t: time.Date(2026, time.March, 2, 10, 0, 0, 0, madrid)} // Monday morning
	st.Now = clk.Now
	return st, clk
}

// handOffHotContact adds a high-fit contact at Lead and records the
// activities that make the default policy promote it and hand it to sales.
func handOffHotContact(t *testing.T, st *Store, id string) {
	t.Helper()
	ctx := context.Background()
	if err := st.AddContact(ctx, id, hotFit, funnel.Lead); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"pricing_page", "pricing_page", "pricing_page", "webinar"} {
		if _, err := st.RecordActivity(ctx, id, typ); err != nil {
			t.Fatal(err)
		}
	}
}

var hotFit = map[string]string{"employees": "200", "industry": "software", "seniority": "director"}

func mustRebuild(t *testing.T, st *Store, id string) funnel.State {
	t.Helper()
	got, err := st.Rebuild(context.Background(), id)
	if err != nil {
		t.Fatalf("rebuild %s: %v", id, err)
	}
	return got
}

func count(t *testing.T, st *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLifecycleInOneTransactionEach(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	if err := st.AddContact(ctx, "c1", hotFit, funnel.Lead); err != nil {
		t.Fatal(err)
	}
	if err := st.AddContact(ctx, "c1", hotFit, funnel.Lead); !errors.Is(err, ErrExists) {
		t.Errorf("second AddContact: %v, want ErrExists", err)
	}
	// Interest builds up until the policy promotes and hands off the lead.
	var c *Contact
	for _, typ := range []string{"page_view", "pricing_page", "pricing_page", "webinar"} {
		var err error
		if c, err = st.RecordActivity(ctx, "c1", typ); err != nil {
			t.Fatal(err)
		}
	}
	if c.State.Stage != funnel.SQL || c.Owner == "" || c.Ticket == nil {
		t.Fatalf("after the activities: stage %s, owner %q, ticket %v", c.State.Stage, c.Owner, c.Ticket)
	}
	out, err := st.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Kind != "notify" || out[0].To != c.Owner || out[0].Deadline.IsZero() {
		t.Fatalf("outbox after the handoff: %+v", out)
	}
	// The rep sends it back: recycled to nurture, marketing notified.
	if c, err = st.Reject(ctx, "c1", c.Owner, funnel.ReasonBadTiming, "call in Q3"); err != nil {
		t.Fatal(err)
	}
	if c.State.Stage != funnel.Nurture || c.Recycle.Count != 1 || c.Owner != "" {
		t.Errorf("after bad_timing: %s, recycle %+v, owner %q", c.State.Stage, c.Recycle, c.Owner)
	}
	// A refused request writes nothing at all.
	before := count(t, st, `SELECT rev FROM contacts WHERE id = 'c1'`)
	if _, err := st.Accept(ctx, "c1", "ana", false); !errors.Is(err, handoff.ErrNotHandedOff) {
		t.Errorf("accepting a nurtured lead: %v", err)
	}
	if _, err := st.Reject(ctx, "c1", "ana", "nonsense", ""); !errors.Is(err, handoff.ErrUnknownReason) {
		t.Errorf("unknown reason: %v", err)
	}
	if _, err := st.RecordActivity(ctx, "nobody", "page_view"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
	if after := count(t, st, `SELECT rev FROM contacts WHERE id = 'c1'`); after != before {
		t.Errorf("refused requests wrote the contact: rev %d → %d", before, after)
	}
	// Stored state, event log and rebuilt state agree.
	got := mustRebuild(t, st, "c1")
	if got.Version != uint64(count(t, st, `SELECT count(*) FROM events WHERE contact = 'c1'`)) {
		t.Errorf("version %d vs events in the log", got.Version)
	}
	if n := count(t, st, `SELECT count(*) FROM activities WHERE contact = 'c1'`); n != 4 {
		t.Errorf("%d activities stored, want 4", n)
	}
}

func TestStaleVersionIsRejected(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	if err := st.AddContact(ctx, "c1", hotFit, funnel.Lead); err != nil {
		t.Fatal(err)
	}
	// Two snapshots of the same version; the first commit wins, the
	// second is stale and writes nothing.
	a, err := st.load(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.load(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	chA := &change{c: a.c.clone(), at: st.Now()}
	if err := st.apply(chA, funnel.Move{To: funnel.MQL, At: chA.at, Actor: "writer_a"}); err != nil {
		t.Fatal(err)
	}
	chB := &change{c: b.c.clone(), at: st.Now()}
	if err := st.apply(chB, funnel.Move{To: funnel.Disqualified, At: chB.at, Actor: "writer_b", Reason: funnel.ReasonSpam}); err != nil {
		t.Fatal(err)
	}
	// The loser also carries an activity and an effect: a stale commit
	// must write neither (they share its transaction).
	chB.activity = &scoring.Activity{Type: "page_view", At: chB.at}
	chB.effects = append(chB.effects, Effect{Kind: "notify", To: "marketing", Lead: "c1", Why: "writer_b"})
	if err := st.commit(ctx, chA); err != nil {
		t.Fatal(err)
	}
	if err := st.commit(ctx, chB); !errors.Is(err, ErrStale) {
		t.Fatalf("stale commit: %v, want ErrStale", err)
	}
	if got := mustRebuild(t, st, "c1"); got.Stage != funnel.MQL || got.Version != 2 {
		t.Errorf("after the race: %s v%d, want mql v2", got.Stage, got.Version)
	}
	if n := count(t, st, `SELECT count(*) FROM events WHERE contact = 'c1'`); n != 2 {
		t.Errorf("%d events, want 2", n)
	}
	if n := count(t, st, `SELECT count(*) FROM outbox`) + count(t, st, `SELECT count(*) FROM activities`); n != 0 {
		t.Errorf("the stale commit wrote %d outbox or activity rows, want 0", n)
	}

	// A change can also be stale on the routing rotation alone, after its
	// contact row was already updated in the transaction: the rollback
	// must undo that update too.
	if err := st.AddContact(ctx, "c2", hotFit, funnel.Lead); err != nil {
		t.Fatal(err)
	}
	c2, err := st.load(ctx, "c2")
	if err != nil {
		t.Fatal(err)
	}
	rot, rotRev := c2.rot, c2.rotRev
	if _, err := st.db.Exec(`UPDATE rotation SET rev = rev + 1 WHERE id = 1`); err != nil { // another writer routed a lead
		t.Fatal(err)
	}
	chC := &change{c: c2.c.clone(), at: st.Now(), rot: &rot, rotRev: rotRev}
	if err := st.apply(chC, funnel.Move{To: funnel.MQL, At: chC.at, Actor: "writer_c"}); err != nil {
		t.Fatal(err)
	}
	chC.effects = append(chC.effects, Effect{Kind: "notify", To: "ana", Lead: "c2", Why: "writer_c"})
	if err := st.commit(ctx, chC); !errors.Is(err, ErrStale) {
		t.Fatalf("commit on a stale rotation: %v, want ErrStale", err)
	}
	if rev := count(t, st, `SELECT rev FROM contacts WHERE id = 'c2'`); int64(rev) != c2.c.rev {
		t.Errorf("c2 row version %d after the rolled-back commit, want %d", rev, c2.c.rev)
	}
	if got := mustRebuild(t, st, "c2"); got.Stage != funnel.Lead || got.Version != 1 {
		t.Errorf("c2 after the rolled-back commit: %s v%d, want lead v1", got.Stage, got.Version)
	}
	if n := count(t, st, `SELECT count(*) FROM outbox`); n != 0 {
		t.Errorf("the rolled-back commit left %d outbox rows", n)
	}
}

// pairBarrier makes two writers race on every commit: each one that
// reaches the commit waits until the other has computed its change too,
// so both always work from the same snapshot and one of them must lose.
// A writer that is done calls leave, and the other then runs alone.
type pairBarrier struct {
	mu      sync.Mutex
	active  int
	waiting int
	release chan struct{}
	rounds  int // commits both writers reached together
}

func newPairBarrier(st *Store) *pairBarrier {
	b := &pairBarrier{active: 2, release: make(chan struct{})}
	st.beforeCommit = func(string, string) { b.wait() }
	return b
}

func (b *pairBarrier) wait() {
	b.mu.Lock()
	if b.active < 2 {
		b.mu.Unlock()
		return
	}
	b.waiting++
	if b.waiting == 2 {
		b.waiting = 0
		b.rounds++
		close(b.release)
		b.release = make(chan struct{})
		b.mu.Unlock()
		return
	}
	ch := b.release
	b.mu.Unlock()
	<-ch
}

func (b *pairBarrier) leave() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.active--
	b.waiting = 0
	close(b.release)
	b.release = make(chan struct{})
}

// TestTwoWritersRace makes two goroutines record activities on the same
// contact at the same time. A barrier makes both read before either
// commits, every time, so one of each pair is stale: it must retry, and
// in the end every activity is stored once, the log has no gap or double,
// the stored score counts every activity and the stored state is what the
// log replays to. Without the version check in the commit this test fails
// (the second writer of a pair overwrites the first's row).
func TestTwoWritersRace(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	if err := st.AddContact(ctx, "c1", hotFit, funnel.Lead); err != nil {
		t.Fatal(err)
	}
	const perWriter = 15
	b := newPairBarrier(st)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer b.leave()
			for i := range perWriter {
				typ := []string{"page_view", "pricing_page", "webinar"}[(i+w)%3]
				if _, err := st.RecordActivity(ctx, "c1", typ, attr(w, i)...); err != nil {
					errs[w] = err
					return
				}
				if c, err := st.Contact(ctx, "c1"); err == nil && c.State.Stage == funnel.SQL && c.Ticket != nil && c.Ticket.DecidedAt.IsZero() {
					if _, err := st.Accept(ctx, "c1", c.Owner, false); err != nil && !errors.Is(err, handoff.ErrNotHandedOff) {
						errs[w] = err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// Every round in which both writers reached the commit had a loser.
	if st.Conflicts() < int64(b.rounds) || b.rounds < perWriter {
		t.Errorf("%d stale commits in %d rounds where both writers committed: the writers did not race, or a stale write went through", st.Conflicts(), b.rounds)
	}
	if n := count(t, st, `SELECT count(*) FROM activities WHERE contact = 'c1'`); n != 2*perWriter {
		t.Errorf("%d activities stored, want %d (lost or doubled)", n, 2*perWriter)
	}
	if n := count(t, st, `SELECT count(DISTINCT attrs) FROM activities WHERE contact = 'c1'`); n != 2*perWriter {
		t.Errorf("%d distinct activities, want %d", n, 2*perWriter)
	}
	got := mustRebuild(t, st, "c1")
	if max := count(t, st, `SELECT max(version) FROM events WHERE contact = 'c1'`); uint64(max) != got.Version {
		t.Errorf("last event version %d, state version %d", max, got.Version)
	}
	if n := count(t, st, `SELECT count(*) FROM events WHERE contact = 'c1'`); uint64(n) != got.Version {
		t.Errorf("%d events for state version %d: a gap or a double", n, got.Version)
	}
	// One notification per handoff, never two.
	handoffs := count(t, st, `SELECT count(*) FROM events WHERE contact = 'c1' AND json_extract(body, '$.to') = 'sql'`)
	notes := count(t, st, `SELECT count(*) FROM outbox WHERE contact = 'c1' AND kind = 'notify' AND json_extract(payload, '$.to') NOT IN ('marketing', 'product')`)
	if handoffs == 0 || notes != handoffs {
		t.Errorf("%d handoffs, %d rep notifications", handoffs, notes)
	}
	// One KPI record of each handoff, and one decision per acceptance.
	if keys := count(t, st, `SELECT count(DISTINCT json_extract(body, '$.handoff')) FROM handoffs WHERE contact = 'c1' AND kind = 'response'`); keys != handoffs {
		t.Errorf("%d handoffs, response records of %d", handoffs, keys)
	}
	decisions := count(t, st, `SELECT count(*) FROM handoffs WHERE contact = 'c1' AND kind = 'decision'`)
	accepted := count(t, st, `SELECT count(*) FROM outbox WHERE contact = 'c1' AND json_extract(payload, '$.to') = 'marketing'`)
	if decisions != accepted || decisions > handoffs {
		t.Errorf("%d decision records for %d acceptances notified, %d handoffs", decisions, accepted, handoffs)
	}
	// No lost update: the stored score was computed from every stored
	// activity. Had a writer overwritten the row from a stale snapshot,
	// the score would miss the activity the other writer committed.
	c, err := st.Contact(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	checkScoreCountsActivities(t, c)
	t.Logf("%d stale commits retried in %d racing rounds; final state %s v%d", st.Conflicts(), b.rounds, got.Stage, got.Version)
}

// TestTwoWritersRaceOnTouches makes the lead's owner log contact attempts
// from two devices at the same time, every commit racing: the ticket's
// attempt counter lives in the contact row, so a stale write that went
// through would lose an attempt.
func TestTwoWritersRaceOnTouches(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	handOffHotContact(t, st, "c1")
	before, err := st.Contact(ctx, "c1")
	if err != nil || before.Ticket == nil {
		t.Fatalf("not handed off: %v", err)
	}
	const perWriter = 20
	b := newPairBarrier(st)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer b.leave()
			for range perWriter {
				if _, err := st.Touch(ctx, "c1", before.Owner); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	c, err := st.Contact(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Ticket.Attempts != 2*perWriter {
		t.Errorf("%d attempts recorded, want %d: a stale write went through", c.Ticket.Attempts, 2*perWriter)
	}
	if st.Conflicts() < perWriter {
		t.Errorf("%d stale commits, want at least %d: the writers did not race", st.Conflicts(), perWriter)
	}
	if rev := count(t, st, `SELECT rev FROM contacts WHERE id = 'c1'`); int64(rev) != before.rev+2*perWriter {
		t.Errorf("row version %d, want %d (one per touch)", rev, before.rev+2*perWriter)
	}
	mustRebuild(t, st, "c1")
}

func attr(w, i int) []scoring.Attr {
	return []scoring.Attr{{Key: "n", Value: fmt.Sprintf("w%d-%d", w, i)}}
}

// TestManyWritersManyContacts runs the command's own workload: several
// writers on a hot set of contacts, then rebuilds every contact.
func TestManyWritersManyContacts(t *testing.T) {
	var out, errOut bytes.Buffer
	db := filepath.Join(t.TempDir(), "crm.db")
	if err := run(context.Background(), []string{"-db", db, "-contacts", "40", "-writers", "4", "-ops", "60"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	for _, want := range []string{"every state equals the stored one", "Funnel 2026-W10", "outbox:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	checkREADMEOutput(t, out.String())
	// Reopen the file: the data outlived the process's store.
	lib, err := NewLibrary(madrid)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Open(db, lib)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.Verify(context.Background())
	if err != nil || n != 40 {
		t.Fatalf("verify after reopening: %d contacts, %v", n, err)
	}
	// A second run on the same file refuses to import over its contacts.
	if err := run(context.Background(), []string{"-db", db, "-ops", "0"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "already holds 40 contacts") {
		t.Errorf("second run on the same file: %v", err)
	}
}

func TestSLAEscalationsGoToTheOutboxOnce(t *testing.T) {
	ctx := context.Background()
	st, clk := openStore(t)
	handOffHotContact(t, st, "c1")
	c, err := st.Contact(ctx, "c1")
	if err != nil || c.Ticket == nil {
		t.Fatalf("not handed off: %v %+v", err, c)
	}
	first := c.Owner
	// Nobody touches the lead for two weeks (more than 72 business hours):
	// reminder, manager alert, then reassignment to another rep.
	clk.Add(14 * 24 * time.Hour)
	n, err := st.CheckSLA(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d escalations fired, want 3", n)
	}
	if n, err := st.CheckSLA(ctx, "c1"); err != nil || n != 0 {
		t.Errorf("second check fired %d (%v), want 0", n, err)
	}
	c, _ = st.Contact(ctx, "c1")
	if c.Owner == first || c.Owner == "" {
		t.Errorf("owner %q after the reassign escalation (was %q)", c.Owner, first)
	}
	esc := count(t, st, `SELECT count(*) FROM outbox WHERE kind = 'escalate'`)
	if esc != 3 {
		t.Errorf("%d escalations in the outbox, want 3", esc)
	}
	if _, err := st.Touch(ctx, "c1", c.Owner); err != nil {
		t.Fatal(err)
	}
	mustRebuild(t, st, "c1")
}

func TestReportFromTheLog(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	for i := range 6 {
		id := fmt.Sprintf("c%d", i)
		if err := st.AddContact(ctx, id, hotFit, funnel.Lead); err != nil {
			t.Fatal(err)
		}
		for range i {
			if _, err := st.RecordActivity(ctx, id, "webinar"); err != nil {
				t.Fatal(err)
			}
		}
	}
	rep, err := st.Report(ctx, report.Config{Path: st.lib.Funnel.Path(),
		Detours: []funnel.Stage{funnel.Nurture, funnel.Disqualified, funnel.Lost}, Location: madrid})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Periods) != 1 {
		t.Fatalf("%d periods", len(rep.Periods))
	}
	for _, sf := range rep.Periods[0].Stages {
		want := count(t, st, `SELECT count(*) FROM events WHERE json_extract(body, '$.to') = ?`, string(sf.Stage))
		if sf.Entries != int64(want) {
			t.Errorf("%s: report %d entries, log %d", sf.Stage, sf.Entries, want)
		}
	}
}

func TestRebuildDetectsTampering(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	if err := st.AddContact(ctx, "c1", hotFit, funnel.Lead); err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.Exec(`UPDATE contacts SET state = json_set(state, '$.stage', 'customer') WHERE id = 'c1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Rebuild(ctx, "c1"); !errors.Is(err, ErrMismatch) {
		t.Errorf("tampered state: %v, want ErrMismatch", err)
	}
	// The stage column kept for queries is checked too.
	if err := st.AddContact(ctx, "c2", hotFit, funnel.Lead); err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.Exec(`UPDATE contacts SET stage = 'customer' WHERE id = 'c2'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Rebuild(ctx, "c2"); !errors.Is(err, ErrMismatch) {
		t.Errorf("tampered stage column: %v, want ErrMismatch", err)
	}
	if _, err := st.Verify(ctx); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), `"c1"`) || !strings.Contains(err.Error(), `"c2"`) {
		t.Errorf("Verify: %v, want both contacts reported", err)
	}
}

// TestEventLogIsAppendOnly checks that the database refuses to change or
// delete an event, whoever asks.
func TestEventLogIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	if err := st.AddContact(ctx, "c1", hotFit, funnel.Lead); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE events SET body = json_set(body, '$.to', 'customer') WHERE contact = 'c1'`,
		`DELETE FROM events WHERE contact = 'c1'`,
	} {
		if _, err := st.db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only refusal", q, err)
		}
	}
	mustRebuild(t, st, "c1")
}

// TestRebuildWhileWriting rebuilds a contact over and over while another
// goroutine moves it through the funnel: every rebuild reads the row and
// the log of the same commit, so it never sees a mismatch that is not
// there.
func TestRebuildWhileWriting(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	if err := st.AddContact(ctx, "c1", hotFit, funnel.Lead); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for i := range 24 {
			var err error
			if c, e := st.Contact(ctx, "c1"); e != nil {
				err = e
			} else if c.State.Stage == funnel.SQL {
				_, err = st.Reject(ctx, "c1", c.Owner, funnel.ReasonBadTiming, "")
			} else {
				_, err = st.RecordActivity(ctx, "c1", []string{"pricing_page", "webinar", "page_view"}[i%3])
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var rebuilds int
	var errs []error
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("rebuilds while writing: %v", err)
			}
			got := mustRebuild(t, st, "c1")
			if got.Version < 5 || rebuilds == 0 {
				t.Errorf("the writer moved the contact to v%d during %d rebuilds: too little to test", got.Version, rebuilds)
			}
			return
		default:
		}
		rebuilds++
		if _, err := st.Rebuild(ctx, "c1"); err != nil && len(errs) < 3 {
			errs = append(errs, err)
		}
	}
}

// checkScoreCountsActivities checks that the contact's stored score
// counts each of its stored activities (the CRM's rules have no window the
// tests' clocks leave).
func checkScoreCountsActivities(t *testing.T, c *Contact) {
	t.Helper()
	if c.Score == nil {
		t.Fatalf("%s has no score", c.ID)
	}
	stored := map[string]int{}
	for _, a := range c.Lead.Activities {
		stored[a.Type]++
	}
	scored := map[string]int{}
	for _, e := range c.Score.Ledger {
		scored[e.Name] += e.Count
	}
	for rule, typ := range map[string]string{"page_views": "page_view", "pricing_page": "pricing_page", "webinar": "webinar"} {
		if scored[rule] != stored[typ] {
			t.Errorf("%s: the stored score counts %d %s activities, %d are stored (a lost update)", c.ID, scored[rule], typ, stored[typ])
		}
	}
}

// TestDeliverTheOutbox drains the outbox the way a worker would: effects
// in order, each marked sent once delivered, a failed delivery left for
// the next run.
func TestDeliverTheOutbox(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	handOffHotContact(t, st, "c1")
	c, err := st.Contact(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Reject(ctx, "c1", c.Owner, funnel.ReasonBadTiming, ""); err != nil {
		t.Fatal(err)
	}
	want, err := st.Outbox(ctx)
	if err != nil || len(want) != 2 || want[0].To == "marketing" || want[1].To != "marketing" {
		t.Fatalf("outbox: %+v, %v; want the rep's notification, then marketing's", want, err)
	}
	var sent []Effect
	var seqs []int64
	down := errors.New("mail server down")
	n, err := st.Deliver(ctx, func(seq int64, e Effect) error {
		if len(sent) == 1 {
			return down
		}
		sent, seqs = append(sent, e), append(seqs, seq)
		return nil
	})
	if n != 1 || !errors.Is(err, down) {
		t.Fatalf("first run: %d delivered, %v", n, err)
	}
	if left, _ := st.Outbox(ctx); len(left) != 1 || !sameEffect(left[0], want[1]) {
		t.Errorf("after a failed delivery the outbox holds %+v, want %+v", left, want[1:])
	}
	n, err = st.Deliver(ctx, func(seq int64, e Effect) error {
		sent, seqs = append(sent, e), append(seqs, seq)
		return nil
	})
	if n != 1 || err != nil {
		t.Fatalf("second run: %d delivered, %v", n, err)
	}
	if len(sent) != 2 || !sameEffect(sent[0], want[0]) || !sameEffect(sent[1], want[1]) || seqs[0] >= seqs[1] {
		t.Errorf("delivered %+v (seq %v), want %+v in order", sent, seqs, want)
	}
	if n, err := st.Deliver(ctx, func(int64, Effect) error { t.Error("delivered twice"); return nil }); n != 0 || err != nil {
		t.Errorf("third run: %d, %v", n, err)
	}
}

// sameEffect compares effects, their deadlines as instants and their SLA
// reports as JSON.
func sameEffect(a, b Effect) bool {
	da, db := a.Deadline, b.Deadline
	sa, _ := json.Marshal(a.SLA)
	sb, _ := json.Marshal(b.SLA)
	a.Deadline, b.Deadline, a.SLA, b.SLA = time.Time{}, time.Time{}, nil, nil
	return a == b && da.Equal(db) && string(sa) == string(sb)
}

// TestStaleSalesActionIsRefused: a rep reads a lead handed off to them and
// acts on it, but meanwhile the lead was sent back and routed to another
// rep. The action is checked against the owner in the transaction that
// would write it, so it is refused and writes nothing; it is not applied
// to the new owner's handoff (an acceptance, a rejection or a touch the
// new owner never made, and a rejection that would keep the lead from
// them in later routing).
func TestStaleSalesActionIsRefused(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	handOffHotContact(t, st, "c1")
	read, err := st.Contact(ctx, "c1") // what the first rep's screen shows
	if err != nil || read.Owner == "" {
		t.Fatalf("not handed off: %v", err)
	}
	first := read.Owner
	c, err := st.Reject(ctx, "c1", first, funnel.ReasonWrongTerritory, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.State.Stage != funnel.SQL || c.Owner == "" || c.Owner == first {
		t.Fatalf("after wrong_territory: %s, owner %q (was %q); want routed again to another rep", c.State.Stage, c.Owner, first)
	}
	second := c.Owner
	rev := count(t, st, `SELECT rev FROM contacts WHERE id = 'c1'`)
	effects := count(t, st, `SELECT count(*) FROM outbox`)
	for name, act := range map[string]func() error{
		"touch":  func() error { _, err := st.Touch(ctx, "c1", first); return err },
		"accept": func() error { _, err := st.Accept(ctx, "c1", first, true); return err },
		"reject": func() error { _, err := st.Reject(ctx, "c1", first, funnel.ReasonBadTiming, ""); return err },
	} {
		if err := act(); !errors.Is(err, ErrNotOwner) {
			t.Errorf("stale %s by %s on a lead now owned by %s: %v, want ErrNotOwner", name, first, second, err)
		}
	}
	if n := count(t, st, `SELECT rev FROM contacts WHERE id = 'c1'`); n != rev {
		t.Errorf("refused actions wrote the contact: rev %d → %d", rev, n)
	}
	if n := count(t, st, `SELECT count(*) FROM outbox`); n != effects {
		t.Errorf("refused actions wrote %d outbox rows", n-effects)
	}
	c, err = st.Contact(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Owner != second || c.State.Stage != funnel.SQL || c.Ticket == nil || !c.Ticket.DecidedAt.IsZero() || c.Ticket.Attempts != 0 ||
		slices.Contains(c.Recycle.RejectedBy, second) {
		t.Errorf("the new owner's handoff changed: stage %s, owner %q, ticket %+v, rejected by %v", c.State.Stage, c.Owner, c.Ticket, c.Recycle.RejectedBy)
	}
	// The owner's own actions go through.
	if _, err := st.Touch(ctx, "c1", second); err != nil {
		t.Fatal(err)
	}
	if c, err = st.Accept(ctx, "c1", second, false); err != nil || c.Ticket.DecidedAt.IsZero() {
		t.Fatalf("the owner's acceptance: %v", err)
	}
	mustRebuild(t, st, "c1")
}

// TestAcceptIsIdempotent: accepting a lead again (a retried request, or
// two writers that both saw it waiting) notifies marketing once and keeps
// the time of the first decision.
func TestAcceptIsIdempotent(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	handOffHotContact(t, st, "c1")
	c, err := st.Contact(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	first, err := st.Accept(ctx, "c1", c.Owner, false)
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.Accept(ctx, "c1", c.Owner, true)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(*) FROM outbox WHERE json_extract(payload, '$.to') = 'marketing'`); n != 1 {
		t.Errorf("%d acceptance notifications to marketing, want 1", n)
	}
	if !again.Ticket.DecidedAt.Equal(first.Ticket.DecidedAt) {
		t.Errorf("decided at %v, then %v: the second acceptance moved the decision", first.Ticket.DecidedAt, again.Ticket.DecidedAt)
	}
	if again.State.Stage != funnel.Opportunity {
		t.Errorf("stage %s after accepting as an opportunity, want opportunity", again.State.Stage)
	}
	mustRebuild(t, st, "c1")
}

// TestAcceptedLeadEscalatesNothing: a lead its owner accepted (here made an
// opportunity at once) without logging a touch is theirs; the first-touch
// escalations that fall due later neither alert anyone nor take the lead
// from its owner.
func TestAcceptedLeadEscalatesNothing(t *testing.T) {
	ctx := context.Background()
	st, clk := openStore(t)
	handOffHotContact(t, st, "c1")
	c, err := st.Contact(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	owner := c.Owner
	if _, err := st.Accept(ctx, "c1", owner, true); err != nil {
		t.Fatal(err)
	}
	effects := count(t, st, `SELECT count(*) FROM outbox`)
	clk.Add(14 * 24 * time.Hour)
	if n, err := st.CheckSLA(ctx, "c1"); err != nil || n != 0 {
		t.Errorf("CheckSLA on an accepted lead fired %d escalations (%v), want 0", n, err)
	}
	if c, err = st.Contact(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if c.Owner != owner || c.State.Stage != funnel.Opportunity {
		t.Errorf("after the SLA check: %s owned by %q, want the opportunity still owned by %q", c.State.Stage, c.Owner, owner)
	}
	if n := count(t, st, `SELECT count(*) FROM outbox`); n != effects {
		t.Errorf("the SLA check of an accepted lead wrote %d outbox rows", n-effects)
	}
}

// TestUnencodableValueFailsTheCommit: a value JSON cannot hold (a time
// past year 9999) fails the commit, which writes nothing; it is not stored
// as an empty payload that every later Outbox and Deliver would choke on.
func TestUnencodableValueFailsTheCommit(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	if err := st.AddContact(ctx, "c1", hotFit, funnel.Lead); err != nil {
		t.Fatal(err)
	}
	snap, err := st.load(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	ch := &change{c: snap.c.clone(), at: st.Now()}
	ch.effects = append(ch.effects, Effect{Kind: "notify", To: "ana", Lead: "c1", Why: "bad clock",
		Deadline: time.Date(10000, time.January, 1, 0, 0, 0, 0, time.UTC)})
	if err := st.commit(ctx, ch); err == nil {
		t.Error("commit of an effect JSON cannot encode succeeded")
	}
	if n := count(t, st, `SELECT count(*) FROM outbox`); n != 0 {
		t.Errorf("%d outbox rows written", n)
	}
	if rev := count(t, st, `SELECT rev FROM contacts WHERE id = 'c1'`); int64(rev) != snap.c.rev {
		t.Errorf("contact row version %d, want %d", rev, snap.c.rev)
	}
	if _, err := st.Outbox(ctx); err != nil {
		t.Errorf("outbox: %v", err)
	}
}

// TestHandoffRecordsFeedTheReport: the CRM keeps the KPI records of its
// handoffs next to the log, in the transactions that change them, and the
// report reads them: a lead touched in time and accepted, and a lead sent
// back untouched after its first-touch deadline (whose ticket the CRM
// drops) give an acceptance rate of 1/2, SLA compliance of 1/2 and the
// rejection's reason; marketing's notice of the return carries the
// ticket's final service level, breached.
func TestHandoffRecordsFeedTheReport(t *testing.T) {
	ctx := context.Background()
	st, clk := openStore(t)
	handOffHotContact(t, st, "c1")
	handOffHotContact(t, st, "c2")
	c1, err := st.Contact(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Touch(ctx, "c1", c1.Owner); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Touch(ctx, "c1", c1.Owner); err != nil { // a second attempt: no new record
		t.Fatal(err)
	}
	if _, err := st.Accept(ctx, "c1", c1.Owner, false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Accept(ctx, "c1", c1.Owner, false); err != nil { // a retried acceptance: no new decision
		t.Fatal(err)
	}
	recs, err := st.HandoffRecords(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []report.RecordKind
	for _, r := range recs {
		kinds = append(kinds, r.Kind)
	}
	if want := []report.RecordKind{report.KindResponse, report.KindResponse, report.KindDecision, report.KindResponse}; !slices.Equal(kinds, want) {
		t.Fatalf("c1's records: %v, want assignment, first touch, then the decision and the handoff as it stood", kinds)
	}
	if r := recs[1].Response; r.Handoff != recs[0].Response.Handoff || r.Lead != "c1" || r.Rep != c1.Owner || r.TouchedAt.IsZero() || r.Deadline.IsZero() {
		t.Errorf("first touch record %+v (assignment %+v)", r, recs[0].Response)
	}
	if d := recs[2].Decision; !d.Accepted || d.Rep != c1.Owner || !slices.Contains(d.Criteria, "mid_market") {
		t.Errorf("decision %+v, want accepted by %s with the lead's criteria", d, c1.Owner)
	}

	clk.Add(72 * time.Hour) // c2 waits past its first-touch deadline
	c2, err := st.Contact(ctx, "c2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Reject(ctx, "c2", c2.Owner, funnel.ReasonBadData, ""); err != nil {
		t.Fatal(err)
	}
	out, err := st.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := out[len(out)-1]
	if last.To != "marketing" || last.Lead != "c2" || last.SLA == nil || !last.SLA.Breached() {
		t.Errorf("marketing's notice of the return: %+v, want c2's final SLA, breached", last)
	}
	rep, err := st.Report(ctx, report.Config{Path: st.lib.Funnel.Path(),
		Detours: []funnel.Stage{funnel.Nurture, funnel.Disqualified, funnel.Lost}, Location: madrid, Period: report.Month})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Periods) != 1 {
		t.Fatalf("%d periods", len(rep.Periods))
	}
	sv := rep.Periods[0].Service
	if sv.Acceptance.Num != 1 || sv.Acceptance.Den != 2 {
		t.Errorf("acceptance %d/%d, want 1/2", sv.Acceptance.Num, sv.Acceptance.Den)
	}
	if sv.SLA.Num != 1 || sv.SLA.Den != 2 {
		t.Errorf("SLA compliance %d/%d, want 1/2 (c1 touched in time, c2 never)", sv.SLA.Num, sv.SLA.Den)
	}
	if len(sv.Rejections) != 1 || sv.Rejections[0].Reason != string(funnel.ReasonBadData) {
		t.Errorf("rejections %+v, want bad_data", sv.Rejections)
	}
	// The records are append-only, like the log.
	for _, q := range []string{`UPDATE handoffs SET body = '{}'`, `DELETE FROM handoffs`} {
		if _, err := st.db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only refusal", q, err)
		}
	}
}

// TestAddedAtASalesStageIsHandedOff imports contacts straight into SQL:
// each is handed off in the same transaction as a promotion would be
// (routed, an SLA ticket on the default tier, its assignment record and
// the rep's notice), so its owner can work it and nobody else can; before,
// it sat in sales with no owner and no rep could touch, accept or return
// it. A commit made stale by another routing in between routes again.
func TestAddedAtASalesStageIsHandedOff(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	nested := false
	st.beforeCommit = func(op, id string) {
		if op == "add" && id == "c1" && !nested {
			nested = true // another import takes c1's rep meanwhile
			if err := st.AddContact(ctx, "c0", hotFit, funnel.SQL); err != nil {
				t.Error(err)
			}
		}
	}
	if err := st.AddContact(ctx, "c1", hotFit, funnel.SQL); err != nil {
		t.Fatal(err)
	}
	if st.Conflicts() != 1 {
		t.Errorf("%d stale commits retried, want 1 (the rotation moved)", st.Conflicts())
	}
	c0, err := st.Contact(ctx, "c0")
	if err != nil {
		t.Fatal(err)
	}
	c1, err := st.Contact(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if c1.Owner == "" || c1.Owner == c0.Owner || c1.Ticket == nil || c1.Ticket.Tier != "standard" || c1.Ticket.AssignedAt.IsZero() {
		t.Fatalf("c1 imported at sql: owner %q (c0's %q), ticket %+v", c1.Owner, c0.Owner, c1.Ticket)
	}
	if n := count(t, st, `SELECT count(*) FROM outbox WHERE contact = 'c1' AND json_extract(payload, '$.to') = ?`, c1.Owner); n != 1 {
		t.Errorf("%d notices to %s, want 1", n, c1.Owner)
	}
	recs, err := st.HandoffRecords(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Kind != report.KindResponse || recs[0].Response.Rep != c1.Owner || recs[0].Response.Deadline.IsZero() {
		t.Errorf("c1's handoff records %+v, want its assignment to %s", recs, c1.Owner)
	}
	other := "ana"
	if c1.Owner == other {
		other = "bruno"
	}
	if _, err := st.Accept(ctx, "c1", other, false); !errors.Is(err, ErrNotOwner) {
		t.Errorf("accepted by %s, not its owner: %v, want ErrNotOwner", other, err)
	}
	if _, err := st.Touch(ctx, "c1", c1.Owner); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Accept(ctx, "c1", c1.Owner, true); err != nil {
		t.Fatal(err)
	}
	mustRebuild(t, st, "c1")
	// A stage marketing owns is not handed off.
	if err := st.AddContact(ctx, "c2", hotFit, funnel.MQL); err != nil {
		t.Fatal(err)
	}
	if c2, _ := st.Contact(ctx, "c2"); c2.Owner != "" || c2.Ticket != nil {
		t.Errorf("c2 imported at mql: owner %q, ticket %+v", c2.Owner, c2.Ticket)
	}
}

// TestReassignmentRecordsTheNewRep: a lead nobody touches is reassigned
// by the SLA's escalation; the CRM records the new rep's assignment under
// the handoff's key, and the report counts the lead once: one handoff in
// speed to lead and in SLA compliance, breached (touched by the new rep
// after the first-touch deadline), its response time from the first
// assignment.
func TestReassignmentRecordsTheNewRep(t *testing.T) {
	ctx := context.Background()
	st, clk := openStore(t)
	handOffHotContact(t, st, "c1")
	c, err := st.Contact(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	first, assigned := c.Owner, c.Ticket.AssignedAt
	clk.Add(14 * 24 * time.Hour)
	if _, err := st.CheckSLA(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Contact(ctx, "c1")
	if c.Owner == first {
		t.Fatalf("not reassigned: owner %q", c.Owner)
	}
	recs, err := st.HandoffRecords(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d handoff records after the reassignment, want 2 (the assignments to %s and %s): %+v", len(recs), first, c.Owner, recs)
	}
	r0, r1 := recs[0].Response, recs[1].Response
	if r0.Rep != first || r1.Rep != c.Owner || r1.Handoff != r0.Handoff || !r1.ActionAt.Equal(r0.ActionAt) || !r1.AssignedAt.After(r0.AssignedAt) {
		t.Errorf("records %+v and %+v, want the same handoff assigned to %s then to %s", r0, r1, first, c.Owner)
	}
	if _, err := st.Touch(ctx, "c1", c.Owner); err != nil {
		t.Fatal(err)
	}
	rep, err := st.Report(ctx, report.Config{Path: st.lib.Funnel.Path(),
		Detours: []funnel.Stage{funnel.Nurture, funnel.Disqualified, funnel.Lost}, Location: madrid, Period: report.Month})
	if err != nil {
		t.Fatal(err)
	}
	var sla report.Rate
	var bands report.Bands
	var resp report.Velocity
	for _, p := range rep.Periods {
		sla.Num, sla.Den = sla.Num+p.Service.SLA.Num, sla.Den+p.Service.SLA.Den
		b := p.Service.SpeedToLead
		bands.Under5, bands.Under15, bands.Under60, bands.Over60, bands.Untouched =
			bands.Under5+b.Under5, bands.Under15+b.Under15, bands.Under60+b.Under60, bands.Over60+b.Over60, bands.Untouched+b.Untouched
		if p.Service.ResponseTime.Count > 0 {
			resp = p.Service.ResponseTime
		}
	}
	if sla.Num != 0 || sla.Den != 1 {
		t.Errorf("SLA compliance %d/%d, want 0/1 (one handoff, touched after its deadline)", sla.Num, sla.Den)
	}
	if bands != (report.Bands{Over60: 1}) {
		t.Errorf("speed to lead %+v, want the one lead, touched after an hour", bands)
	}
	if c, _ := st.Contact(ctx, "c1"); resp.Count != 1 || resp.Max != c.Ticket.FirstTouchAt.Sub(assigned) {
		t.Errorf("response time %+v, want one, from the first assignment (%s)", resp, assigned)
	}
}
