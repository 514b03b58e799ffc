package scoring

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// describe returns the sentence a rule's ledger entries carry.
func describe(r Rule) string {
	if !r.IsActivity() {
		c := r.When
		if strings.HasPrefix(c.Field+" ", activityReasonPrefix) {
			// Only an activity rule's reason starts "each " (see isActivityEntry).
			c.Field = strconv.Quote(c.Field)
		}
		return describeCond(c)
	}
	var b strings.Builder
	b.WriteString(activityReasonPrefix)
	b.WriteString(r.Activity)
	for i, c := range r.Where {
		if i == 0 {
			b.WriteString(" where ")
		} else {
			b.WriteString(" and ")
		}
		b.WriteString(describeCond(c))
	}
	if r.Within > 0 {
		b.WriteString(", in the last ")
		b.WriteString(r.Within.String())
	}
	if d := describeDecay(r.Decay); d != "" {
		b.WriteString(", ")
		b.WriteString(d)
	}
	return b.String()
}

// activityReasonPrefix starts the reason of every activity rule's
// ledger entries, and of no field rule's.
const activityReasonPrefix = "each "

// isActivityEntry reports whether e, an [EntryRule], is an activity
// rule's: it has activity times, a count other than 1 or decay, or else
// (a single activity at the zero time.Time, which Score counts when the
// rule has no window, and which did not decay) its reason is an
// activity rule's.
func isActivityEntry(e Entry) bool {
	return !e.First.IsZero() || !e.Last.IsZero() || e.Count != 1 || !e.Decayed.Equal(e.Raw) ||
		strings.HasPrefix(e.Reason, activityReasonPrefix)
}

func describeCond(c Condition) string {
	ic := ""
	if c.IgnoreCase {
		ic = " (any case)"
	}
	switch c.Op {
	case OpEquals:
		return fmt.Sprintf("%s is %q%s", c.Field, c.Value, ic)
	case OpOneOf:
		return fmt.Sprintf("%s is one of %s%s", c.Field, quoteList(c.Values), ic)
	case OpNotOneOf:
		return fmt.Sprintf("%s is not one of %s%s", c.Field, quoteList(c.Values), ic)
	case OpRange:
		switch {
		case c.Min.Valid && c.Max.Valid:
			return fmt.Sprintf("%s is from %s to under %s", c.Field, c.Min.Decimal, c.Max.Decimal)
		case c.Min.Valid:
			return fmt.Sprintf("%s is at least %s", c.Field, c.Min.Decimal)
		default:
			return fmt.Sprintf("%s is under %s", c.Field, c.Max.Decimal)
		}
	case OpPrefix:
		return fmt.Sprintf("%s starts with %q%s", c.Field, c.Value, ic)
	case OpSuffix:
		return fmt.Sprintf("%s ends with %q%s", c.Field, c.Value, ic)
	case OpContains:
		return fmt.Sprintf("%s contains %q%s", c.Field, c.Value, ic)
	case OpRegex:
		return fmt.Sprintf("%s matches /%s/%s", c.Field, c.Value, ic)
	case OpPresent:
		return c.Field + " is known"
	case OpMissing:
		return c.Field + " is unknown"
	}
	return c.Field + " " + string(c.Op)
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

func describeDecay(d Decay) string {
	switch d.Kind {
	case DecayPercent:
		return fmt.Sprintf("losing %s%% every %s", d.Percent, d.Every)
	case DecayLinear:
		return fmt.Sprintf("losing %s%% of its points every %s", d.Percent, d.Every)
	case DecayHalfLife:
		return fmt.Sprintf("halving every %s", d.HalfLife)
	case DecayStep:
		parts := make([]string, len(d.Steps))
		for i, s := range d.Steps {
			parts[i] = fmt.Sprintf("×%s after %s", s.Factor, s.After)
		}
		return "worth " + strings.Join(parts, ", ")
	}
	return ""
}

// groupReason returns the reason of a group cap entry for the group's
// sum; the sentences are built once, by compile.
func groupReason(g *groupModel, sum int64) string {
	if g.hasMax && sum > g.max {
		return g.capReason
	}
	return g.floorReason
}

// axisReason is groupReason for an axis cap.
func axisReason(am *axisModel, total int64) string {
	if am.hasMax && total > am.max {
		return am.capReason
	}
	return am.floorReason
}

// Explain renders the result as text a sales rep reads: the model, the
// two totals with their grades, the quadrant and action, and every
// ledger entry with its points and why: for an activity rule, how many
// activities it counted, its points before and after decay when they
// differ, the points before its cap when it capped them, and the date
// (UTC) of the newest activity; for a field rule, its points before its
// cap when it capped them. Times are shown in UTC. The output is
// deterministic, and the signed points of an axis's lines add up to its
// total. An activity at the zero time.Time counts like any other (see
// [Model.Score]) and is shown as an activity, dated 0001-01-01.
func (r Result) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s v%d at %s: %s — %s\n", r.ModelID, r.ModelVersion, r.At.UTC().Format(time.RFC3339), r.Label, actionText(r.Action))
	for _, ax := range []Axis{AxisFit, AxisInterest} {
		total, grade, high := r.Fit, r.FitGrade, r.FitHigh
		if ax == AxisInterest {
			total, grade, high = r.Interest, r.InterestGrade, r.InterestHigh
		}
		side := "low"
		if high {
			side = "high"
		}
		fmt.Fprintf(&b, "%s %s (grade %s, %s)\n", titleAxis(ax), total, grade, side)
		n := 0
		for _, e := range r.Ledger {
			if e.Axis != ax {
				continue
			}
			n++
			fmt.Fprintf(&b, "  %8s  %s\n", signed(e), entryText(e))
		}
		if n == 0 {
			b.WriteString("  nothing counted\n")
		}
	}
	return b.String()
}

func signed(e Entry) string {
	s := e.Points.String()
	if e.Points.Sign() > 0 {
		s = "+" + s
	}
	return s
}

func titleAxis(a Axis) string {
	if a == AxisFit {
		return "Fit"
	}
	return "Interest"
}

func actionText(a Action) string {
	switch a {
	case ActionContactNow:
		return "high fit, high interest: sales contacts now"
	case ActionNurture:
		return "high fit, low interest: marketing nurtures"
	case ActionOfferGap:
		return "low fit, high interest: the offer has a gap (product feedback)"
	case ActionDoNotContact:
		return "low fit, low interest: do not contact"
	}
	return string(a)
}

func entryText(e Entry) string {
	switch e.Kind {
	case EntryGroupCap, EntryAxisCap:
		return fmt.Sprintf("%s (sum was %s)", e.Reason, e.Raw)
	case EntryCriterion:
		if e.Reason == "" {
			return e.Name
		}
		return e.Name + ": " + e.Reason
	}
	var b strings.Builder
	b.WriteString(e.Name)
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if !isActivityEntry(e) { // a field rule
		if !e.Points.Equal(e.Raw) {
			fmt.Fprintf(&b, " (%s, capped)", e.Raw)
		}
		return b.String()
	}
	noun := "activities"
	if e.Count == 1 {
		noun = "activity"
	}
	fmt.Fprintf(&b, " (%d %s", e.Count, noun)
	if !e.Decayed.Equal(e.Raw) {
		fmt.Fprintf(&b, ", %s before decay, %s after", e.Raw, e.Decayed)
	}
	if !e.Points.Equal(e.Decayed) {
		fmt.Fprintf(&b, ", capped from %s", e.Decayed)
	}
	fmt.Fprintf(&b, "; last on %s)", e.Last.UTC().Format("2006-01-02"))
	return b.String()
}
