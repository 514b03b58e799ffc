package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
	"github.com/smarketing/smarketing/report"
	"github.com/smarketing/smarketing/scoring"
)

// Config is what the service is built from: the library's models, built
// once and shared by every request, and the host's own knobs.
type Config struct {
	Funnel     *funnel.Model
	Scoring    *scoring.Model[scoring.Lead]
	Policy     *handoff.Policy
	Acceptance *handoff.Acceptance
	SLA        *handoff.SLA
	Calendar   handoff.Calendar
	Router     *handoff.Router
	Roster     []handoff.Rep
	// Now is the service's clock; requests without "at" happen at Now().
	Now func() time.Time
	// MaxBody is the largest request body accepted, in bytes.
	MaxBody int64
	// MaxContacts is the most contacts the store keeps (0 means
	// defaultMaxContacts): the store is in memory, and a client creating
	// contacts without end must not grow it without bound. A new contact
	// beyond it is refused with 507 store_full; the contacts stored go on
	// being served.
	MaxContacts int
}

// defaultMaxContacts is MaxContacts when it is not set: with each contact
// capped (fields, activities), some hundred megabytes at most.
const defaultMaxContacts = 100_000

// Server is the qualification service: an in-memory store of contacts
// guarded by one mutex, and the HTTP handlers. Every request that changes a
// contact works on a copy and stores it only when every step succeeded, so
// a failed request leaves nothing half-applied.
type Server struct {
	cfg Config
	mux *http.ServeMux

	mu       sync.Mutex
	contacts map[string]*contact
	rot      handoff.Rotation
}

// contact is the host's record of one contact and what it stores for the
// library next to it.
type contact struct {
	lead    scoring.Lead
	state   funnel.State
	recycle handoff.RecycleState
	score   *scoring.Result
	owner   string
	ticket  *handoff.Ticket
	events  []funnel.Event
	// activityIDs are the IDs of the activities recorded with one, so a
	// retried delivery is not counted twice, each with the fingerprint of
	// its request, so an ID reused for another activity is not taken for
	// a retry.
	activityIDs map[string]string
}

// clone returns a copy that can be changed without touching c.
func (c *contact) clone() *contact {
	d := *c
	d.lead.Fields = maps.Clone(c.lead.Fields)
	d.lead.Activities = slices.Clone(c.lead.Activities)
	d.state = c.state.Clone()
	d.recycle = c.recycle.Clone()
	d.events = slices.Clone(c.events)
	d.activityIDs = maps.Clone(c.activityIDs)
	if c.ticket != nil {
		t := *c.ticket
		d.ticket = &t
	}
	return &d
}

