package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/handoff"
)

// clock is a test clock the service reads; tests move it by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type harness struct {
	t     *testing.T
	srv   *Server
	clock *clock
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := NewConfig(defaultScoring, loc)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, time.March, 2, 10, 0, 0, 0, loc)} // a Monday morning
	cfg.Now = clk.Now
	cfg.MaxBody = 4 << 10
	return &harness{t: t, srv: NewServer(cfg), clock: clk}
}

// do sends one request through the handler (no network) and decodes the
// JSON answer.
func (h *harness) do(method, path, body string, header ...string) (int, map[string]any) {
	h.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		h.t.Fatalf("%s %s: Content-Type %q, body %s", method, path, ct, rec.Body.String())
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		h.t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, rec.Body.String())
	}
	return rec.Code, out
}

// must sends a request that must succeed with the given status.
func (h *harness) must(status int, method, path, body string) map[string]any {
	h.t.Helper()
	code, out := h.do(method, path, body)
	if code != status {
		h.t.Fatalf("%s %s: status %d, want %d: %v", method, path, code, status, out)
	}
	return out
}

func get(m any, path ...string) any {
	for _, p := range path {
		mm, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = mm[p]
	}
	return m
}

const goodFit = `{"employees":"200","industry":"software","country":"ES","seniority":"director","email_domain":"acme.example"}`

func TestQualificationFlow(t *testing.T) {
	h := newHarness(t)
	out := h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	if got := get(out, "contact", "stage"); got != "lead" {
		t.Fatalf("stage after create: %v", got)
	}
	if got := get(out, "score", "fit"); got != "90" {
		t.Errorf("fit %v, want 90", got)
	}
	// A page view: interest rises a little, the policy holds or nurtures.
	h.clock.Add(time.Hour)
	out = h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"page_view","attrs":{"url":"/pricing"}}`)
	if get(out, "score", "interest") != "2" || get(out, "contact", "stage") != "lead" {
		t.Errorf("after a page view: %v", out)
	}
	decs, _ := get(out, "decisions").([]any)
	if len(decs) == 0 || get(decs[0], "verdict") != "nurture" {
		t.Errorf("decisions %v, want nurture", decs)
	}
	if expl, _ := get(out, "explanation").(string); !strings.Contains(expl, "mid_market") {
		t.Errorf("explanation does not name the criteria:\n%s", expl)
	}
	// A demo request: fast track to sales, routed to the Iberia queue,
	// with a 5-minute first-touch deadline.
	h.clock.Add(time.Hour)
	out = h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"demo_request"}`)
	if get(out, "contact", "stage") != "sql" {
		t.Fatalf("after a demo request: stage %v", get(out, "contact", "stage"))
	}
	if rep := get(out, "assignment", "rep"); rep != "ana" && rep != "bruno" {
		t.Errorf("routed to %v, want an Iberia rep", rep)
	}
	if get(out, "sla", "tier") != "fast_track" {
		t.Errorf("sla %v", get(out, "sla"))
	}
	clocks, _ := get(out, "sla", "clocks").([]any)
	var deadline string
	for _, c := range clocks {
		if get(c, "target") == "first_touch" {
			deadline, _ = get(c, "deadline").(string)
		}
	}
	if want := h.clock.Now().Add(5 * time.Minute).Format(time.RFC3339); deadline != want {
		t.Errorf("first-touch deadline %q, want %q", deadline, want)
	}
	if evs, _ := get(out, "events").([]any); len(evs) != 1 || get(evs[0], "to") != "sql" || get(evs[0], "kind") != "skip" {
		t.Errorf("events %v", evs)
	}
	owner := get(out, "contact", "owner").(string)
	// Sales touches it within the deadline; the SLA says so.
	h.clock.Add(3 * time.Minute)
	out = h.must(http.StatusOK, "POST", "/contacts/c1/touch", `{"rep":"`+owner+`"}`)
	if get(out, "sla", "clocks") == nil || get(out, "contact", "ticket", "attempts") != 1.0 {
		t.Errorf("after the touch: %v", out)
	}
	// The lead is not ready: the rep sends it back after contact, and it
	// is recycled to nurture with a cooldown.
	out = h.must(http.StatusOK, "POST", "/contacts/c1/reject", `{"rep":"`+owner+`","reason":"bad_timing","note":"call in Q3"}`)
	if get(out, "contact", "stage") != "nurture" || get(out, "outcome", "recycled") != true {
		t.Errorf("after bad_timing: %v", out)
	}
	if get(out, "outcome", "reason", "class") != "after_contact" || get(out, "contact", "recycle", "until") == nil {
		t.Errorf("outcome %v", get(out, "outcome"))
	}
	if by, _ := get(out, "contact", "recycle", "rejected_by").([]any); len(by) != 1 || by[0] != owner {
		t.Errorf("rejected_by %v", by)
	}
	// The whole log replays to the stored state.
	h.checkReplay("c1")
}

func TestAcceptAndOpportunity(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c2","fields":`+goodFit+`}`)
	// Hot on interest: pricing pages and a webinar qualify the lead and
	// hand it off (lead → mql → sql in one request).
	for _, typ := range []string{"pricing_page", "pricing_page", "pricing_page", "webinar"} {
		h.clock.Add(10 * time.Minute)
		h.must(http.StatusOK, "POST", "/contacts/c2/activities", `{"type":"`+typ+`"}`)
	}
	out := h.must(http.StatusOK, "GET", "/contacts/c2", "")
	if get(out, "contact", "stage") != "sql" || get(out, "sla", "tier") != "standard" {
		t.Fatalf("after three hot activities: %v", out)
	}
	owner := get(out, "contact", "owner").(string)
	h.clock.Add(time.Hour)
	out = h.must(http.StatusOK, "POST", "/contacts/c2/accept", `{"rep":"`+owner+`"}`)
	if get(out, "contact", "stage") != "sql" || get(out, "contact", "ticket", "decided_at") == nil {
		t.Errorf("after accept: %v", out)
	}
	h.checkReplay("c2")

	// A clerical rejection of another lead: the default lifecycle
	// disqualifies bad data from sql.
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c3","fields":`+goodFit+`}`)
	out = h.must(http.StatusOK, "POST", "/contacts/c3/activities", `{"type":"contact_sales"}`)
	owner = get(out, "contact", "owner").(string)
	out = h.must(http.StatusOK, "POST", "/contacts/c3/reject", `{"rep":"`+owner+`","reason":"bad_data"}`)
	if get(out, "contact", "stage") != "disqualified" || get(out, "outcome", "reason", "class") != "clerical" {
		t.Errorf("after bad_data: %v", out)
	}
	h.checkReplay("c3")
}

