package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/report"
	"github.com/smarketing/smarketing/scoring"
)

// Library is what the CRM builds once from the smarketing packages and
// shares between all its goroutines: the models are immutable.
type Library struct {
	Funnel     *funnel.Model
	Scoring    *scoring.Model[scoring.Lead]
	Policy     *handoff.Policy
	Acceptance *handoff.Acceptance
	SLA        *handoff.SLA
	Calendar   handoff.Calendar
	Router     *handoff.Router
	Roster     []handoff.Rep
}

// Store is the CRM's database: contacts with their lifecycle state and
// version, their activities, the append-only event log, the outbox of
// effects to deliver, and the routing rotation.
//
// Every change is computed by the library from a snapshot read without
// locks, then written in one transaction that first checks the row
// version it read (optimistic concurrency). When another writer got there
// first the transaction writes nothing, and the change is computed again
// from a fresh snapshot: nothing is lost, nothing is written twice.
type Store struct {
	db  *sql.DB
	lib *Library
	// Now is the CRM's clock, read once per attempt after the snapshot.
	Now func() time.Time
	// MaxAttempts bounds the retries of one change.
	MaxAttempts int

	conflicts atomic.Int64
	// beforeCommit, when set, runs between computing a change and
	// committing it (tests use it to make writers interleave).
	beforeCommit func(op, id string)
}

// ErrStale is returned by a commit whose snapshot is out of date.
var ErrStale = errors.New("crm: stale version")

// ErrExists is returned when adding a contact whose ID is taken.
var ErrExists = errors.New("crm: contact exists")

// ErrNotFound is returned for an unknown contact.
var ErrNotFound = errors.New("crm: no such contact")

// ErrNotOwner is returned when a rep acts on a lead handed off to another
// rep (or to nobody since the rep read it).
var ErrNotOwner = errors.New("crm: not the lead's owner")

// ErrMismatch is returned when a contact's state rebuilt from its log
// differs from the stored one.
var ErrMismatch = errors.New("crm: stored state differs from its log")

const schema = `
CREATE TABLE IF NOT EXISTS contacts (
	id      TEXT PRIMARY KEY,
	rev     INTEGER NOT NULL,          -- row version: +1 on every write
	stage   TEXT NOT NULL,             -- funnel stage (for queries)
	version INTEGER NOT NULL,          -- funnel version (events applied)
	fields  TEXT NOT NULL,             -- JSON object
	state   TEXT NOT NULL,             -- funnel.State as JSON
	recycle TEXT NOT NULL,             -- handoff.RecycleState as JSON
	score   TEXT,                      -- last scoring.Result as JSON
	owner   TEXT NOT NULL DEFAULT '',
	ticket  TEXT,                      -- open handoff.Ticket as JSON
	fired   TEXT NOT NULL DEFAULT '[]' -- escalations fired for the open ticket
) STRICT;
CREATE TABLE IF NOT EXISTS activities (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	contact TEXT NOT NULL REFERENCES contacts(id),
	type    TEXT NOT NULL,
	at      TEXT NOT NULL,
	attrs   TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS activities_contact ON activities(contact);
CREATE TABLE IF NOT EXISTS events (
	contact  TEXT NOT NULL REFERENCES contacts(id),
	version  INTEGER NOT NULL,
	event_id TEXT NOT NULL UNIQUE,
	at       TEXT NOT NULL,
	body     TEXT NOT NULL,            -- funnel.Event as JSON
	PRIMARY KEY (contact, version)
) STRICT;
-- The log is append-only: the database itself refuses to change or
-- delete an event, whatever code runs against it.
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TABLE IF NOT EXISTS outbox (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	contact    TEXT NOT NULL,
	kind       TEXT NOT NULL,          -- notify, escalate
	payload    TEXT NOT NULL,          -- Effect as JSON
	created_at TEXT NOT NULL,
	sent_at    TEXT
) STRICT;
-- The handoffs' KPI records, for package report: a report.Response
-- when a lead is assigned and when it is first touched (the records of one
-- handoff share its key and are combined), a report.Decision when sales
-- accepts or sends it back. Append-only, like the event log.
CREATE TABLE IF NOT EXISTS handoffs (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	contact TEXT NOT NULL REFERENCES contacts(id),
	kind    TEXT NOT NULL,             -- response, decision
	at      TEXT NOT NULL,
	body    TEXT NOT NULL              -- report.Response or report.Decision as JSON
) STRICT;
CREATE INDEX IF NOT EXISTS handoffs_contact ON handoffs(contact);
CREATE TRIGGER IF NOT EXISTS handoffs_no_update BEFORE UPDATE ON handoffs
BEGIN SELECT RAISE(ABORT, 'handoff records are append-only'); END;
CREATE TRIGGER IF NOT EXISTS handoffs_no_delete BEFORE DELETE ON handoffs
BEGIN SELECT RAISE(ABORT, 'handoff records are append-only'); END;
CREATE TABLE IF NOT EXISTS rotation (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	rev   INTEGER NOT NULL,
	state TEXT NOT NULL                -- handoff.Rotation as JSON
) STRICT;
INSERT OR IGNORE INTO rotation (id, rev, state) VALUES (1, 0, '{}');
`

