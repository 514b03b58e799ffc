package report

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smarketing/smarketing/funnel"
)

// Granularity is the length of a reporting period: a calendar week
// (ISO 8601, Monday to Sunday), month or quarter in [Config.Location].
type Granularity string

// The reporting granularities.
const (
	Week    Granularity = "week"
	Month   Granularity = "month"
	Quarter Granularity = "quarter"
)

// Sentinel errors. Every error the package returns wraps one of these.
var (
	// ErrConfig: a [Config] is invalid, or two accumulators with different
	// configurations were merged.
	ErrConfig = errors.New("report: invalid config")
	// ErrRecord: a [Record] is malformed (unknown stage, zero time, ...).
	ErrRecord = errors.New("report: invalid record")
	// ErrEncoding: binary or JSON input cannot be decoded.
	ErrEncoding = errors.New("report: invalid encoding")
)

// Config describes what an [Accumulator] counts and how a [Report] is cut.
// Every field has a documented zero value, so only Path is required.
// Two accumulators can be merged only when their configurations are the
// same (compared field by field; Goals excluded).
type Config struct {
	// Path is the forward path, in order (Subscriber, Lead, MQL, ...).
	// "Reached B" means entered B or any later stage of Path. Required.
	// With a funnel model, pass its forward stages in path order.
	Path []funnel.Stage
	// Detours are the stages beside the path (Nurture, Disqualified,
	// Lost). Events into stages that are neither in Path nor in Detours
	// are rejected with [ErrRecord].
	Detours []funnel.Stage
	// Location is the host's time zone for period boundaries; nil means UTC.
	Location *time.Location
	// Period is the period length; "" means [Month].
	Period Granularity
	// AsOf is the report's "now": open stays age up to AsOf, cohorts
	// mature against it and SLA deadlines after it are pending. The zero
	// value means the latest time of any record added (deterministic and
	// merge-safe): a deal counts by its ClosedAt, a response by its
	// ActionAt, AssignedAt and TouchedAt, never by its Deadline. Records
	// later than AsOf are still counted (a conversion after AsOf too);
	// the open stays they start age zero.
	AsOf time.Time
	// Window is the cohort window W: a cohort member counts as converted
	// only when it reached the target within W of entering the source
	// stage. Zero means no window (converted at any time).
	Window time.Duration
	// Pairs adds conversion pairs beyond the adjacent pairs of Path. Each
	// From must come before To on Path.
	Pairs []Pair
	// Qualified is the stage whose first-time entries are the "qualified
	// leads" of the lead velocity rate, and whose entries (all of them,
	// re-entries included) are the base of the recycle rate; "" means
	// funnel.MQL.
	Qualified funnel.Stage
	// Opportunity is the stage whose entries are the qualified
	// opportunities of pipeline velocity; "" means funnel.Opportunity.
	Opportunity funnel.Stage
	// Won is the stage that makes a lead a customer (lead-to-customer
	// cycle); "" means funnel.Customer, or funnel.Won (the Waterfall
	// lifecycle) when Customer is not declared. A default stage that the
	// configuration does not declare turns its figures off (zero or
	// undefined).
	Won funnel.Stage
	// Recycle is the detour of recycled leads; "" means funnel.Nurture.
	Recycle funnel.Stage
	// Dimensions names the host's dimensions (such as "source", "owner").
	// [Record.Dims] gives the values in the same order; volumes, flow
	// rates and populations are then also reported per dimension value.
	Dimensions []string
	// NoLeadState turns off every figure that needs per-lead memory
	// (cohort conversion, aging, lead-to-customer cycle, attribution,
	// marketing-influenced revenue, and the figures of [Response] records:
	// SLA compliance, speed to lead and response time): the accumulator's
	// memory then depends only on periods, stages and dimension values.
	NoLeadState bool
	// HalfLife is the half-life of time-decay attribution; zero means
	// 7 days.
	HalfLife time.Duration
	// Goals are the targets of the scorecard; they do not affect
	// accumulation and may differ between merged accumulators.
	Goals []Goal
}

// Pair is a conversion pair From → To.
type Pair struct {
	From funnel.Stage `json:"from"`
	To   funnel.Stage `json:"to"`
}