func TestErrors(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	big := `{"type":"page_view","attrs":{"x":"` + strings.Repeat("a", 5000) + `"}}`
	cases := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		code                     string
	}{
		{"bad JSON", "POST", "/contacts/c1/activities", `{"type":`, nil, 400, "bad_json"},
		{"not an object", "POST", "/contacts/c1/activities", `[1,2]`, nil, 400, "bad_json"},
		{"wrong type", "POST", "/contacts/c1/activities", `{"type":42}`, nil, 400, "bad_json"},
		{"empty body", "POST", "/contacts/c1/activities", ``, nil, 400, "bad_json"},
		{"trailing data", "POST", "/contacts/c1/activities", `{"type":"page_view"} {"type":"page_view"}`, nil, 400, "bad_json"},
		{"unknown field", "POST", "/contacts/c1/activities", `{"type":"page_view","score":100}`, nil, 400, "unknown_field"},
		{"oversized body", "POST", "/contacts/c1/activities", big, nil, 413, "body_too_large"},
		{"not JSON", "POST", "/contacts/c1/activities", `type=page_view`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"unknown contact", "POST", "/contacts/nobody/activities", `{"type":"page_view"}`, nil, 404, "unknown_contact"},
		{"unknown contact get", "GET", "/contacts/nobody", ``, nil, 404, "unknown_contact"},
		{"unknown contact profile", "POST", "/contacts/nobody/profile", `{"fields":{"country":"ES"}}`, nil, 404, "unknown_contact"},
		{"unknown contact accept", "POST", "/contacts/nobody/accept", `{"rep":"ana"}`, nil, 404, "unknown_contact"},
		{"unknown contact reject", "POST", "/contacts/nobody/reject", `{"rep":"ana","reason":"bad_data"}`, nil, 404, "unknown_contact"},
		{"bad JSON on create", "POST", "/contacts", `{"id":"c9",`, nil, 400, "bad_json"},
		{"unknown field on create", "POST", "/contacts", `{"id":"c9","score":100}`, nil, 400, "unknown_field"},
		{"oversized create", "POST", "/contacts", `{"id":"c9","fields":{"x":"` + strings.Repeat("a", 5000) + `"}}`, nil, 413, "body_too_large"},
		{"unknown field on reject", "POST", "/contacts/c1/reject", `{"rep":"ana","reason":"bad_data","by":"x"}`, nil, 400, "unknown_field"},
		{"oversized profile", "POST", "/contacts/c1/profile", `{"fields":{"x":"` + strings.Repeat("a", 5000) + `"}}`, nil, 413, "body_too_large"},
		{"no such endpoint", "POST", "/leads", `{}`, nil, 404, "not_found"},
		{"wrong method", "GET", "/contacts/c1/activities", ``, nil, 405, "method_not_allowed"},
		{"wrong method on a contact", "DELETE", "/contacts/c1", ``, nil, 405, "method_not_allowed"},
		{"missing type", "POST", "/contacts/c1/activities", `{}`, nil, 422, "invalid"},
		{"bad field name", "POST", "/contacts/c1/profile", `{"fields":{"Bad Name":"x"}}`, nil, 422, "invalid"},
		{"empty profile", "POST", "/contacts/c1/profile", `{"fields":{}}`, nil, 422, "invalid"},
		{"future", "POST", "/contacts/c1/activities", `{"type":"page_view","at":"2030-01-01T00:00:00Z"}`, nil, 422, "invalid"},
		{"before 1970", "POST", "/contacts/c1/activities", `{"type":"demo_request","at":"1026-03-02T10:00:00Z"}`, nil, 422, "invalid"},
		{"year 0", "POST", "/contacts/c1/profile", `{"fields":{"country":"PT"},"at":"0000-01-01T00:00:00Z"}`, nil, 422, "invalid"},
		{"created before 1970", "POST", "/contacts", `{"id":"c9","at":"1700-01-01T00:00:00Z"}`, nil, 422, "invalid"},
		{"duplicate contact", "POST", "/contacts", `{"id":"c1"}`, nil, 409, "exists"},
		{"bad id", "POST", "/contacts", `{"id":"no spaces"}`, nil, 422, "invalid"},
		{"unknown stage", "POST", "/contacts", `{"id":"c9","stage":"prospect"}`, nil, 422, "unknown_stage"},
		{"accept before handoff", "POST", "/contacts/c1/accept", `{"rep":"ana"}`, nil, 409, "not_handed_off"},
		{"touch before handoff", "POST", "/contacts/c1/touch", `{"rep":"ana"}`, nil, 409, "not_handed_off"},
		{"unknown rep", "POST", "/contacts/c1/accept", `{"rep":"mallory"}`, nil, 422, "unknown_rep"},
		{"unknown reason", "POST", "/contacts/c1/reject", `{"rep":"ana","reason":"too_expensive"}`, nil, 422, "unknown_reason"},
	}
	before := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, out := h.do(tc.method, tc.path, tc.body, tc.header...)
			if status != tc.status || get(out, "error", "code") != tc.code {
				t.Errorf("status %d, error %v; want %d %s", status, get(out, "error"), tc.status, tc.code)
			}
			if msg, _ := get(out, "error", "message").(string); msg == "" {
				t.Errorf("no message: %v", out)
			}
		})
	}
	after := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("failed requests changed the contact (-before +after):\n%s", diff)
	}
	if _, out := h.do("GET", "/contacts/c9", ""); get(out, "error", "code") != "unknown_contact" {
		t.Errorf("a failed create stored the contact: %v", out)
	}
}

// TestEveryEndpointRefusesBadBodies sends each POST endpoint bad JSON,
// an unknown field, a wrong type, a body over the limit, another media
// type and (for the contact endpoints) an unknown contact: each gets its
// 4xx with a stable code and a message, and the contact is unchanged.
func TestEveryEndpointRefusesBadBodies(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	before := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	big := `{"note":"` + strings.Repeat("a", 5000) + `"}`
	for _, ep := range []struct{ path, good string }{
		{"/contacts", `{"id":"c2"}`},
		{"/contacts/c1/activities", `{"type":"page_view"}`},
		{"/contacts/c1/profile", `{"fields":{"country":"PT"}}`},
		{"/contacts/c1/touch", `{"rep":"ana"}`},
		{"/contacts/c1/accept", `{"rep":"ana"}`},
		{"/contacts/c1/reject", `{"rep":"ana","reason":"bad_data"}`},
	} {
		cases := []struct {
			name, body string
			header     []string
			status     int
			code       string
		}{
			{"bad JSON", ep.good[:len(ep.good)-1], nil, 400, "bad_json"},
			{"wrong type", `{"at":42}`, nil, 400, "bad_json"},
			{"bad time", `{"at":"yesterday"}`, nil, 400, "bad_json"},
			{"unknown field", ep.good[:len(ep.good)-1] + `,"priority":1}`, nil, 400, "unknown_field"},
			{"trailing data", ep.good + ep.good, nil, 400, "bad_json"},
			{"oversized", big, nil, 413, "body_too_large"},
			{"media type", ep.good, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		}
		if ep.path != "/contacts" {
			cases = append(cases, struct {
				name, body string
				header     []string
				status     int
				code       string
			}{"unknown contact", ep.good, nil, 404, "unknown_contact"})
		}
		for _, tc := range cases {
			path := ep.path
			if tc.name == "unknown contact" {
				path = strings.Replace(path, "/c1/", "/nobody/", 1)
			}
			status, out := h.do("POST", path, tc.body, tc.header...)
			msg, _ := get(out, "error", "message").(string)
			if status != tc.status || get(out, "error", "code") != tc.code || msg == "" {
				t.Errorf("%s, %s: %d %v; want %d %s with a message", path, tc.name, status, get(out, "error"), tc.status, tc.code)
			}
		}
	}
	after := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("refused requests changed the contact (-before +after):\n%s", diff)
	}
	if status, _ := h.do("GET", "/contacts/c2", ""); status != http.StatusNotFound {
		t.Errorf("a refused create stored the contact: %d", status)
	}
}