// Open opens (or creates) the database file at path.
func Open(path string, lib *Library) (*Store, error) {
	// WAL lets readers work while one writer commits; busy_timeout makes a
	// writer wait for the lock instead of failing; _txlock=immediate takes
	// the write lock at BEGIN, so two writers never deadlock upgrading.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("schema: %w", err)
	}
	return &Store{db: db, lib: lib, Now: time.Now, MaxAttempts: 50}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Conflicts returns how many commits were rejected as stale and retried.
func (s *Store) Conflicts() int64 { return s.conflicts.Load() }

// Contact is one contact as the CRM holds it in memory.
type Contact struct {
	ID      string
	Lead    scoring.Lead
	State   funnel.State
	Recycle handoff.RecycleState
	Score   *scoring.Result
	Owner   string
	Ticket  *handoff.Ticket
	Fired   []string
	rev     int64
}

func (c *Contact) clone() *Contact {
	d := *c
	d.Lead.Fields = maps.Clone(c.Lead.Fields)
	d.Lead.Activities = slices.Clone(c.Lead.Activities)
	d.State = c.State.Clone()
	d.Recycle = c.Recycle.Clone()
	d.Fired = slices.Clone(c.Fired)
	if c.Ticket != nil {
		t := *c.Ticket
		d.Ticket = &t
	}
	return &d
}

// Effect is a side effect the library's decisions call for, written to
// the outbox in the same transaction as the change that caused it, for a
// worker to deliver later (at least once).
type Effect struct {
	Kind     string    `json:"kind"` // "notify" or "escalate"
	To       string    `json:"to"`   // a rep, "manager", "marketing", "product"
	Lead     string    `json:"lead"`
	Action   string    `json:"action,omitempty"` // escalations: remind_owner, alert_manager, reassign
	Tier     string    `json:"tier,omitempty"`
	Deadline time.Time `json:"deadline,omitzero"`
	Why      string    `json:"why"`
	// SLA is, on marketing's notice of an acceptance or a return, the
	// handoff's service level when sales decided: for a lead sent back,
	// the ticket's final state (the CRM drops the ticket then).
	SLA *handoff.Report `json:"sla,omitempty"`
}

// change is what one operation writes, computed from a snapshot.
type change struct {
	c        *Contact
	create   bool
	activity *scoring.Activity
	events   []funnel.Event
	effects  []Effect
	records  []report.Record // KindResponse and KindDecision only
	rot      *handoff.Rotation
	rotRev   int64
	at       time.Time
}

// snapshot is what one attempt read.
type snapshot struct {
	c      *Contact
	rot    handoff.Rotation
	rotRev int64
}

// querier is what reads need: the database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// read runs f in a read-only transaction: every query of f sees the same
// committed state (in WAL mode it neither waits for writers nor blocks
// them), so a contact row is never read with the activities or events of
// another commit.
func (s *Store) read(ctx context.Context, f func(q querier) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // nothing was written
	return f(tx)
}

// load reads a consistent snapshot of a contact and the routing rotation.
func (s *Store) load(ctx context.Context, id string) (snap *snapshot, err error) {
	err = s.read(ctx, func(q querier) error {
		snap, err = s.loadIn(ctx, q, id)
		return err
	})
	return snap, err
}