// NewServer returns a service with an empty store.
func NewServer(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	if cfg.MaxContacts <= 0 {
		cfg.MaxContacts = defaultMaxContacts
	}
	s := &Server{cfg: cfg, contacts: map[string]*contact{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /contacts", s.create)
	mux.HandleFunc("GET /contacts/{id}", s.get)
	mux.HandleFunc("POST /contacts/{id}/activities", s.change(s.activity))
	mux.HandleFunc("POST /contacts/{id}/profile", s.change(s.profile))
	mux.HandleFunc("POST /contacts/{id}/touch", s.change(s.touch))
	mux.HandleFunc("POST /contacts/{id}/accept", s.change(s.accept))
	mux.HandleFunc("POST /contacts/{id}/reject", s.change(s.reject))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// The path may exist for another method: say which.
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, errorf(http.StatusMethodNotAllowed, "method_not_allowed", "%s %s: use %s", r.Method, r.URL.Path, strings.Join(allow, " or ")))
			return
		}
		writeError(w, errorf(http.StatusNotFound, "not_found", "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	s.mux = mux
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// ---- requests ----

type createRequest struct {
	ID     string            `json:"id"`
	Fields map[string]string `json:"fields"`
	// Stage is where the contact enters the funnel; empty means lead. A
	// stage sales owns hands the contact off at once (see create).
	Stage funnel.Stage `json:"stage"`
	At    time.Time    `json:"at,omitzero"`
}

type activityRequest struct {
	// ID is the sender's ID of the activity, optional: a delivery that is
	// retried (the sender saw no answer, or a 5xx) carries the same ID,
	// and one already recorded for the contact changes nothing.
	ID    string            `json:"id"`
	Type  string            `json:"type"`
	At    time.Time         `json:"at,omitzero"`
	Attrs map[string]string `json:"attrs"`
}

// fingerprint identifies what the request says happened, so that a retry
// (the same type, "at" as an instant, and attrs) can be told from another
// activity sent with the same ID.
func (r activityRequest) fingerprint() string {
	at := ""
	if !r.At.IsZero() {
		at = r.At.UTC().Format(time.RFC3339Nano)
	}
	b, _ := json.Marshal([]any{r.Type, at, r.Attrs}) // strings and a map of strings: cannot fail; keys sorted
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

type profileRequest struct {
	// Fields to set; an empty value removes the field.
	Fields map[string]string `json:"fields"`
	At     time.Time         `json:"at,omitzero"`
}

type touchRequest struct {
	Rep string    `json:"rep"`
	At  time.Time `json:"at,omitzero"`
}

type acceptRequest struct {
	Rep string    `json:"rep"`
	At  time.Time `json:"at,omitzero"`
}

type rejectRequest struct {
	Rep    string            `json:"rep"`
	Reason funnel.ReasonCode `json:"reason"`
	Note   string            `json:"note"`
	At     time.Time         `json:"at,omitzero"`
}

// ---- responses ----

// Result is the answer to every change: the contact as stored, what the
// library decided and the events appended to the contact's log.
type Result struct {
	Contact ContactView `json:"contact"`
	// Score is the new score (the library's own JSON form) and
	// Explanation its text for a sales rep.
	Score       *scoring.Result `json:"score,omitempty"`
	Explanation string          `json:"explanation,omitempty"`
	Decisions   []DecisionView  `json:"decisions,omitempty"`
	Outcome     *OutcomeView    `json:"outcome,omitempty"`
	// Decided is, in the answer to an acceptance or a rejection, the
	// handoff sales decided on, for the host to store for its KPI
	// reporting.
	Decided    *DecidedView        `json:"decided,omitempty"`
	Assignment *handoff.Assignment `json:"assignment,omitempty"`
	// SLA is the open handoff's service level: its deadlines and any
	// escalation due.
	SLA *handoff.Report `json:"sla,omitempty"`
	// Events are the funnel events this request appended.
	Events []funnel.Event `json:"events"`
	// Duplicate is true for an activity whose ID was already recorded: the
	// request changed nothing.
	Duplicate bool `json:"duplicate,omitempty"`
}

// ContactView is a contact as stored.
type ContactView struct {
	ID         string               `json:"id"`
	Stage      funnel.Stage         `json:"stage"`
	Version    uint64               `json:"version"`
	Since      time.Time            `json:"since"`
	Owner      string               `json:"owner,omitempty"`
	Fields     map[string]string    `json:"fields"`
	Activities int                  `json:"activities"`
	Recycle    handoff.RecycleState `json:"recycle"`
	Ticket     *handoff.Ticket      `json:"ticket,omitempty"`
}

// DecisionView is one decision of the handoff policy.
type DecisionView struct {
	Rule        string         `json:"rule,omitempty"`
	Verdict     string         `json:"verdict"`
	Tier        string         `json:"tier,omitempty"`
	Move        *MoveView      `json:"move,omitempty"`
	Because     string         `json:"because,omitempty"`
	Explanation string         `json:"explanation"`
	Trace       []handoff.Step `json:"trace,omitempty"`
}

// DecidedView is the handoff sales accepted or sent back: its service
// level at the decision (for a lead sent back, the ticket's final state:
// the service drops the ticket, and "sla" then describes the new handoff
// if the lead was routed again at once) and the records package report
// reads. Response is keyed by the lead and the instant of the action that
// opened the handoff; Decision is present on sales' first decision on the
// handoff only (a lead accepted, then disqualified after contact, was
// decided on once).
type DecidedView struct {
	SLA      handoff.Report   `json:"sla"`
	Response report.Response  `json:"response"`
	Decision *report.Decision `json:"decision,omitempty"`
}

// decided returns the view of sales' decision o, at at by rep, on the
// ticket t of contact c, as it stands after the decision.
func (s *Server) decided(c *contact, t handoff.Ticket, o handoff.Outcome, rep string, at time.Time, first bool) (*DecidedView, error) {
	sla, err := s.slaReport(t, at)
	if err != nil {
		return nil, err
	}
	v := &DecidedView{SLA: *sla,
		Response: report.Response{Handoff: c.state.Lead + "@" + t.ActionAt.UTC().Format(time.RFC3339Nano), Lead: c.state.Lead, Rep: rep}.WithTicket(t, *sla)}
	if first {
		d := report.Decision{Lead: c.state.Lead, At: at, Rep: rep}
		if c.score != nil {
			d.Criteria = report.CriteriaOf(*c.score)
		}
		d = d.WithOutcome(o)
		v.Decision = &d
	}
	return v, nil
}

// MoveView is a funnel move as JSON.
type MoveView struct {
	To     funnel.Stage      `json:"to"`
	Reason funnel.ReasonCode `json:"reason,omitempty"`
	Actor  string            `json:"actor,omitempty"`
}

// OutcomeView is the outcome of a sales action.
type OutcomeView struct {
	Why          string         `json:"why"`
	Reason       handoff.Reason `json:"reason,omitzero"`
	Move         *MoveView      `json:"move,omitempty"`
	Recycled     bool           `json:"recycled,omitempty"`
	Disqualified bool           `json:"disqualified,omitempty"`
	LimitReached bool           `json:"limit_reached,omitempty"`
}

func moveView(m funnel.Move) *MoveView {
	return &MoveView{To: m.To, Reason: m.Reason, Actor: m.Actor}
}

func (s *Server) view(id string, c *contact) ContactView {
	f := maps.Clone(c.lead.Fields)
	if f == nil {
		f = map[string]string{}
	}
	return ContactView{ID: id, Stage: c.state.Stage, Version: c.state.Version, Since: c.state.Since,
		Owner: c.owner, Fields: f, Activities: len(c.lead.Activities), Recycle: c.recycle, Ticket: c.ticket}
}

// ---- errors ----

// apiError is a 4xx answer: a status, a stable code and a message.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status, code, fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, map[string]*apiError{"error": e})
}

// writeJSON answers status with v as JSON. v is encoded before the status
// is written: a value JSON cannot encode is answered 500 internal, not with
// the status of a success and a truncated body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		_ = enc.Encode(map[string]*apiError{"error": errorf(status, "internal", "internal error: encoding the answer: %v", err)})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client went away: nothing to do
}

// libraryError maps an error of the library to an answer. Every refusal is
// a 4xx with a stable code; anything else is a 500.
func libraryError(err error) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, handoff.ErrUnknownReason), errors.Is(err, funnel.ErrUnknownReason):
		return errorf(http.StatusUnprocessableEntity, "unknown_reason", "%v", err)
	case errors.Is(err, handoff.ErrTooFewAttempts):
		return errorf(http.StatusUnprocessableEntity, "too_few_attempts", "%v", err)
	case errors.Is(err, funnel.ErrReasonRequired):
		return errorf(http.StatusUnprocessableEntity, "reason_required", "%v", err)
	case errors.Is(err, funnel.ErrUnknownStage), errors.Is(err, funnel.ErrInvalidStage):
		return errorf(http.StatusUnprocessableEntity, "unknown_stage", "%v", err)
	case errors.Is(err, handoff.ErrInvalidInput), errors.Is(err, funnel.ErrInvalidMove):
		return errorf(http.StatusUnprocessableEntity, "invalid", "%v", err)
	case errors.Is(err, handoff.ErrNotHandedOff):
		return errorf(http.StatusConflict, "not_handed_off", "%v", err)
	case errors.Is(err, funnel.ErrTimeTravel):
		return errorf(http.StatusConflict, "out_of_order", "%v", err)
	case errors.Is(err, funnel.ErrNotAllowed), errors.Is(err, funnel.ErrGuard):
		return errorf(http.StatusConflict, "move_not_allowed", "%v", err)
	case errors.Is(err, funnel.ErrVersionConflict), errors.Is(err, funnel.ErrDuplicateEvent):
		return errorf(http.StatusConflict, "conflict", "%v", err)
	case errors.Is(err, handoff.ErrNoEligibleRep), errors.Is(err, handoff.ErrNoRoute):
		return errorf(http.StatusConflict, "no_rep", "%v", err)
	}
	return errorf(http.StatusInternalServerError, "internal", "internal error: %v", err)
}