// TestOnlyTheOwnerActs checks that a lead routed to one rep cannot be
// touched, accepted or sent back by another (409 not_owner, nothing
// changed), and that its owner can.
func TestOnlyTheOwnerActs(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	out := h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"demo_request"}`)
	owner, _ := get(out, "contact", "owner").(string)
	other := map[string]string{"ana": "bruno", "bruno": "ana"}[owner]
	if other == "" {
		t.Fatalf("routed to %q, want an Iberia rep", owner)
	}
	before := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	for _, req := range []struct{ path, body string }{
		{"/contacts/c1/touch", `{"rep":"` + other + `"}`},
		{"/contacts/c1/accept", `{"rep":"` + other + `"}`},
		{"/contacts/c1/reject", `{"rep":"` + other + `","reason":"bad_timing"}`},
	} {
		status, out := h.do("POST", req.path, req.body)
		if status != http.StatusConflict || get(out, "error", "code") != "not_owner" {
			t.Errorf("%s by %s: %d %v, want 409 not_owner", req.path, other, status, get(out, "error"))
		}
	}
	after := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("refused requests changed the contact (-before +after):\n%s", diff)
	}
	h.must(http.StatusOK, "POST", "/contacts/c1/touch", `{"rep":"`+owner+`"}`)
	out = h.must(http.StatusOK, "POST", "/contacts/c1/accept", `{"rep":"`+owner+`"}`)
	if get(out, "contact", "owner") != owner || get(out, "outcome", "why") == nil {
		t.Errorf("after the owner accepted: %v", out)
	}
	h.checkReplay("c1")
}

// TestFailedRequestLeavesTheRotation makes a request fail after its lead
// was routed (the rotation, shared by all contacts, moved on): the SLA in
// force does not know the fast-track tier. The failed request must not
// use up a turn: the next lead goes to the rep who was next before it.
func TestFailedRequestLeavesTheRotation(t *testing.T) {
	h := newHarness(t)
	for _, id := range []string{"c1", "c2"} {
		h.must(http.StatusCreated, "POST", "/contacts", `{"id":"`+id+`","fields":`+goodFit+`}`)
	}
	before := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	spec := handoff.DefaultSLASpec()
	spec.Tiers = slices.DeleteFunc(spec.Tiers, func(tier handoff.TierSpec) bool { return tier.Name == "fast_track" })
	standardOnly, err := handoff.NewSLA(spec)
	if err != nil {
		t.Fatal(err)
	}
	sla := h.srv.cfg.SLA
	h.srv.cfg.SLA = standardOnly
	status, out := h.do("POST", "/contacts/c1/activities", `{"type":"demo_request"}`)
	if status != http.StatusInternalServerError || get(out, "error", "code") != "sla_unavailable" {
		t.Fatalf("demo request without a fast-track tier: %d %v", status, out)
	}
	h.srv.cfg.SLA = sla
	after := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("a failed request changed the contact (-before +after):\n%s", diff)
	}
	out = h.must(http.StatusOK, "POST", "/contacts/c2/activities", `{"type":"demo_request"}`)
	if got := get(out, "contact", "owner"); got != "ana" {
		t.Errorf("the next lead went to %v, want ana, first in turn: the failed request used up her turn", got)
	}
}

// TestNothingHalfApplied sends requests that fail after some of their
// steps succeeded on the copy of the contact (the activity was appended
// and scored, the lead moved to sales) and checks that nothing of them is
// stored.
func TestNothingHalfApplied(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	h.clock.Add(time.Hour)
	h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"page_view"}`)
	before := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	// The whole sales team is away: the demo request is recorded and
	// scored, the policy fast-tracks the lead and the funnel moves it to
	// sql, but routing finds no rep, so the request fails as a whole.
	roster := h.srv.cfg.Roster
	h.srv.cfg.Roster = nil
	for _, r := range roster {
		r.Away = true
		h.srv.cfg.Roster = append(h.srv.cfg.Roster, r)
	}
	status, out := h.do("POST", "/contacts/c1/activities", `{"type":"demo_request"}`)
	if status != http.StatusConflict || get(out, "error", "code") != "no_rep" {
		t.Fatalf("demo request with nobody in: %d %v", status, out)
	}
	after := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("a failed request changed the contact (-before +after):\n%s", diff)
	}
	h.srv.cfg.Roster = roster
	// A late delivery of an activity dated an hour ago is decided now.
	past := h.clock.Now().Add(-2 * time.Hour).Format(time.RFC3339)
	out = h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"demo_request","at":"`+past+`"}`)
	if get(out, "contact", "stage") != "sql" {
		t.Fatalf("late demo request: %v", get(out, "contact"))
	}
	// An unresponsive disqualification needs six attempts: refused after
	// one, and the handed-off lead stays with its owner.
	owner := get(out, "contact", "owner").(string)
	h.must(http.StatusOK, "POST", "/contacts/c1/touch", `{"rep":"`+owner+`"}`)
	before = h.must(http.StatusOK, "GET", "/contacts/c1", "")
	status, out = h.do("POST", "/contacts/c1/reject", `{"rep":"`+owner+`","reason":"unresponsive"}`)
	if status != http.StatusUnprocessableEntity || get(out, "error", "code") != "too_few_attempts" {
		t.Fatalf("unresponsive after one attempt: %d %v", status, out)
	}
	after = h.must(http.StatusOK, "GET", "/contacts/c1", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("a refused rejection changed the contact (-before +after):\n%s", diff)
	}
	for range 5 {
		h.must(http.StatusOK, "POST", "/contacts/c1/touch", `{"rep":"`+owner+`"}`)
	}
	out = h.must(http.StatusOK, "POST", "/contacts/c1/reject", `{"rep":"`+owner+`","reason":"unresponsive"}`)
	if get(out, "contact", "stage") != "nurture" {
		t.Errorf("after six attempts: %v", get(out, "contact"))
	}
	h.checkReplay("c1")
}

// TestConcurrentRequests hammers one contact and a few others from many
// goroutines; every event must be stored once, in version order.
func TestConcurrentRequests(t *testing.T) {
	h := newHarness(t)
	for i := range 4 {
		h.must(http.StatusCreated, "POST", "/contacts", fmt.Sprintf(`{"id":"c%d","fields":%s}`, i, goodFit))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				typ := []string{"page_view", "pricing_page", "webinar", "unsubscribe"}[(g+i)%4]
				body := fmt.Sprintf(`{"type":%q}`, typ)
				req := httptest.NewRequest("POST", fmt.Sprintf("/contacts/c%d/activities", (g*i)%4), strings.NewReader(body))
				rec := httptest.NewRecorder()
				h.srv.ServeHTTP(rec, req)
				if rec.Code >= 500 {
					t.Errorf("status %d: %s", rec.Code, rec.Body.String())
				}
			}
		}()
	}
	wg.Wait()
	for i := range 4 {
		h.checkReplay(fmt.Sprintf("c%d", i))
	}
}

// checkReplay reads a contact's log over the API and replays it.
func (h *harness) checkReplay(id string) {
	h.t.Helper()
	req := httptest.NewRequest("GET", "/contacts/"+id, nil)
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	var out struct {
		Contact ContactView    `json:"contact"`
		Events  []funnel.Event `json:"events"`
	}
	if err := json.NewDecoder(bytes.NewReader(rec.Body.Bytes())).Decode(&out); err != nil {
		h.t.Fatal(err)
	}
	st, err := h.srv.cfg.Funnel.Replay(id, out.Events)
	if err != nil {
		h.t.Fatalf("replay %s: %v", id, err)
	}
	if st.Stage != out.Contact.Stage || st.Version != out.Contact.Version || !st.Since.Equal(out.Contact.Since) {
		h.t.Errorf("replayed %s: %s v%d since %v; stored %s v%d since %v", id, st.Stage, st.Version, st.Since,
			out.Contact.Stage, out.Contact.Version, out.Contact.Since)
	}
	h.srv.mu.Lock()
	stored := h.srv.contacts[id].state
	h.srv.mu.Unlock()
	if !st.Equal(stored) {
		h.t.Errorf("replayed %s differs from the stored state:\n%s", id, cmp.Diff(stored, st))
	}
}

func TestFlagsHelp(t *testing.T) {
	var buf bytes.Buffer
	if err := run(nil, []string{"-h"}, &buf); !errors.Is(err, flag.ErrHelp) || !strings.Contains(buf.String(), "-addr") {
		t.Errorf("-h: %v\n%s", err, buf.String())
	}
	for _, args := range [][]string{{"-zone", "Mars/Olympus"}, {"-scoring", "no-such-file.json"}, {"-addr", "256.0.0.1:80"},
		{"-max-contacts", "0"}, {"-grace", "-1s"}} {
		if err := run(nil, args, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startRun runs the command on a free loopback port with args and returns
// its base URL, the channel its signals come from, its logs and the
// channel of its result.
func startRun(t *testing.T, args ...string) (base string, sigs chan os.Signal, logs *syncBuffer, done chan error) {
	t.Helper()
	// A request in flight stays so until the shutdown ends it, not until
	// the server's read timeout does.
	rt := readTimeout
	readTimeout = time.Hour
	t.Cleanup(func() { readTimeout = rt })
	sigs = make(chan os.Signal, 2)
	logs = &syncBuffer{}
	done = make(chan error, 1)
	go func() { done <- run(sigs, append([]string{"-addr", "127.0.0.1:0"}, args...), logs) }()
	t.Cleanup(func() {
		select {
		case sigs <- os.Interrupt: // a test that failed early: stop the server
		default:
		}
	})
	listening := regexp.MustCompile(`webhook: listening on (http://\S+)`)
	for base == "" {
		select {
		case err := <-done:
			t.Fatalf("run ended before listening: %v\n%s", err, logs.String())
		case <-time.After(10 * time.Millisecond):
		}
		if m := listening.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
		}
	}
	return base, sigs, logs, done
}