func (s *Store) loadIn(ctx context.Context, q querier, id string) (*snapshot, error) {
	var (
		c                             = &Contact{ID: id}
		fields, state, recycle, fired string
		score, ticket                 sql.NullString
		snap                          = &snapshot{c: c}
	)
	err := q.QueryRowContext(ctx, `SELECT rev, fields, state, recycle, score, owner, ticket, fired FROM contacts WHERE id = ?`, id).
		Scan(&c.rev, &fields, &state, &recycle, &score, &c.Owner, &ticket, &fired)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	if err := errors.Join(
		json.Unmarshal([]byte(fields), &c.Lead.Fields),
		json.Unmarshal([]byte(state), &c.State),
		json.Unmarshal([]byte(recycle), &c.Recycle),
		json.Unmarshal([]byte(fired), &c.Fired),
	); err != nil {
		return nil, fmt.Errorf("contact %q: %w", id, err)
	}
	if score.Valid {
		c.Score = new(scoring.Result)
		if err := json.Unmarshal([]byte(score.String), c.Score); err != nil {
			return nil, fmt.Errorf("contact %q score: %w", id, err)
		}
	}
	if ticket.Valid {
		c.Ticket = new(handoff.Ticket)
		if err := json.Unmarshal([]byte(ticket.String), c.Ticket); err != nil {
			return nil, fmt.Errorf("contact %q ticket: %w", id, err)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT type, at, attrs FROM activities WHERE contact = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a scoring.Activity
		var at, attrs string
		if err := rows.Scan(&a.Type, &at, &attrs); err != nil {
			return nil, err
		}
		if a.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(attrs), &a.Attrs); err != nil {
			return nil, err
		}
		c.Lead.Activities = append(c.Lead.Activities, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := readRotation(ctx, q, snap); err != nil {
		return nil, err
	}
	return snap, nil
}

// readRotation reads the routing rotation and its revision into snap.
func readRotation(ctx context.Context, q querier, snap *snapshot) error {
	var rotState string
	if err := q.QueryRowContext(ctx, `SELECT rev, state FROM rotation WHERE id = 1`).Scan(&snap.rotRev, &rotState); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(rotState), &snap.rot); err != nil {
		return fmt.Errorf("rotation: %w", err)
	}
	return nil
}

// commit writes ch in one transaction, or nothing and ErrStale when the
// contact (or the rotation, if the change routed a lead) changed since the
// snapshot.
func (s *Store) commit(ctx context.Context, ch *change) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	c := ch.c
	// enc keeps the first encoding error apart from err, which every
	// statement below reassigns: a value that cannot be encoded must fail
	// the commit, not be stored as an empty string.
	var encErr error
	enc := func(v any) string {
		b, e := json.Marshal(v)
		if e != nil && encErr == nil {
			encErr = e
		}
		return string(b)
	}
	nullable := func(ok bool, v any) sql.NullString {
		if !ok {
			return sql.NullString{}
		}
		return sql.NullString{String: enc(v), Valid: true}
	}
	fields := c.Lead.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	fired := c.Fired
	if fired == nil {
		fired = []string{}
	}
	args := []any{string(c.State.Stage), int64(c.State.Version), enc(fields), enc(c.State), enc(c.Recycle),
		nullable(c.Score != nil, c.Score), c.Owner, nullable(c.Ticket != nil, c.Ticket), enc(fired)}
	if err = encErr; err != nil {
		return err
	}
	if ch.create {
		_, err = tx.ExecContext(ctx, `INSERT INTO contacts (stage, version, fields, state, recycle, score, owner, ticket, fired, id, rev)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`, append(args, c.ID)...)
		if err != nil {
			var n int
			if s.db.QueryRowContext(ctx, `SELECT count(*) FROM contacts WHERE id = ?`, c.ID).Scan(&n) == nil && n > 0 {
				err = fmt.Errorf("%w: %q", ErrExists, c.ID)
			}
			return err
		}
	} else {
		res, e := tx.ExecContext(ctx, `UPDATE contacts SET stage = ?, version = ?, fields = ?, state = ?, recycle = ?, score = ?,
			owner = ?, ticket = ?, fired = ?, rev = rev + 1 WHERE id = ? AND rev = ?`, append(args, c.ID, c.rev)...)
		if err = e; err != nil {
			return err
		}
		if n, e := res.RowsAffected(); e != nil || n != 1 {
			err = ErrStale
			return err
		}
	}
	if ch.rot != nil {
		res, e := tx.ExecContext(ctx, `UPDATE rotation SET state = ?, rev = rev + 1 WHERE id = 1 AND rev = ?`, enc(ch.rot), ch.rotRev)
		if err = e; err != nil {
			return err
		}
		if n, e := res.RowsAffected(); e != nil || n != 1 {
			err = ErrStale
			return err
		}
	}
	if a := ch.activity; a != nil {
		attrs := a.Attrs
		if attrs == nil {
			attrs = []scoring.Attr{}
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO activities (contact, type, at, attrs) VALUES (?, ?, ?, ?)`,
			c.ID, a.Type, a.At.UTC().Format(time.RFC3339Nano), enc(attrs)); err != nil {
			return err
		}
	}
	for _, ev := range ch.events {
		if _, err = tx.ExecContext(ctx, `INSERT INTO events (contact, version, event_id, at, body) VALUES (?, ?, ?, ?, ?)`,
			ev.Lead, int64(ev.Version), ev.ID, ev.At.UTC().Format(time.RFC3339Nano), enc(ev)); err != nil {
			return err
		}
	}
	for _, ef := range ch.effects {
		if _, err = tx.ExecContext(ctx, `INSERT INTO outbox (contact, kind, payload, created_at) VALUES (?, ?, ?, ?)`,
			ef.Lead, ef.Kind, enc(ef), ch.at.UTC().Format(time.RFC3339Nano)); err != nil {
			return err
		}
	}
	for _, r := range ch.records {
		kind, at, body := "response", r.Response.AssignedAt, any(r.Response)
		if r.Kind == report.KindDecision {
			kind, at, body = "decision", r.Decision.At, r.Decision
		}
		if r.Kind == report.KindResponse && !r.Response.TouchedAt.IsZero() {
			at = r.Response.TouchedAt
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO handoffs (contact, kind, at, body) VALUES (?, ?, ?, ?)`,
			c.ID, kind, at.UTC().Format(time.RFC3339Nano), enc(body)); err != nil {
			return err
		}
	}
	if err = encErr; err != nil {
		return err
	}
	return tx.Commit()
}