// plan is the compiled, immutable form of a Config: dense stage indices.
type plan struct {
	cfg      Config
	loc      *time.Location
	gran     Granularity
	stages   []funnel.Stage // path then detours
	rank     []int          // rank on path, -1 for detours
	npath    int
	pairs    []Pair // adjacent then extra
	pairIdx  [][2]int
	qual     int // stage index or -1
	opp      int
	won      int
	recycle  int
	halfLife time.Duration
	finger   string
	lut      [256]int8 // stage hash → index+1, 0 none, -1 collision
}

// stageHash picks a slot of plan.lut for a stage identifier.
func stageHash(s funnel.Stage) uint8 {
	if len(s) == 0 {
		return 0
	}
	return uint8(len(s)*7) + s[0]*3 + s[len(s)-1]
}

// stageIndex returns the dense index of s, or -1. A 256-slot table keyed
// by length and end bytes answers with one string comparison; colliding
// slots fall back to a scan.
func (p *plan) stageIndex(s funnel.Stage) int {
	switch v := p.lut[stageHash(s)]; {
	case v > 0:
		if p.stages[v-1] == s {
			return int(v - 1)
		}
		return -1
	case v == 0:
		return -1
	}
	for i, t := range p.stages {
		if t == s {
			return i
		}
	}
	return -1
}