// readBody reads the request body, of at most MaxBody bytes, after
// checking that it is JSON.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	if e := checkContentType(r); e != nil {
		return nil, e
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, errorf(http.StatusRequestEntityTooLarge, "body_too_large", "the body is larger than %d bytes", mbe.Limit)
	case err != nil:
		return nil, errorf(http.StatusBadRequest, "bad_body", "reading the body: %v", err)
	}
	return b, nil
}

func checkContentType(r *http.Request) *apiError {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json, not %q", ct)
		}
	}
	return nil
}

// decode reads one JSON value of at most MaxBody bytes into v: bad JSON,
// unknown fields, trailing data and oversized bodies are 4xx errors.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) *apiError {
	if e := checkContentType(r); e != nil {
		return e
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			err = errors.New("trailing data after the JSON value")
			var mbe *http.MaxBytesError
			if errors.As(err2, &mbe) {
				err = err2
			}
		}
	}
	if err == nil {
		return nil
	}
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, "body_too_large", "the body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, io.EOF):
		return errorf(http.StatusBadRequest, "bad_json", "the body is empty; send a JSON object")
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "bad_json", "malformed JSON: %v", err)
	case errors.As(err, &te):
		return errorf(http.StatusBadRequest, "bad_json", "field %q: want a %s, got a JSON %s", te.Field, te.Type, te.Value)
	}
	if msg := err.Error(); len(msg) > len("json: unknown field ") && msg[:len("json: unknown field ")] == "json: unknown field " {
		return errorf(http.StatusBadRequest, "unknown_field", "unknown field %s", msg[len("json: unknown field "):])
	}
	return errorf(http.StatusBadRequest, "bad_json", "%v", err)
}