// update runs one change with optimistic concurrency: read a snapshot,
// compute the change with f, commit it if nothing changed meanwhile, and
// start again from a fresh snapshot if something did. f's own errors (the
// library refusing a move) end the update at once with nothing written.
func (s *Store) update(ctx context.Context, op, id string, f func(ch *change, snap *snapshot) error) (*change, error) {
	for range s.MaxAttempts {
		snap, err := s.load(ctx, id)
		if err != nil {
			return nil, err
		}
		ch := &change{c: snap.c.clone(), at: s.Now()}
		if err := f(ch, snap); err != nil {
			return nil, err
		}
		if ch.rot != nil {
			ch.rotRev = snap.rotRev
		}
		if s.beforeCommit != nil {
			s.beforeCommit(op, id)
		}
		err = s.commit(ctx, ch)
		if errors.Is(err, ErrStale) {
			s.conflicts.Add(1)
			continue
		}
		if err != nil {
			return nil, err
		}
		return ch, nil
	}
	return nil, fmt.Errorf("%s %q: still conflicting after %d attempts", op, id, s.MaxAttempts)
}

// apply applies one move to the change's contact and queues its event.
func (s *Store) apply(ch *change, mv funnel.Move) error {
	c := ch.c
	mv.EventID = c.ID + "/" + strconv.FormatUint(c.State.Version+1, 10)
	mv.CheckVersion, mv.ExpectedVersion = true, c.State.Version
	st, ev, err := s.lib.Funnel.Apply(c.State, mv)
	if err != nil {
		return err
	}
	c.State = st
	if !ev.IsZero() {
		ch.events = append(ch.events, ev)
	}
	return nil
}

// AddContact creates a contact and enters it into the funnel at stage
// (the lifecycle's entry stage when empty). A contact entered at a stage
// sales owns (an SQL imported from another system, say) is handed to sales
// in the same transaction, as a promotion would be: routed to a rep, with
// an SLA ticket on the default tier whose clocks start now, its handoff
// record and the rep's notice; otherwise it would sit in sales with no
// owner, no deadline, and no rep allowed to touch, accept or return it.
func (s *Store) AddContact(ctx context.Context, id string, fields map[string]string, stage funnel.Stage) error {
	if stage == "" {
		stage = s.lib.Funnel.Entry()
	}
	for range s.MaxAttempts {
		ch := &change{c: &Contact{ID: id, Lead: scoring.Lead{Fields: maps.Clone(fields)}, State: funnel.State{Lead: id}}, create: true, at: s.Now()}
		if err := s.apply(ch, funnel.Move{To: stage, At: ch.at, Actor: "crm:import"}); err != nil {
			return err
		}
		if st, _ := s.lib.Funnel.Stage(ch.c.State.Stage); st.Team == funnel.Sales {
			snap := &snapshot{}
			if err := s.read(ctx, func(q querier) error { return readRotation(ctx, q, snap) }); err != nil {
				return err
			}
			ch.rotRev = snap.rotRev
			if err := s.route(ch, snap, handoff.Request{Lead: id, Territory: fields["country"]}, s.lib.SLA.Spec().DefaultTier, nil,
				"entered the funnel at "+string(stage)); err != nil {
				return err
			}
		}
		if s.beforeCommit != nil {
			s.beforeCommit("add", id)
		}
		err := s.commit(ctx, ch)
		if errors.Is(err, ErrStale) { // only the rotation can be: route again
			s.conflicts.Add(1)
			continue
		}
		return err
	}
	return fmt.Errorf("add %q: still conflicting after %d attempts", id, s.MaxAttempts)
}