// TestServeAndShutDown runs the command itself on a free loopback port:
// it serves a real request with the built-in scoring model, and stops
// cleanly on a signal (as on Ctrl-C or SIGTERM).
func TestServeAndShutDown(t *testing.T) {
	base, sigs, logs, done := startRun(t)
	resp, err := http.Post(base+"/contacts", "application/json", strings.NewReader(`{"id":"c1","fields":`+goodFit+`}`))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated || get(out, "score", "fit") != "90" {
		t.Fatalf("POST /contacts: %d %v %v", resp.StatusCode, err, out)
	}
	sigs <- os.Interrupt
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if !strings.Contains(logs.String(), "webhook: shutting down") {
		t.Errorf("logs:\n%s", logs.String())
	}
}

// inFlight opens a connection to base and sends a request whose body never
// ends, and returns once the handler is reading that body (the server
// answers "Expect: 100-continue" when it starts reading): the request is
// in flight until the server closes the connection.
func inFlight(t *testing.T, base string) *bufio.Reader {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// Not a timing assertion: a guard so that a server that never closes
	// the connection fails the test instead of hanging it.
	_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := io.WriteString(conn, "POST /contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Content-Length: 100\r\nExpect: 100-continue\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || !strings.Contains(line, " 100 ") {
		t.Fatalf("waiting for 100 Continue: %q %v", line, err)
	}
	if line, err := r.ReadString('\n'); err != nil || line != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", line, err)
	}
	if _, err := io.WriteString(conn, `{"id":`); err != nil {
		t.Fatal(err)
	}
	return r
}

// closedByServer reads conn to its end and fails unless the server closed
// it without an answer (rather than the read deadline ending the wait, or
// the server answering once its read timeout ended the request).
func closedByServer(t *testing.T, conn io.Reader) {
	t.Helper()
	n, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("the connection of the request in flight was not closed: %v", err)
	}
	if n > 0 {
		t.Errorf("the request in flight was answered (%d bytes), not cut off", n)
	}
}