// ---- validation ----

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

const (
	maxFields     = 64
	maxValueLen   = 256
	maxAttrs      = 16
	maxActivities = 5000
	maxNoteLen    = 1000
	// maxClockSkew is how far ahead of the service's clock an "at" may
	// be: a sender's clock that runs a little fast. Such an "at" is taken
	// as the service's now, so nothing is ever stored in the future (a
	// future-dated activity would count for the score before it happened,
	// and a funnel event dated ahead would refuse every later request as
	// out of order until the clock caught up).
	maxClockSkew = 5 * time.Minute
)

// minAt is the earliest "at" accepted: an earlier one is a mistake (a
// mistyped year, a zero date from the sender), and would give funnel
// events and KPI records that package report refuses (before 1678) and
// durations beyond what time.Duration holds (292 years).
var minAt = time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC)

func checkFields(fields map[string]string) *apiError {
	if len(fields) > maxFields {
		return errorf(http.StatusUnprocessableEntity, "invalid", "at most %d fields", maxFields)
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !namePattern.MatchString(k) {
			return errorf(http.StatusUnprocessableEntity, "invalid", "field name %q: want lower-case letters, digits and underscores", k)
		}
		if len(fields[k]) > maxValueLen {
			return errorf(http.StatusUnprocessableEntity, "invalid", "field %q: value longer than %d bytes", k, maxValueLen)
		}
	}
	return nil
}

// when returns the time of a request: its "at", or the service's clock.
func (s *Server) when(at time.Time) (time.Time, *apiError) {
	return atOrNow(at, s.cfg.Now())
}

// atOrNow returns at, or now when at is zero or ahead of now by at most
// maxClockSkew; an "at" further ahead, or before 1970, is refused (422
// invalid).
func atOrNow(at, now time.Time) (time.Time, *apiError) {
	if at.IsZero() {
		return now, nil
	}
	if at.Before(minAt) {
		return at, errorf(http.StatusUnprocessableEntity, "invalid", "\"at\" %s is before 1970", at.Format(time.RFC3339))
	}
	if at.After(now.Add(maxClockSkew)) {
		return at, errorf(http.StatusUnprocessableEntity, "invalid", "\"at\" %s is in the future (more than %v ahead of the service's clock, %s)",
			at.Format(time.RFC3339), maxClockSkew, now.Format(time.RFC3339))
	}
	if at.After(now) {
		return now, nil
	}
	return at, nil
}

// slaReport evaluates the service level of ticket t at now. It fails (a
// ticket whose tier the SLA no longer has, after a configuration change)
// with 500 sla_unavailable on every endpoint that answers with an "sla",
// and a change is then not stored: a 2xx answer about a lead with an open
// handoff always carries its "sla".
func (s *Server) slaReport(t handoff.Ticket, now time.Time) (*handoff.Report, error) {
	rep, err := s.cfg.SLA.Evaluate(s.cfg.Calendar, t, now)
	if err != nil {
		return nil, errorf(http.StatusInternalServerError, "sla_unavailable", "cannot evaluate the service level of the handoff: %v", err)
	}
	return &rep, nil
}

// rep checks that id is on the roster and, when the contact has an owner,
// that it is the owner: only the rep a lead was routed to touches, accepts
// or sends it back (a rejection by another rep would also exclude the
// wrong rep from the lead's next routing).
func (s *Server) rep(id string, c *contact) *apiError {
	known := false
	for _, r := range s.cfg.Roster {
		known = known || r.ID == id
	}
	if !known {
		return errorf(http.StatusUnprocessableEntity, "unknown_rep", "%q is not on the sales roster", id)
	}
	if c.owner != "" && c.owner != id {
		return errorf(http.StatusConflict, "not_owner", "the lead %q is assigned to %q, not %q", c.state.Lead, c.owner, id)
	}
	return nil
}