// RecordActivity stores what a contact did, scores it and lets the handoff
// policy decide, in one transaction.
func (s *Store) RecordActivity(ctx context.Context, id string, typ string, attrs ...scoring.Attr) (*Contact, error) {
	ch, err := s.update(ctx, "activity", id, func(ch *change, snap *snapshot) error {
		a := scoring.Activity{Type: typ, At: ch.at, Attrs: attrs}
		ch.activity = &a
		ch.c.Lead.Activities = append(ch.c.Lead.Activities, a)
		return s.qualify(ch, snap, &handoff.Activity{Kind: typ, At: a.At})
	})
	if err != nil {
		return nil, err
	}
	return ch.c, nil
}

// qualify scores the contact and applies the policy until it stops moving
// it; a lead handed to sales is routed, gets an SLA ticket, and its rep is
// notified through the outbox.
func (s *Store) qualify(ch *change, snap *snapshot, act *handoff.Activity) error {
	c := ch.c
	prev := c.Score
	res, err := s.lib.Scoring.Score(c.Lead, ch.at, prev)
	if err != nil {
		return err
	}
	c.Score = &res
	newGap := prev == nil || prev.Quadrant != res.Quadrant
	for range 4 {
		d, err := s.lib.Policy.Decide(handoff.Input{State: c.State, Score: c.Score, Activity: act, Recycle: c.Recycle, Now: ch.at})
		if err != nil {
			return err
		}
		if d.Verdict == handoff.VerdictHold {
			return nil
		}
		if d.Verdict == handoff.VerdictOfferGap && newGap {
			// Tell product once, when the lead enters the quadrant.
			ch.effects = append(ch.effects, Effect{Kind: "notify", To: "product", Lead: c.ID, Why: d.Because})
		}
		if d.HasMove {
			if err := s.apply(ch, d.Move); err != nil {
				return err
			}
		}
		if st, _ := s.lib.Funnel.Stage(c.State.Stage); d.Verdict.ToSales() && st.Team == funnel.Sales {
			return s.route(ch, snap, handoff.Request{Lead: c.ID, Territory: c.Lead.Fields["country"], Exclude: c.Recycle.RejectedBy}, d.Tier, act, d.Explanation)
		}
		if !d.HasMove {
			return nil
		}
	}
	return nil
}

// route assigns the lead to a rep, opens its SLA ticket and notifies the
// rep; the new rotation is written with the change (and checked like the
// contact's version).
func (s *Store) route(ch *change, snap *snapshot, req handoff.Request, tier string, act *handoff.Activity, why string) error {
	c := ch.c
	rot := snap.rot
	if ch.rot != nil {
		rot = *ch.rot
	}
	a, next, err := s.lib.Router.Assign(s.lib.Roster, rot, req)
	if errors.Is(err, handoff.ErrNoEligibleRep) && len(req.Exclude) > 0 {
		// Every rep already sent this lead back once: rather than leave
		// it with nobody, give it to the whole team again.
		req.Exclude = nil
		a, next, err = s.lib.Router.Assign(s.lib.Roster, rot, req)
	}
	if err != nil {
		return err
	}
	rot = next
	ch.rot = &rot
	c.Owner = a.Rep
	actionAt := ch.at
	if act != nil {
		actionAt = act.At
	}
	if c.Ticket == nil || req.Escalation == "" {
		c.Ticket = &handoff.Ticket{Tier: tier, ActionAt: actionAt}
		c.Fired = nil
	}
	c.Ticket.AssignedAt = ch.at
	rep, err := s.lib.SLA.Evaluate(s.lib.Calendar, *c.Ticket, ch.at)
	if err != nil {
		return err
	}
	// The new rep's assignment is recorded under the handoff's key, which
	// a reassignment keeps (its ticket keeps the lead's action): package
	// report combines the records of one key keeping the earliest time of
	// each field, so a reassigned lead stays one handoff in speed to lead
	// and SLA compliance, judged on its first assignment and deadline, and
	// the records say who holds it now.
	ch.records = append(ch.records, report.ResponseRecord(responseOf(c, a.Rep, rep)))
	ft, _ := rep.Clock(handoff.TargetFirstTouch)
	ch.effects = append(ch.effects, Effect{Kind: "notify", To: a.Rep, Lead: c.ID, Tier: rep.Tier, Deadline: ft.Deadline,
		Why: a.Why + "\n" + why})
	return nil
}

// HandoffKey is the key of the report.Response records of the lead's
// handoff with ticket t: the lead and the instant of the action that
// opened it, which a reassignment keeps and a new handoff does not.
func HandoffKey(lead string, t handoff.Ticket) string {
	return lead + "@" + t.ActionAt.UTC().Format(time.RFC3339Nano)
}