// waitForLog waits until logs hold s, or run ends.
func waitForLog(t *testing.T, logs *syncBuffer, done chan error, s string) {
	t.Helper()
	for !strings.Contains(logs.String(), s) {
		select {
		case err := <-done:
			done <- err
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// TestSecondSignalForcesExit sends a signal while a request is in flight
// (its body still coming), then a second one while the service waits for
// it: the service closes the connection and exits with an error saying
// the exit was forced, without waiting for the grace period (an hour).
func TestSecondSignalForcesExit(t *testing.T) {
	base, sigs, logs, done := startRun(t, "-grace", "1h")
	conn := inFlight(t, base)
	sigs <- os.Interrupt
	waitForLog(t, logs, done, "webhook: shutting down")
	sigs <- syscall.SIGTERM
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute): // a guard against a hang, not a timing assertion
		t.Fatal("run did not exit after a second signal")
	}
	if !errors.Is(err, errForced) {
		t.Errorf("run after a second signal: %v, want %v", err, errForced)
	}
	closedByServer(t, conn)
}

// TestGracePeriodEndClosesConnections lets the grace period end (it is
// zero) with a request in flight: the service closes its connection
// rather than leave it open, and says so.
func TestGracePeriodEndClosesConnections(t *testing.T) {
	base, sigs, logs, done := startRun(t, "-grace", "0s")
	conn := inFlight(t, base)
	sigs <- os.Interrupt
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "grace period") {
		t.Errorf("run after the grace period: %v, want an error naming the grace period", err)
	}
	closedByServer(t, conn)
	if !strings.Contains(logs.String(), "closed the remaining connections") {
		t.Errorf("logs:\n%s", logs.String())
	}
}

// TestProfileChangeHandsOff posts a profile change, the other input the
// service takes besides activities: a lead that engages but does not fit
// is flagged for product, and once its profile says it fits, the answer
// carries the new score with its explanation, the policy's decisions, the
// rep it was routed to and its SLA deadlines.
func TestProfileChangeHandsOff(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":{"employees":"20","country":"US","email_domain":"gmail.com"}}`)
	var out map[string]any
	for _, typ := range []string{"pricing_page", "pricing_page", "pricing_page", "webinar"} {
		h.clock.Add(10 * time.Minute)
		out = h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"`+typ+`"}`)
	}
	if get(out, "score", "fit") != "0" || get(out, "score", "interest_high") != true || get(out, "contact", "stage") != "lead" {
		t.Fatalf("engaged but no fit: score %v, stage %v", get(out, "score"), get(out, "contact", "stage"))
	}
	if decs, _ := get(out, "decisions").([]any); len(decs) != 1 || get(decs[0], "verdict") != "offer_gap" {
		t.Errorf("decisions %v, want offer_gap", decs)
	}

	h.clock.Add(10 * time.Minute)
	now := h.clock.Now()
	out = h.must(http.StatusOK, "POST", "/contacts/c1/profile",
		`{"fields":{"employees":"200","industry":"software","country":"ES","seniority":"director","email_domain":""}}`)
	if get(out, "score", "fit") != "90" || get(out, "score", "interest_high") != true || get(out, "score", "quadrant") != "high_fit_high_interest" {
		t.Errorf("score after the profile change: %v", get(out, "score"))
	}
	expl, _ := get(out, "explanation").(string)
	for _, rule := range []string{"mid_market", "target_industry", "served_market", "decision_maker", "pricing_page", "webinar"} {
		if !strings.Contains(expl, rule) {
			t.Errorf("explanation does not name %s:\n%s", rule, expl)
		}
	}
	if strings.Contains(expl, "free_email") {
		t.Errorf("the removed e-mail domain still counts:\n%s", expl)
	}
	if _, ok := get(out, "contact", "fields").(map[string]any)["email_domain"]; ok {
		t.Errorf("\"\" did not remove email_domain: %v", get(out, "contact", "fields"))
	}
	// Lead → MQL → SQL in one request, each step with its rule and reason.
	var verdicts []string
	decs, _ := get(out, "decisions").([]any)
	for _, d := range decs {
		verdicts = append(verdicts, fmt.Sprint(get(d, "verdict")))
		if e, _ := get(d, "explanation").(string); e == "" {
			t.Errorf("decision without an explanation: %v", d)
		}
	}
	if len(verdicts) < 2 || verdicts[0] != "promote" || verdicts[len(verdicts)-1] != "hand_off" {
		t.Errorf("verdicts %v, want promote ... hand_off", verdicts)
	}
	evs, _ := get(out, "events").([]any)
	if len(evs) != 2 || get(evs[0], "to") != "mql" || get(evs[1], "to") != "sql" {
		t.Errorf("events %v, want lead → mql → sql", evs)
	}
	if get(out, "contact", "stage") != "sql" || get(out, "sla", "tier") != "standard" {
		t.Fatalf("after the profile change: stage %v, sla %v", get(out, "contact", "stage"), get(out, "sla"))
	}
	if rep := get(out, "assignment", "rep"); rep != "ana" && rep != "bruno" {
		t.Errorf("routed to %v, want an Iberia rep", rep)
	}
	// The standard tier: accept within 4 business hours of the assignment
	// (Monday 10:50 → 14:50, all within office hours).
	var deadline string
	clocks, _ := get(out, "sla", "clocks").([]any)
	for _, c := range clocks {
		if get(c, "target") == "accept" {
			deadline, _ = get(c, "deadline").(string)
		}
	}
	if want := now.Add(4 * time.Hour).Format(time.RFC3339); deadline != want {
		t.Errorf("accept deadline %q, want %q", deadline, want)
	}
	h.checkReplay("c1")
}

// TestRejectedByTheWholeTerritory: both Iberia reps send a Spanish lead
// back as routed to the wrong territory. The second rejection is recorded
// and the lead goes to a rep outside the territory's queue; it is not
// refused for want of an Iberia rep, which would leave the lead with the
// rep who said it is not theirs.
func TestRejectedByTheWholeTerritory(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	out := h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"demo_request"}`)
	var reps []string
	for range 2 {
		owner, _ := get(out, "contact", "owner").(string)
		if owner != "ana" && owner != "bruno" || slices.Contains(reps, owner) {
			t.Fatalf("routed to %q after %v: want the other Iberia rep", owner, reps)
		}
		reps = append(reps, owner)
		h.clock.Add(time.Minute)
		out = h.must(http.StatusOK, "POST", "/contacts/c1/reject", `{"rep":"`+owner+`","reason":"wrong_territory"}`)
	}
	if get(out, "contact", "stage") != "sql" || get(out, "contact", "owner") != "claire" || get(out, "assignment", "rep") != "claire" {
		t.Errorf("after both Iberia reps sent it back: stage %v, owner %v; want sql with claire", get(out, "contact", "stage"), get(out, "contact", "owner"))
	}
	if by, _ := get(out, "contact", "recycle", "rejected_by").([]any); len(by) != 2 {
		t.Errorf("rejected_by %v, want both Iberia reps", by)
	}
	h.checkReplay("c1")
}