func compile(cfg Config) (*plan, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	p := &plan{cfg: cfg, loc: cfg.Location, gran: cfg.Period, halfLife: cfg.HalfLife}
	if p.loc == nil {
		p.loc = time.UTC
	}
	if p.gran == "" {
		p.gran = Month
	}
	if p.gran != Week && p.gran != Month && p.gran != Quarter {
		bad("Period: unknown granularity %q", cfg.Period)
	}
	if p.halfLife == 0 {
		p.halfLife = 7 * 24 * time.Hour
	}
	if p.halfLife < 0 {
		bad("HalfLife: negative")
	}
	if cfg.Window < 0 {
		bad("Window: negative")
	}
	if len(cfg.Path) == 0 {
		bad("Path: empty")
	}
	if len(cfg.Path)+len(cfg.Detours) > 64 {
		bad("Path, Detours: more than 64 stages")
	}
	seen := map[funnel.Stage]bool{}
	add := func(field string, i int, s funnel.Stage, r int) {
		if !s.Valid() {
			bad("%s[%d]: invalid stage %q", field, i, s)
		}
		if seen[s] {
			bad("%s[%d]: duplicate stage %q", field, i, s)
		}
		seen[s] = true
		p.stages = append(p.stages, s)
		p.rank = append(p.rank, r)
	}
	for i, s := range cfg.Path {
		add("Path", i, s, i)
	}
	for i, s := range cfg.Detours {
		add("Detours", i, s, -1)
	}
	p.npath = len(cfg.Path)
	for i, s := range p.stages {
		h := stageHash(s)
		if p.lut[h] == 0 {
			p.lut[h] = int8(i + 1)
		} else {
			p.lut[h] = -1
		}
	}
	for i := 0; i+1 < len(cfg.Path); i++ {
		p.pairs = append(p.pairs, Pair{cfg.Path[i], cfg.Path[i+1]})
		p.pairIdx = append(p.pairIdx, [2]int{i, i + 1})
	}
	for i, pr := range cfg.Pairs {
		a, b := p.stageIndex(pr.From), p.stageIndex(pr.To)
		if a < 0 || b < 0 || p.rank[a] < 0 || p.rank[b] < 0 || a >= b {
			bad("Pairs[%d]: %s → %s is not a forward pair of Path", i, pr.From, pr.To)
			continue
		}
		p.pairs = append(p.pairs, pr)
		p.pairIdx = append(p.pairIdx, [2]int{a, b})
	}
	pick := func(s funnel.Stage, defs []funnel.Stage, field string) int {
		if s == "" {
			for _, d := range defs {
				if i := p.stageIndex(d); i >= 0 {
					return i
				}
			}
			return -1
		}
		i := p.stageIndex(s)
		if i < 0 {
			bad("%s: stage %q not in Path or Detours", field, s)
		}
		return i
	}
	p.qual = pick(cfg.Qualified, []funnel.Stage{funnel.MQL}, "Qualified")
	p.opp = pick(cfg.Opportunity, []funnel.Stage{funnel.Opportunity}, "Opportunity")
	p.won = pick(cfg.Won, []funnel.Stage{funnel.Customer, funnel.Won}, "Won")
	p.recycle = pick(cfg.Recycle, []funnel.Stage{funnel.Nurture}, "Recycle")
	if p.won >= 0 && p.rank[p.won] < 0 {
		bad("Won: %q must be on Path", p.stages[p.won])
	}
	dims := map[string]bool{}
	for i, d := range cfg.Dimensions {
		if d == "" || dims[d] {
			bad("Dimensions[%d]: empty or duplicate name %q", i, d)
		}
		dims[d] = true
	}
	for i, g := range cfg.Goals {
		if err := g.validate(); err != nil {
			errs = append(errs, fmt.Errorf("goals[%d]: %w", i, err))
		} else if err := p.goalReported(g); err != nil {
			errs = append(errs, fmt.Errorf("goals[%d]: %w", i, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.finger = fingerprint(p, true)
	return p, nil
}

// fingerprint is a canonical text of everything that affects accumulation
// and the report (Goals excluded), compared on Merge and UnmarshalBinary.
// With offsets, the zone is its name and a digest of its UTC offsets
// (see zoneDigest); binary data of version 1 holds the text without.
func fingerprint(p *plan, offsets bool) string {
	var b strings.Builder
	b.WriteString("v1|")
	b.WriteString(p.loc.String())
	if offsets {
		b.WriteString("@" + strconv.FormatUint(zoneDigest(p.loc), 16))
	}
	b.WriteString("|" + string(p.gran) + "|")
	for i, s := range p.stages {
		b.WriteString(string(s) + ":" + strconv.Itoa(p.rank[i]) + ",")
	}
	b.WriteString("|")
	for _, pr := range p.pairs {
		b.WriteString(string(pr.From) + ">" + string(pr.To) + ",")
	}
	fmt.Fprintf(&b, "|%d|%d|%d|%d|%d|%d|%t|", p.qual, p.opp, p.won, p.recycle, p.cfg.Window, p.halfLife, p.cfg.NoLeadState)
	if !p.cfg.AsOf.IsZero() {
		b.WriteString(strconv.FormatInt(p.cfg.AsOf.UnixNano(), 10))
	}
	for _, d := range p.cfg.Dimensions {
		b.WriteString("|" + strconv.Quote(d))
	}
	return b.String()
}

// zoneDigest hashes loc's UTC offsets in the middle of January and of
// July of every year from 1970 to 2037: two zones with one name but other
// rules (a fixed zone named like another, or a machine whose time-zone
// database is older than another's, such as one that still has Mexico's
// daylight saving time, abolished in 2022) put records in other periods,
// and must not merge. It calls Zone 136 times, once per accumulator.
func zoneDigest(loc *time.Location) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for y := 1970; y <= 2037; y++ {
		for _, m := range [2]time.Month{time.January, time.July} {
			_, off := time.Date(y, m, 15, 12, 0, 0, 0, time.UTC).In(loc).Zone()
			for v, i := uint32(off), 0; i < 4; v, i = v>>8, i+1 {
				h = (h ^ uint64(v&0xff)) * 1099511628211
			}
		}
	}
	return h
}

// StagesOf returns a funnel model's forward path, in order, and its other
// stages (detours and terminal stages) in declaration order: the Path and
// Detours of a [Config] that reports on that model. A nil model has no
// stages (nil, nil), which [NewAccumulator] refuses as an empty Path.
func StagesOf(m *funnel.Model) (path, detours []funnel.Stage) {
	if m == nil {
		return nil, nil
	}
	path = m.Path()
	for _, s := range m.Stages() {
		if s.Kind != funnel.Forward {
			detours = append(detours, s.ID)
		}
	}
	return path, detours
}

// goalReported checks that a goal's stage or pair is one the report has
// (a stage of Path or Detours; a pair of adjacent Path stages or of
// Pairs), so a typo in a metric is an error, not a goal that never has
// data.
func (p *plan) goalReported(g Goal) error {
	parts := strings.Split(g.Metric, ":")
	switch parts[0] {
	case "first_entries", "entries":
		if p.stageIndex(funnel.Stage(parts[1])) < 0 {
			return fmt.Errorf("%w: %w: metric %q: stage %q not in Path or Detours", ErrConfig, errGoal, g.Metric, parts[1])
		}
	case "flow", "cohort":
		want := Pair{funnel.Stage(parts[1]), funnel.Stage(parts[2])}
		if !slices.Contains(p.pairs, want) {
			return fmt.Errorf("%w: %w: metric %q: %s → %s is not a reported pair (adjacent stages of Path, or Pairs)", ErrConfig, errGoal, g.Metric, want.From, want.To)
		}
	}
	return nil
}