// responseOf returns the report.Response of c's open ticket, with rep as
// its rep and sla the ticket's report.
func responseOf(c *Contact, rep string, sla handoff.Report) report.Response {
	return report.Response{Handoff: HandoffKey(c.ID, *c.Ticket), Lead: c.ID, Rep: rep}.WithTicket(*c.Ticket, sla)
}

// decide records sales' decision o on c's open ticket: the
// report.Decision (with the criteria of the lead's score) when it is the
// handoff's first (a lead accepted, then disqualified after contact, was
// decided on once), the report.Response of the handoff as it stands, and
// marketing's notice with the ticket's service level at the decision.
func (s *Store) decide(ch *change, o handoff.Outcome, rep string, first bool) error {
	c := ch.c
	if first {
		d := report.Decision{Lead: c.ID, At: ch.at, Rep: rep}
		if c.Score != nil {
			d.Criteria = report.CriteriaOf(*c.Score)
		}
		ch.records = append(ch.records, report.DecisionRecord(d.WithOutcome(o)))
	}
	ef := Effect{Kind: "notify", To: "marketing", Lead: c.ID, Why: o.Why}
	if c.Ticket != nil {
		sla, err := s.lib.SLA.Evaluate(s.lib.Calendar, *c.Ticket, ch.at)
		if err != nil {
			return err
		}
		ch.records = append(ch.records, report.ResponseRecord(responseOf(c, rep, sla)))
		ef.SLA = &sla
	}
	ch.effects = append(ch.effects, ef)
	return nil
}

// ownedBy checks, inside the update, that the lead is still handed off to
// rep. The caller decided to act on what it read earlier; by the time the
// change is computed from a fresh snapshot another writer may have sent the
// lead back, or it may have been routed or reassigned to another rep: the
// action of the rep who read it must then not be applied to the next
// owner's handoff.
func ownedBy(c *Contact, rep string) error {
	if c.Owner == "" {
		return fmt.Errorf("%w: %q has no owner", handoff.ErrNotHandedOff, c.ID)
	}
	if c.Owner != rep {
		return fmt.Errorf("%w: %q is assigned to %q, not %q", ErrNotOwner, c.ID, c.Owner, rep)
	}
	return nil
}