// beforeAssignment refuses a sales action dated before the lead was handed
// to its owner: a touch or an acceptance stamped earlier (a rep's clock
// that is off, a backdated "at") would read as met within the SLA however
// late it came, as a funnel move dated before the last one is refused
// (funnel.ErrTimeTravel, 409 out_of_order).
func beforeAssignment(t *handoff.Ticket, at time.Time) *apiError {
	if t != nil && at.Before(t.AssignedAt) {
		return errorf(http.StatusConflict, "out_of_order", "\"at\" %s is before the lead was assigned (%s)",
			at.Format(time.RFC3339), t.AssignedAt.Format(time.RFC3339))
	}
	return nil
}

// ---- handlers ----

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if e := s.decode(w, r, &req); e != nil {
		writeError(w, e)
		return
	}
	if !idPattern.MatchString(req.ID) {
		writeError(w, errorf(http.StatusUnprocessableEntity, "invalid", "\"id\" %q: want 1 to 64 letters, digits, '_', '.', ':' or '-'", req.ID))
		return
	}
	if e := checkFields(req.Fields); e != nil {
		writeError(w, e)
		return
	}
	at, e := s.when(req.At)
	if e != nil {
		writeError(w, e)
		return
	}
	stage := req.Stage
	if stage == "" {
		stage = funnel.Lead
	}
	bw := buffered(w)
	defer bw.flush()
	s.mu.Lock()
	defer s.mu.Unlock() // before the flush: see buffered
	w = bw
	if _, dup := s.contacts[req.ID]; dup {
		writeError(w, errorf(http.StatusConflict, "exists", "contact %q already exists", req.ID))
		return
	}
	if len(s.contacts) >= s.cfg.MaxContacts {
		writeError(w, errorf(http.StatusInsufficientStorage, "store_full", "the store holds %d contacts, the most it keeps", len(s.contacts)))
		return
	}
	c := &contact{lead: scoring.Lead{Fields: maps.Clone(req.Fields)}, state: funnel.State{Lead: req.ID}}
	res := &Result{Events: []funnel.Event{}}
	rot := s.rot.Clone()
	err := s.apply(c, funnel.Move{To: stage, At: at, Actor: "api:create"}, res)
	if err == nil {
		err = s.qualify(req.ID, c, at, nil, res)
	}
	if st, _ := s.cfg.Funnel.Stage(c.state.Stage); err == nil && c.ticket == nil && st.Team == funnel.Sales {
		// Created at a stage sales owns ("stage": "sql", say: a lead
		// imported from another system, a "contact sales" form): it is
		// handed to sales as a promotion would be, routed to a rep with
		// an SLA ticket on the default tier whose action is its "at".
		// Left without an owner, any rep could take it by accepting it,
		// skipping routing and the SLA.
		err = s.handOff(req.ID, c, s.cfg.SLA.Spec().DefaultTier, at, res)
	}
	if err != nil {
		s.rot = rot
		writeError(w, libraryError(err))
		return
	}
	s.contacts[req.ID] = c
	res.Contact = s.view(req.ID, c)
	writeJSON(w, http.StatusCreated, res)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	bw := buffered(w)
	defer bw.flush()
	s.mu.Lock()
	defer s.mu.Unlock() // before the flush: see buffered
	w = bw
	c, ok := s.contacts[id]
	if !ok {
		writeError(w, errorf(http.StatusNotFound, "unknown_contact", "no contact %q", id))
		return
	}
	res := &Result{Contact: s.view(id, c), Score: c.score, Events: c.events}
	if c.score != nil {
		res.Explanation = c.score.Explain()
	}
	if res.Events == nil {
		res.Events = []funnel.Event{}
	}
	if c.ticket != nil {
		sla, err := s.slaReport(*c.ticket, s.cfg.Now())
		if err != nil {
			writeError(w, libraryError(err))
			return
		}
		res.SLA = sla
	}
	writeJSON(w, http.StatusOK, res)
}