// TestRetriedActivityCountsOnce: marketing's system delivers the same
// activity twice (it saw no answer the first time). With its ID the second
// delivery is answered 200, marked duplicate, and changes nothing: the
// interest is not counted twice, so two page views' worth of a demo
// request never hand off a lead one of them would not.
func TestRetriedActivityCountsOnce(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	out := h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"id":"evt-1","type":"pricing_page"}`)
	if get(out, "duplicate") != nil || get(out, "contact", "activities") != 1.0 {
		t.Fatalf("first delivery: %v", out)
	}
	before := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	out = h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"id":"evt-1","type":"pricing_page"}`)
	if get(out, "duplicate") != true || len(get(out, "events").([]any)) != 0 || get(out, "decisions") != nil {
		t.Errorf("retried delivery: %v, want a duplicate with no events or decisions", out)
	}
	after := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the retried delivery changed the contact (-before +after):\n%s", diff)
	}
	// Another ID, or none, is another activity.
	out = h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"id":"evt-2","type":"pricing_page"}`)
	if get(out, "contact", "activities") != 2.0 {
		t.Errorf("a second activity: %v", get(out, "contact"))
	}
	status, out := h.do("POST", "/contacts/c1/activities", `{"id":"bad id","type":"page_view"}`)
	if status != http.StatusUnprocessableEntity || get(out, "error", "code") != "invalid" {
		t.Errorf("malformed id: %d %v", status, out)
	}
}

// TestSalesActionBeforeTheHandoff: a touch or an acceptance dated before
// the lead was assigned (a rep's clock that is off, a backdated "at") is
// refused like a funnel move back in time, and changes nothing; it would
// otherwise make a late first touch read as met within the SLA.
func TestSalesActionBeforeTheHandoff(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	out := h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"demo_request"}`)
	owner, _ := get(out, "contact", "owner").(string)
	h.clock.Add(2 * time.Hour) // the rep gets to it late
	before := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	early := h.clock.Now().Add(-3 * time.Hour).Format(time.RFC3339)
	for _, path := range []string{"/contacts/c1/touch", "/contacts/c1/accept"} {
		status, out := h.do("POST", path, `{"rep":"`+owner+`","at":"`+early+`"}`)
		if status != http.StatusConflict || get(out, "error", "code") != "out_of_order" {
			t.Errorf("%s dated before the handoff: %d %v, want 409 out_of_order", path, status, out)
		}
	}
	after := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("refused requests changed the contact (-before +after):\n%s", diff)
	}
	out = h.must(http.StatusOK, "POST", "/contacts/c1/touch", `{"rep":"`+owner+`"}`)
	clocks, _ := get(out, "sla", "clocks").([]any)
	for _, c := range clocks {
		if get(c, "target") == "first_touch" && get(c, "status") != "breached" {
			t.Errorf("first touch two hours after a fast-track handoff: %v, want breached", get(c, "status"))
		}
	}
}

// TestSLAUnavailable: the SLA cannot evaluate a lead's ticket (a deploy
// removed the tier it was handed off on). Every endpoint that answers with
// the lead's "sla" fails alike, with 500 sla_unavailable and a JSON error,
// and changes nothing: a 2xx answer about a lead with an open handoff
// always carries its "sla", never silently without it.
func TestSLAUnavailable(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	out := h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"demo_request"}`)
	owner, _ := get(out, "contact", "owner").(string)
	if get(out, "contact", "ticket", "tier") != "fast_track" {
		t.Fatalf("after a demo request: %v", get(out, "contact"))
	}
	h.srv.mu.Lock()
	before := h.srv.contacts["c1"].clone()
	h.srv.mu.Unlock()
	spec := handoff.DefaultSLASpec()
	spec.Tiers = slices.DeleteFunc(spec.Tiers, func(t handoff.TierSpec) bool { return t.Name == "fast_track" })
	sla, err := handoff.NewSLA(spec)
	if err != nil {
		t.Fatal(err)
	}
	h.srv.cfg.SLA = sla
	h.clock.Add(time.Minute)
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/contacts/c1", ""},
		{"POST", "/contacts/c1/touch", `{"rep":"` + owner + `"}`},
		{"POST", "/contacts/c1/accept", `{"rep":"` + owner + `"}`},
	} {
		status, out := h.do(r.method, r.path, r.body)
		if status != http.StatusInternalServerError || get(out, "error", "code") != "sla_unavailable" {
			t.Errorf("%s %s: %d %v, want 500 sla_unavailable", r.method, r.path, status, out)
		}
		if msg, _ := get(out, "error", "message").(string); !strings.Contains(msg, "fast_track") {
			t.Errorf("%s %s: message %q does not name the tier", r.method, r.path, msg)
		}
	}
	h.srv.mu.Lock()
	after := h.srv.contacts["c1"].clone()
	h.srv.mu.Unlock()
	if diff := cmp.Diff(before.ticket, after.ticket); diff != "" || before.state.Version != after.state.Version {
		t.Errorf("failed requests changed the contact (-before +after):\n%s", diff)
	}
}

// TestFutureAt: a sender's clock that runs a few minutes fast is allowed
// for, and its "at" is taken as the service's now, so nothing is stored
// in the future and the next request is not refused as out of order. An
// "at" further ahead is refused and changes nothing: it would count an
// activity that has not happened yet for the score now.
func TestFutureAt(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	before := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	for _, ahead := range []time.Duration{time.Hour, 6 * time.Minute} {
		at := h.clock.Now().Add(ahead).Format(time.RFC3339)
		for _, r := range []struct{ path, body string }{
			{"/contacts/c1/activities", `{"type":"demo_request","at":"` + at + `"}`},
			{"/contacts/c1/profile", `{"fields":{"country":"PT"},"at":"` + at + `"}`},
			{"/contacts", `{"id":"c2","at":"` + at + `"}`},
		} {
			status, out := h.do("POST", r.path, r.body)
			if status != http.StatusUnprocessableEntity || get(out, "error", "code") != "invalid" {
				t.Errorf("%s %v ahead: %d %v, want 422 invalid", r.path, ahead, status, out)
			}
		}
	}
	after := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("refused requests changed the contact (-before +after):\n%s", diff)
	}
	now := h.clock.Now()
	soon := now.Add(2 * time.Minute).Format(time.RFC3339)
	out := h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"demo_request","at":"`+soon+`"}`)
	evs, _ := get(out, "events").([]any)
	if len(evs) != 1 || get(evs[0], "at") != now.Format(time.RFC3339) {
		t.Errorf("events of an activity 2 minutes ahead: %v, want one at the service's now %s", evs, now.Format(time.RFC3339))
	}
	if got := get(out, "contact", "ticket", "action_at"); got != now.Format(time.RFC3339) {
		t.Errorf("ticket action_at %v, want the service's now", got)
	}
	owner, _ := get(out, "contact", "owner").(string)
	h.must(http.StatusOK, "POST", "/contacts/c1/touch", `{"rep":"`+owner+`","at":"`+soon+`"}`)
	h.must(http.StatusOK, "POST", "/contacts/c1/reject", `{"rep":"`+owner+`","reason":"bad_timing"}`)
	h.checkReplay("c1")
}