// Touch records a contact attempt by rep, the lead's owner.
func (s *Store) Touch(ctx context.Context, id, rep string) (*Contact, error) {
	ch, err := s.update(ctx, "touch", id, func(ch *change, _ *snapshot) error {
		if ch.c.Ticket == nil {
			return fmt.Errorf("%w: %q has no open handoff", handoff.ErrNotHandedOff, id)
		}
		if err := ownedBy(ch.c, rep); err != nil {
			return err
		}
		ch.c.Ticket.Attempts++
		if ch.c.Ticket.FirstTouchAt.IsZero() {
			ch.c.Ticket.FirstTouchAt = ch.at
			sla, err := s.lib.SLA.Evaluate(s.lib.Calendar, *ch.c.Ticket, ch.at)
			if err != nil {
				return err
			}
			ch.records = append(ch.records, report.ResponseRecord(responseOf(ch.c, rep, sla)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ch.c, nil
}

// Accept records rep, the lead's owner, accepting the lead, and moves it on
// to an opportunity when sales qualifies it at once. Accepting a lead
// already accepted (a retried request, or two of the rep's devices at once)
// notifies marketing only the first time.
func (s *Store) Accept(ctx context.Context, id, rep string, opportunity bool) (*Contact, error) {
	ch, err := s.update(ctx, "accept", id, func(ch *change, _ *snapshot) error {
		c := ch.c
		if err := ownedBy(c, rep); err != nil {
			return err
		}
		o, err := s.lib.Acceptance.Accept(c.State, c.Recycle, c.Owner, ch.at)
		if err != nil {
			return err
		}
		if o.HasMove {
			if err := s.apply(ch, o.Move); err != nil {
				return err
			}
		}
		c.Recycle = o.Recycle
		if c.Ticket == nil || c.Ticket.DecidedAt.IsZero() {
			if c.Ticket != nil {
				c.Ticket.DecidedAt = ch.at
			}
			if err := s.decide(ch, o, rep, true); err != nil {
				return err
			}
		}
		if opportunity && c.State.Stage != funnel.Opportunity {
			return s.apply(ch, funnel.Move{To: funnel.Opportunity, At: ch.at, Actor: c.Owner})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ch.c, nil
}

// Reject sends the lead back with a reason code on behalf of rep, its
// owner: a rejection (procedural, clerical, definitional) or a
// disqualification after contact, as the catalog classes it. Marketing is
// notified through the outbox.
func (s *Store) Reject(ctx context.Context, id, rep string, code funnel.ReasonCode, note string) (*Contact, error) {
	ch, err := s.update(ctx, "reject", id, func(ch *change, snap *snapshot) error {
		c := ch.c
		reason, ok := s.lib.Acceptance.Reason(code)
		if !ok {
			return fmt.Errorf("%w: %q", handoff.ErrUnknownReason, code)
		}
		if err := ownedBy(c, rep); err != nil {
			return err
		}
		rj := handoff.Rejection{Rep: c.Owner, Code: code, At: ch.at, Note: note, Ticket: c.Ticket}
		var o handoff.Outcome
		var err error
		if reason.Class.Rejection() {
			o, err = s.lib.Acceptance.Reject(c.State, c.Recycle, rj)
		} else {
			o, err = s.lib.Acceptance.Disqualify(c.State, c.Recycle, rj)
		}
		if err != nil {
			return err
		}
		if o.HasMove {
			if err := s.apply(ch, o.Move); err != nil {
				return err
			}
		}
		c.Recycle = o.Recycle
		first := c.Ticket == nil || c.Ticket.DecidedAt.IsZero()
		if c.Ticket != nil && first {
			c.Ticket.DecidedAt = ch.at
		}
		if err := s.decide(ch, o, rep, first); err != nil {
			return err
		}
		c.Owner, c.Ticket, c.Fired = "", nil, nil
		if c.State.Stage == funnel.MQL {
			return s.qualify(ch, snap, nil) // routed again at once
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ch.c, nil
}

// CheckSLA evaluates the lead's open ticket now and writes every
// escalation that fell due, once, to the outbox; a reassign escalation
// routes the lead to another rep in the same transaction. Escalations
// chase a lead waiting for sales: once its owner accepted it the lead is
// theirs, and a ticket sales decided on escalates nothing (an accepted lead
// never touched would otherwise be taken from its owner, even as an
// opportunity).
func (s *Store) CheckSLA(ctx context.Context, id string) (int, error) {
	fired := 0
	_, err := s.update(ctx, "sla", id, func(ch *change, snap *snapshot) error {
		fired = 0
		c := ch.c
		if c.Ticket == nil || !c.Ticket.DecidedAt.IsZero() {
			return nil
		}
		rep, err := s.lib.SLA.Evaluate(s.lib.Calendar, *c.Ticket, ch.at)
		if err != nil {
			return err
		}
		for _, e := range rep.Escalations {
			if slices.Contains(c.Fired, e.Name) {
				continue
			}
			c.Fired = append(c.Fired, e.Name)
			fired++
			to := c.Owner
			if e.Action != handoff.RemindOwner {
				to = "manager"
			}
			ch.effects = append(ch.effects, Effect{Kind: "escalate", To: to, Lead: c.ID, Action: string(e.Action), Tier: rep.Tier,
				Why: fmt.Sprintf("%s: %s not met since %s", e.Name, e.Target, e.At.Format(time.RFC3339))})
			if e.Action == handoff.Reassign {
				if err := s.route(ch, snap, handoff.Request{Lead: c.ID, Territory: c.Lead.Fields["country"], Owner: c.Owner,
					Escalation: e.Name, Exclude: c.Recycle.RejectedBy}, c.Ticket.Tier, nil, "reassigned by escalation "+e.Name); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return fired, err
}

// Events returns the contact's event log, in version order.
func (s *Store) Events(ctx context.Context, id string) ([]funnel.Event, error) {
	return s.events(ctx, s.db, id)
}

func (s *Store) events(ctx context.Context, q querier, id string) ([]funnel.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT body FROM events WHERE contact = ? ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []funnel.Event
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var ev funnel.Event
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}

// Contact returns the stored contact.
func (s *Store) Contact(ctx context.Context, id string) (*Contact, error) {
	snap, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	return snap.c, nil
}

// Rebuild replays the contact's event log and checks the result against
// the stored state (and the stage and version columns kept beside it for
// queries): it returns the rebuilt state, and an error matching
// ErrMismatch when they differ. The row and the log are read in one
// transaction, so Rebuild can run while writers work.
func (s *Store) Rebuild(ctx context.Context, id string) (funnel.State, error) {
	var (
		c       *Contact
		evs     []funnel.Event
		stage   string
		version int64
	)
	err := s.read(ctx, func(q querier) error {
		snap, err := s.loadIn(ctx, q, id)
		if err != nil {
			return err
		}
		c = snap.c
		if err := q.QueryRowContext(ctx, `SELECT stage, version FROM contacts WHERE id = ?`, id).Scan(&stage, &version); err != nil {
			return err
		}
		evs, err = s.events(ctx, q, id)
		return err
	})
	if err != nil {
		return funnel.State{}, err
	}
	st, err := s.lib.Funnel.Replay(id, evs)
	if err != nil {
		return st, err
	}
	if !st.Equal(c.State) {
		return st, fmt.Errorf("%w: %q stored at %s v%d, log gives %s v%d", ErrMismatch, id, c.State.Stage, c.State.Version, st.Stage, st.Version)
	}
	if stage != string(st.Stage) || version != int64(st.Version) {
		return st, fmt.Errorf("%w: %q columns say %s v%d, the log gives %s v%d", ErrMismatch, id, stage, version, st.Stage, st.Version)
	}
	return st, nil
}

// ContactIDs returns every contact's ID, sorted.
func (s *Store) ContactIDs(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM contacts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Verify rebuilds every contact from the log and checks it against the
// stored state; it returns the number of contacts checked.
func (s *Store) Verify(ctx context.Context) (int, error) {
	ids, err := s.ContactIDs(ctx)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, id := range ids {
		if _, err := s.Rebuild(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return len(ids), errors.Join(errs...)
}

// Report builds the KPI report from the event log and the handoff
// records: the funnel from the events, and sales acceptance, rejection
// reasons, speed to lead, response time and SLA compliance from the
// report.Response and report.Decision records.
func (s *Store) Report(ctx context.Context, cfg report.Config) (report.Report, error) {
	acc, err := report.NewAccumulator(cfg)
	if err != nil {
		return report.Report{}, err
	}
	err = s.read(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT body FROM events ORDER BY at, contact, version`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var body string
			if err := rows.Scan(&body); err != nil {
				return err
			}
			var ev funnel.Event
			if err := json.Unmarshal([]byte(body), &ev); err != nil {
				return err
			}
			if err := acc.AddEvent(ev); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		recs, err := s.handoffRecords(ctx, q, "")
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := acc.Add(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return report.Report{}, err
	}
	return acc.Report(), nil
}

// HandoffRecords returns the KPI records of the contact's handoffs (of
// every contact when id is empty), in the order they were written:
// report.Response records at each assignment and first touch, and at
// each decision with the ticket as it stood; a report.Decision at sales'
// first decision on each handoff.
func (s *Store) HandoffRecords(ctx context.Context, id string) ([]report.Record, error) {
	return s.handoffRecords(ctx, s.db, id)
}

func (s *Store) handoffRecords(ctx context.Context, q querier, id string) ([]report.Record, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, kind, body FROM handoffs WHERE ? = '' OR contact = ? ORDER BY seq`, id, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []report.Record
	for rows.Next() {
		var (
			seq        int64
			kind, body string
			r          report.Record
		)
		if err := rows.Scan(&seq, &kind, &body); err != nil {
			return nil, err
		}
		switch kind {
		case "response":
			r.Kind, err = report.KindResponse, json.Unmarshal([]byte(body), &r.Response)
		case "decision":
			r.Kind, err = report.KindDecision, json.Unmarshal([]byte(body), &r.Decision)
		default:
			err = fmt.Errorf("unknown kind %q", kind)
		}
		if err != nil {
			return nil, fmt.Errorf("handoff record %d: %w", seq, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Outbox returns the undelivered effects, oldest first.
func (s *Store) Outbox(ctx context.Context) ([]Effect, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT payload FROM outbox WHERE sent_at IS NULL ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Effect
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		var e Effect
		if err := json.Unmarshal([]byte(p), &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Deliver hands the undelivered effects to send, oldest first, and marks
// each one sent when send returns nil; it returns how many it delivered.
// It stops at send's first error: that effect and the later ones stay in
// the outbox for the next call. Delivery is at least once: an effect
// whose send succeeded but whose mark failed (the process died between
// the two) is sent again, so send should be idempotent on seq, the
// effect's number in the outbox. Run one deliverer at a time.
func (s *Store) Deliver(ctx context.Context, send func(seq int64, e Effect) error) (int, error) {
	type pending struct {
		seq int64
		e   Effect
	}
	var todo []pending
	err := s.read(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT seq, payload FROM outbox WHERE sent_at IS NULL ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p pending
			var payload string
			if err := rows.Scan(&p.seq, &payload); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(payload), &p.e); err != nil {
				return fmt.Errorf("outbox %d: %w", p.seq, err)
			}
			todo = append(todo, p)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	for i, p := range todo {
		if err := send(p.seq, p.e); err != nil {
			return i, fmt.Errorf("outbox %d: %w", p.seq, err)
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET sent_at = ? WHERE seq = ? AND sent_at IS NULL`,
			s.Now().UTC().Format(time.RFC3339Nano), p.seq); err != nil {
			return i, err
		}
	}
	return len(todo), nil
}