// bufferedWriter holds an answer computed under the store's lock, to be
// written to the client once the lock is released: a client slow to read
// its answer (the service writes for up to WriteTimeout) must not hold up
// every other request, as a slow sender does not either (the body is
// read before the lock is taken).
type bufferedWriter struct {
	w      http.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

// buffered returns a writer that keeps what is written until flush. A
// handler defers flush before it defers the unlock, so the unlock runs
// first.
func buffered(w http.ResponseWriter) *bufferedWriter {
	return &bufferedWriter{w: w, header: http.Header{}}
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// flush writes the answer to the client; nothing when the handler wrote
// nothing (it panicked: net/http then drops the connection).
func (b *bufferedWriter) flush() {
	if b.status == 0 {
		return
	}
	maps.Copy(b.w.Header(), b.header)
	b.w.WriteHeader(b.status)
	_, _ = b.w.Write(b.body.Bytes()) // the client went away: nothing to do
}

// changeFunc changes a copy of a contact. It returns an error to discard
// the copy.
type changeFunc func(w http.ResponseWriter, r *http.Request, id string, c *contact, res *Result) error

// change wraps a changeFunc with the all-or-nothing store update: the
// contact is looked up, copied, changed and stored back only on success,
// all under the store's lock.
func (s *Server) change(f changeFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		// Read the whole body before taking the lock, so a slow client
		// never holds up the others.
		body, e := s.readBody(w, r)
		if e != nil {
			writeError(w, e)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		bw := buffered(w)
		defer bw.flush()
		s.mu.Lock()
		defer s.mu.Unlock() // before the flush: see buffered
		w = bw
		old, ok := s.contacts[id]
		if !ok {
			writeError(w, errorf(http.StatusNotFound, "unknown_contact", "no contact %q", id))
			return
		}
		c, rot := old.clone(), s.rot.Clone()
		res := &Result{Events: []funnel.Event{}}
		if err := f(w, r, id, c, res); err != nil {
			s.rot = rot // routing may have moved the rotation: undo it
			writeError(w, libraryError(err))
			return
		}
		s.contacts[id] = c
		res.Contact = s.view(id, c)
		writeJSON(w, http.StatusOK, res)
	}
}

// apply applies one move to c and records the event in res.
func (s *Server) apply(c *contact, mv funnel.Move, res *Result) error {
	mv.EventID = c.state.Lead + "/" + strconv.FormatUint(c.state.Version+1, 10)
	st, ev, err := s.cfg.Funnel.Apply(c.state, mv)
	if err != nil {
		return err
	}
	c.state = st
	if !ev.IsZero() {
		c.events = append(c.events, ev)
		res.Events = append(res.Events, ev)
	}
	return nil
}

// qualify scores c at now and lets the handoff policy decide until it
// stops moving the contact; a handoff to sales is routed and gets an SLA
// ticket.
func (s *Server) qualify(id string, c *contact, now time.Time, act *handoff.Activity, res *Result) error {
	sc, err := s.cfg.Scoring.Score(c.lead, now, c.score)
	if err != nil {
		return err
	}
	c.score = &sc
	res.Score, res.Explanation = c.score, c.score.Explain()
	for range 4 {
		d, err := s.cfg.Policy.Decide(handoff.Input{State: c.state, Score: c.score, Activity: act, Recycle: c.recycle, Now: now})
		if err != nil {
			return err
		}
		dv := DecisionView{Rule: d.Rule, Verdict: string(d.Verdict), Tier: d.Tier, Because: d.Because, Explanation: d.Explanation, Trace: d.Trace}
		if d.HasMove {
			dv.Move = moveView(d.Move)
		}
		res.Decisions = append(res.Decisions, dv)
		if d.Verdict == handoff.VerdictHold {
			return nil
		}
		if d.HasMove {
			if err := s.apply(c, d.Move, res); err != nil {
				return err
			}
		}
		if st, _ := s.cfg.Funnel.Stage(c.state.Stage); d.Verdict.ToSales() && st.Team == funnel.Sales {
			actionAt := now
			if act != nil {
				actionAt = act.At
			}
			return s.handOff(id, c, d.Tier, actionAt, res)
		}
		if !d.HasMove {
			return nil
		}
	}
	return nil
}

// handOff routes c to a rep and opens its SLA ticket: its clocks start at
// actionAt, the lead's action (speed to lead), and at the service's now,
// when the lead is assigned (response time). A request dated earlier (a
// backdated profile change or rejection) decides as of its "at", but the
// lead is assigned when the service routes it, not before: an assignment
// dated in the past would start the acceptance clock early and lengthen
// the response time by the backdating.
func (s *Server) handOff(id string, c *contact, tier string, actionAt time.Time, res *Result) error {
	req := handoff.Request{Lead: id, Territory: c.lead.Fields["country"], Exclude: c.recycle.RejectedBy}
	a, rot, err := s.cfg.Router.Assign(s.cfg.Roster, s.rot, req)
	if errors.Is(err, handoff.ErrNoEligibleRep) && len(req.Exclude) > 0 {
		// Every rep of the lead's territory already sent it back (two
		// "wrong territory" returns empty the Iberia queue): refusing
		// would also refuse the rejection that sent it here, and leave
		// the lead with a rep who said it is not theirs. Try the queue of
		// leads no territory rule matches, then, as the CRM does, the
		// whole team again.
		req.Territory = ""
		if a, rot, err = s.cfg.Router.Assign(s.cfg.Roster, s.rot, req); errors.Is(err, handoff.ErrNoEligibleRep) {
			req.Territory, req.Exclude = c.lead.Fields["country"], nil
			a, rot, err = s.cfg.Router.Assign(s.cfg.Roster, s.rot, req)
		}
	}
	if err != nil {
		return err
	}
	// The rotation is shared by all contacts; a request that fails after
	// this point puts the old one back (see change).
	s.rot = rot
	c.owner = a.Rep
	now := s.cfg.Now()
	c.ticket = &handoff.Ticket{Tier: tier, ActionAt: actionAt, AssignedAt: now}
	sla, err := s.slaReport(*c.ticket, now)
	if err != nil {
		return err
	}
	res.Assignment = &a
	res.SLA = sla
	return nil
}

func (s *Server) activity(w http.ResponseWriter, r *http.Request, id string, c *contact, res *Result) error {
	var req activityRequest
	if e := s.decode(w, r, &req); e != nil {
		return e
	}
	if !namePattern.MatchString(req.Type) {
		return errorf(http.StatusUnprocessableEntity, "invalid", "\"type\" %q: want an activity type such as \"page_view\" or \"demo_request\"", req.Type)
	}
	if req.ID != "" && !idPattern.MatchString(req.ID) {
		return errorf(http.StatusUnprocessableEntity, "invalid", "\"id\" %q: want 1 to 64 letters, digits, '_', '.', ':' or '-'", req.ID)
	}
	fp := req.fingerprint()
	if seen, ok := c.activityIDs[req.ID]; ok && req.ID != "" {
		if seen != fp {
			// Not a retry: the sender reused an ID for another
			// activity, which answering "duplicate" would silently drop.
			return errorf(http.StatusConflict, "id_reused", "activity %q was recorded with another type, \"at\" or attrs", req.ID)
		}
		// A retried delivery: answer as for the first one, without
		// counting the activity again.
		res.Duplicate = true
		res.Score = c.score
		if c.score != nil {
			res.Explanation = c.score.Explain()
		}
		return nil
	}
	if len(req.Attrs) > maxAttrs {
		return errorf(http.StatusUnprocessableEntity, "invalid", "at most %d attrs", maxAttrs)
	}
	if len(c.lead.Activities) >= maxActivities {
		return errorf(http.StatusUnprocessableEntity, "too_many_activities", "contact %q has %d activities, the most this service keeps", id, maxActivities)
	}
	// The decision is taken now, even for an activity that happened
	// earlier (a retried delivery): the funnel never moves back in time.
	now := s.cfg.Now()
	at, e := atOrNow(req.At, now)
	if e != nil {
		return e
	}
	a := scoring.Activity{Type: req.Type, At: at}
	for _, k := range slices.Sorted(maps.Keys(req.Attrs)) {
		if len(k) > 64 || len(req.Attrs[k]) > maxValueLen {
			return errorf(http.StatusUnprocessableEntity, "invalid", "attr %q: key or value too long", k)
		}
		a.Attrs = append(a.Attrs, scoring.Attr{Key: k, Value: req.Attrs[k]})
	}
	c.lead.Activities = append(c.lead.Activities, a)
	if req.ID != "" {
		if c.activityIDs == nil {
			c.activityIDs = map[string]string{}
		}
		c.activityIDs[req.ID] = fp
	}
	return s.qualify(id, c, now, &handoff.Activity{Kind: a.Type, At: at}, res)
}

func (s *Server) profile(w http.ResponseWriter, r *http.Request, id string, c *contact, res *Result) error {
	var req profileRequest
	if e := s.decode(w, r, &req); e != nil {
		return e
	}
	if len(req.Fields) == 0 {
		return errorf(http.StatusUnprocessableEntity, "invalid", "\"fields\" is empty: nothing to change")
	}
	if e := checkFields(req.Fields); e != nil {
		return e
	}
	at, e := s.when(req.At)
	if e != nil {
		return e
	}
	if c.lead.Fields == nil {
		c.lead.Fields = map[string]string{}
	}
	for k, v := range req.Fields {
		if v == "" {
			delete(c.lead.Fields, k)
		} else {
			c.lead.Fields[k] = v
		}
	}
	if len(c.lead.Fields) > maxFields {
		return errorf(http.StatusUnprocessableEntity, "invalid", "at most %d fields", maxFields)
	}
	return s.qualify(id, c, at, nil, res)
}

func (s *Server) touch(w http.ResponseWriter, r *http.Request, id string, c *contact, res *Result) error {
	var req touchRequest
	if e := s.decode(w, r, &req); e != nil {
		return e
	}
	if e := s.rep(req.Rep, c); e != nil {
		return e
	}
	at, e := s.when(req.At)
	if e != nil {
		return e
	}
	if c.ticket == nil {
		return errorf(http.StatusConflict, "not_handed_off", "contact %q has no open handoff", id)
	}
	if e := beforeAssignment(c.ticket, at); e != nil {
		return e
	}
	if c.ticket.FirstTouchAt.IsZero() {
		c.ticket.FirstTouchAt = at
	}
	c.ticket.Attempts++
	sla, err := s.slaReport(*c.ticket, at)
	if err != nil {
		return err
	}
	res.SLA = sla
	return nil
}

func (s *Server) accept(w http.ResponseWriter, r *http.Request, id string, c *contact, res *Result) error {
	var req acceptRequest
	if e := s.decode(w, r, &req); e != nil {
		return e
	}
	if e := s.rep(req.Rep, c); e != nil {
		return e
	}
	at, e := s.when(req.At)
	if e != nil {
		return e
	}
	if e := beforeAssignment(c.ticket, at); e != nil {
		return e
	}
	o, err := s.cfg.Acceptance.Accept(c.state, c.recycle, req.Rep, at)
	if err != nil {
		return err
	}
	if o.HasMove {
		if err := s.apply(c, o.Move, res); err != nil {
			return err
		}
	}
	c.recycle = o.Recycle
	c.owner = req.Rep
	res.Outcome = outcomeView(o)
	if c.ticket != nil {
		first := c.ticket.DecidedAt.IsZero()
		if first {
			c.ticket.DecidedAt = at
		}
		sla, err := s.slaReport(*c.ticket, at)
		if err != nil {
			return err
		}
		res.SLA = sla
		if first {
			if res.Decided, err = s.decided(c, *c.ticket, o, req.Rep, at, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request, id string, c *contact, res *Result) error {
	var req rejectRequest
	if e := s.decode(w, r, &req); e != nil {
		return e
	}
	if e := s.rep(req.Rep, c); e != nil {
		return e
	}
	if len(req.Note) > maxNoteLen {
		return errorf(http.StatusUnprocessableEntity, "invalid", "\"note\" longer than %d bytes", maxNoteLen)
	}
	at, e := s.when(req.At)
	if e != nil {
		return e
	}
	reason, ok := s.cfg.Acceptance.Reason(req.Reason)
	if !ok {
		codes := []string{}
		for _, r := range s.cfg.Acceptance.Reasons() {
			codes = append(codes, string(r.Code))
		}
		return errorf(http.StatusUnprocessableEntity, "unknown_reason", "reason %q is not in the catalog %v", req.Reason, codes)
	}
	rj := handoff.Rejection{Rep: req.Rep, Code: req.Reason, At: at, Note: req.Note, Ticket: c.ticket}
	// One endpoint for both: a rejection class (procedural, clerical,
	// definitional) is a rejection; the others are disqualifications after
	// contact. The library keeps them apart for the analytics.
	var o handoff.Outcome
	var err error
	if reason.Class.Rejection() {
		o, err = s.cfg.Acceptance.Reject(c.state, c.recycle, rj)
	} else {
		o, err = s.cfg.Acceptance.Disqualify(c.state, c.recycle, rj)
	}
	if err != nil {
		return err
	}
	if o.HasMove {
		if err := s.apply(c, o.Move, res); err != nil {
			return err
		}
	}
	c.recycle = o.Recycle
	if t := c.ticket; t != nil {
		first := t.DecidedAt.IsZero()
		if first {
			t.DecidedAt = at
		}
		if res.Decided, err = s.decided(c, *t, o, req.Rep, at, first); err != nil {
			return err
		}
	}
	c.owner, c.ticket = "", nil
	res.Outcome = outcomeView(o)
	// A lead sent back to be routed again (wrong territory) goes through
	// the policy at once.
	if c.state.Stage == funnel.MQL {
		return s.qualify(id, c, at, nil, res)
	}
	return nil
}

func outcomeView(o handoff.Outcome) *OutcomeView {
	v := &OutcomeView{Why: o.Why, Reason: o.Reason, Recycled: o.Recycled, Disqualified: o.Disqualified, LimitReached: o.LimitReached}
	if o.HasMove {
		v.Move = moveView(o.Move)
	}
	return v
}