// TestDecidedHandoffForReporting: the answers to an acceptance and to a
// rejection carry the handoff sales decided on, for the host's KPI
// reporting: its service level at the decision and the report.Response
// and report.Decision records. For a lead sent back untouched after its
// first-touch deadline, whose ticket the service drops, that is the
// ticket's final state, breached; a retried acceptance decides nothing.
func TestDecidedHandoffForReporting(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	out := h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"demo_request"}`)
	owner, _ := get(out, "contact", "owner").(string)
	assigned := h.clock.Now()
	h.clock.Add(2 * time.Minute)
	h.must(http.StatusOK, "POST", "/contacts/c1/touch", `{"rep":"`+owner+`"}`)
	h.clock.Add(time.Minute)
	out = h.must(http.StatusOK, "POST", "/contacts/c1/accept", `{"rep":"`+owner+`"}`)
	var v struct {
		Decided *DecidedView `json:"decided"`
	}
	decode := func(out map[string]any) {
		t.Helper()
		v.Decided = nil
		b, _ := json.Marshal(out)
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
	}
	decode(out)
	if v.Decided == nil || v.Decided.Decision == nil {
		t.Fatalf("accept: no decided handoff: %v", out)
	}
	r, d := v.Decided.Response, v.Decided.Decision
	if r.Lead != "c1" || r.Rep != owner || r.Handoff == "" || !r.AssignedAt.Equal(assigned) || !r.TouchedAt.Equal(assigned.Add(2*time.Minute)) ||
		!r.Deadline.Equal(assigned.Add(5*time.Minute)) {
		t.Errorf("accept: response %+v", r)
	}
	if !d.Accepted || d.Rep != owner || !d.At.Equal(h.clock.Now()) || !slices.Contains(d.Criteria, "mid_market") {
		t.Errorf("accept: decision %+v", d)
	}
	if c, _ := v.Decided.SLA.Clock(handoff.TargetFirstTouch); c.Status != handoff.StatusMet {
		t.Errorf("accept: first touch %v, want met", c.Status)
	}
	decode(h.must(http.StatusOK, "POST", "/contacts/c1/accept", `{"rep":"`+owner+`"}`))
	if v.Decided != nil {
		t.Errorf("a retried acceptance decided again: %+v", v.Decided)
	}

	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c2","fields":`+goodFit+`}`)
	out = h.must(http.StatusOK, "POST", "/contacts/c2/activities", `{"type":"demo_request"}`)
	owner, _ = get(out, "contact", "owner").(string)
	h.clock.Add(time.Hour)
	out = h.must(http.StatusOK, "POST", "/contacts/c2/reject", `{"rep":"`+owner+`","reason":"bad_data"}`)
	decode(out)
	if v.Decided == nil || v.Decided.Decision == nil {
		t.Fatalf("reject: no decided handoff: %v", out)
	}
	if d := v.Decided.Decision; d.Accepted || d.Reason != "bad_data" || d.Rep != owner {
		t.Errorf("reject: decision %+v", d)
	}
	if r := v.Decided.Response; r.Lead != "c2" || !r.TouchedAt.IsZero() || r.Deadline.IsZero() {
		t.Errorf("reject: response %+v", r)
	}
	if c, _ := v.Decided.SLA.Clock(handoff.TargetFirstTouch); c.Status != handoff.StatusBreached {
		t.Errorf("reject: final first touch %v, want breached", c.Status)
	}
	if c, _ := v.Decided.SLA.Clock(handoff.TargetAccept); c.Status != handoff.StatusBreached || !c.Done.Equal(h.clock.Now()) {
		t.Errorf("reject: accept clock %+v, want done at the rejection, late", c)
	}
	if get(out, "contact", "ticket") != nil {
		t.Errorf("the rejected lead keeps a ticket: %v", get(out, "contact"))
	}
}

// stallingWriter is a client that does not read its answer: its first
// Write blocks until released.
type stallingWriter struct {
	header           http.Header
	entered, release chan struct{}
	once             sync.Once
}

func (w *stallingWriter) Header() http.Header { return w.header }
func (w *stallingWriter) WriteHeader(int)     {}
func (w *stallingWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.entered); <-w.release })
	return len(p), nil
}

// TestSlowReaderHoldsUpNoOne: while the answer of a request is being
// written to a client that does not read it, the store's lock is free, so
// every other request goes on; the answer is written whole afterwards.
func TestSlowReaderHoldsUpNoOne(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/contacts/c1", ""},
		{"GET", "/contacts/nobody", ""},
		{"POST", "/contacts/c1/activities", `{"type":"page_view"}`},
		{"POST", "/contacts", `{"id":"c2"}`},
	} {
		w := &stallingWriter{header: http.Header{}, entered: make(chan struct{}), release: make(chan struct{})}
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.srv.ServeHTTP(w, httptest.NewRequest(r.method, r.path, strings.NewReader(r.body)))
		}()
		<-w.entered
		if h.srv.mu.TryLock() {
			h.srv.mu.Unlock()
		} else {
			t.Errorf("%s %s: the store is locked while the answer is written to the client", r.method, r.path)
		}
		close(w.release)
		<-done
		if ct := w.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", r.method, r.path, ct)
		}
	}
}

// TestReusedActivityID: an ID sent again with another activity (another
// type, instant or attrs) is not a retry: it is refused with 409 id_reused
// and changes nothing, instead of being answered "duplicate" and the
// activity silently dropped. The same activity again, its "at" written in
// another zone, is still a retry.
func TestReusedActivityID(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"id":"evt-1","type":"page_view","at":"2026-03-02T09:30:00+01:00","attrs":{"url":"/a"}}`)
	before := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	for _, body := range []string{
		`{"id":"evt-1","type":"demo_request","at":"2026-03-02T09:30:00+01:00","attrs":{"url":"/a"}}`,
		`{"id":"evt-1","type":"page_view","at":"2026-03-02T09:31:00+01:00","attrs":{"url":"/a"}}`,
		`{"id":"evt-1","type":"page_view","at":"2026-03-02T09:30:00+01:00","attrs":{"url":"/b"}}`,
		`{"id":"evt-1","type":"page_view","attrs":{"url":"/a"}}`,
	} {
		status, out := h.do("POST", "/contacts/c1/activities", body)
		if status != http.StatusConflict || get(out, "error", "code") != "id_reused" {
			t.Errorf("%s: %d %v, want 409 id_reused", body, status, out)
		}
	}
	after := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("refused requests changed the contact (-before +after):\n%s", diff)
	}
	out := h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"id":"evt-1","type":"page_view","at":"2026-03-02T08:30:00Z","attrs":{"url":"/a"}}`)
	if get(out, "duplicate") != true {
		t.Errorf("the same activity again: %v, want a duplicate", out)
	}
}

// TestCreatedAtASalesStage creates contacts directly at the stages sales
// owns: each is handed off as a promotion would be (routed by territory,
// with an SLA ticket whose clocks start at its "at"), so only the rep it
// was routed to may act on it; before, it had no owner and any rep could
// take it by accepting it.
func TestCreatedAtASalesStage(t *testing.T) {
	h := newHarness(t)
	at := h.clock.Now().Add(-2 * time.Minute)
	out := h.must(http.StatusCreated, "POST", "/contacts",
		`{"id":"c1","stage":"sql","fields":`+goodFit+`,"at":"`+at.Format(time.RFC3339)+`"}`)
	owner, _ := get(out, "contact", "owner").(string)
	other := map[string]string{"ana": "bruno", "bruno": "ana"}[owner]
	if other == "" {
		t.Fatalf("created at sql: owner %q, want an Iberia rep: %v", owner, out)
	}
	if get(out, "assignment", "rep") != owner || get(out, "sla", "tier") != "standard" {
		t.Errorf("created at sql: assignment %v, sla %v", get(out, "assignment"), get(out, "sla"))
	}
	if got := get(out, "contact", "ticket", "action_at"); got != at.Format(time.RFC3339) {
		t.Errorf("ticket's action_at %v, want the contact's \"at\" %s", got, at.Format(time.RFC3339))
	}
	if got := get(out, "contact", "ticket", "assigned_at"); got != h.clock.Now().Format(time.RFC3339) {
		t.Errorf("ticket's assigned_at %v, want the service's now", got)
	}
	before := h.must(http.StatusOK, "GET", "/contacts/c1", "")
	for _, rep := range []string{other, "claire"} {
		if status, out := h.do("POST", "/contacts/c1/accept", `{"rep":"`+rep+`"}`); status != http.StatusConflict || get(out, "error", "code") != "not_owner" {
			t.Errorf("accept by %s: %d %v, want 409 not_owner", rep, status, get(out, "error"))
		}
	}
	if diff := cmp.Diff(before, h.must(http.StatusOK, "GET", "/contacts/c1", "")); diff != "" {
		t.Errorf("refused acceptances changed the contact (-before +after):\n%s", diff)
	}
	h.must(http.StatusOK, "POST", "/contacts/c1/touch", `{"rep":"`+owner+`"}`)
	out = h.must(http.StatusOK, "POST", "/contacts/c1/accept", `{"rep":"`+owner+`"}`)
	if get(out, "decided", "decision", "accepted") != true {
		t.Errorf("accepted by its owner: decided %v", get(out, "decided"))
	}
	h.checkReplay("c1")

	// The rotation moved: the next Iberian lead goes to the other rep, and
	// an opportunity created as such is routed too (to Europe, from DE).
	out = h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c2","stage":"sql","fields":`+goodFit+`}`)
	if get(out, "contact", "owner") != other {
		t.Errorf("second lead created at sql: owner %v, want %s", get(out, "contact", "owner"), other)
	}
	out = h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c3","stage":"opportunity","fields":{"country":"DE"}}`)
	if o := get(out, "contact", "owner"); o != "bruno" && o != "claire" || get(out, "sla") == nil {
		t.Errorf("created at opportunity: owner %v, sla %v", o, get(out, "sla"))
	}
	// A stage marketing owns is not handed off.
	out = h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c4","stage":"mql","fields":{"country":"DE"}}`)
	if get(out, "contact", "owner") != nil || get(out, "sla") != nil {
		t.Errorf("created at mql: owner %v, sla %v", get(out, "contact", "owner"), get(out, "sla"))
	}
}

// TestStoreFull fills a store of two contacts: a third is refused with 507
// store_full and not stored, while the two stored go on being served.
func TestStoreFull(t *testing.T) {
	h := newHarness(t)
	cfg := h.srv.cfg
	cfg.MaxContacts = 2
	h.srv = NewServer(cfg)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":`+goodFit+`}`)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c2"}`)
	status, out := h.do("POST", "/contacts", `{"id":"c3"}`)
	if status != http.StatusInsufficientStorage || get(out, "error", "code") != "store_full" {
		t.Errorf("third contact: %d %v, want 507 store_full", status, get(out, "error"))
	}
	if status, _ := h.do("GET", "/contacts/c3", ""); status != http.StatusNotFound {
		t.Errorf("the refused contact is stored: GET %d", status)
	}
	if status, out := h.do("POST", "/contacts", `{"id":"c1"}`); status != http.StatusConflict || get(out, "error", "code") != "exists" {
		t.Errorf("a taken ID on a full store: %d %v, want 409 exists", status, get(out, "error"))
	}
	h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"demo_request"}`)
	if n := NewServer(Config{}).cfg.MaxContacts; n != defaultMaxContacts {
		t.Errorf("default MaxContacts %d, want %d", n, defaultMaxContacts)
	}
}

// TestBackdatedChangeAssignsNow posts a profile change dated 90 minutes
// ago that hands an engaged lead to sales: the ticket's action is the
// change's "at", but the lead is assigned when the service routes it, so
// the acceptance clock and the response time start now (before, the
// assignment was dated 90 minutes back).
func TestBackdatedChangeAssignsNow(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, "POST", "/contacts", `{"id":"c1","fields":{"employees":"20","country":"US","email_domain":"gmail.com"}}`)
	for _, typ := range []string{"pricing_page", "pricing_page", "pricing_page", "webinar"} {
		h.clock.Add(10 * time.Minute)
		h.must(http.StatusOK, "POST", "/contacts/c1/activities", `{"type":"`+typ+`"}`)
	}
	h.clock.Add(2 * time.Hour)
	at := h.clock.Now().Add(-90 * time.Minute).Format(time.RFC3339)
	out := h.must(http.StatusOK, "POST", "/contacts/c1/profile", `{"fields":`+goodFit+`,"at":"`+at+`"}`)
	if get(out, "contact", "stage") != "sql" {
		t.Fatalf("not handed off: %v", out)
	}
	if got := get(out, "contact", "ticket", "action_at"); got != at {
		t.Errorf("action_at %v, want the change's \"at\" %s", got, at)
	}
	if got, now := get(out, "contact", "ticket", "assigned_at"), h.clock.Now().Format(time.RFC3339); got != now {
		t.Errorf("assigned_at %v, want the service's now %s", got, now)
	}
}

// TestUnencodableAnswerIs500: an answer JSON cannot encode is a 500 with
// a JSON error, not the success status with a truncated body.
func TestUnencodableAnswerIs500(t *testing.T) {
	rec := httptest.NewRecorder()
	writeJSON(rec, http.StatusOK, map[string]any{"at": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != http.StatusInternalServerError || get(out, "error", "code") != "internal" {
		t.Errorf("%d %q (%v), want 500 internal", rec.Code, rec.Body.String(), err)
	}
}
