package smbeam

import (
	"encoding/json"
	"fmt"
	"time"

	// Workers may run on images without a zoneinfo database; the report's
	// periods depend on the host's time zone, so carry one.
	_ "time/tzdata"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/report"
)

// Spec is a [report.Config] in a form that travels inside a pipeline:
// Beam serializes transforms as JSON, and a *time.Location does not
// survive JSON, so Spec names the time zone instead. Its JSON form is also
// the configuration file of the smarketing-beam command.
//
// Every field has the meaning and zero value of the Config field of the
// same name; Location is an IANA time-zone name ("Europe/Madrid"), and ""
// or "UTC" mean UTC.
type Spec struct {
	Path        []funnel.Stage     `json:"path"`
	Detours     []funnel.Stage     `json:"detours,omitempty"`
	Location    string             `json:"location,omitempty"`
	Period      report.Granularity `json:"period,omitempty"`
	AsOf        time.Time          `json:"as_of,omitzero"`
	Window      Duration           `json:"window,omitempty"`
	Pairs       []report.Pair      `json:"pairs,omitempty"`
	Qualified   funnel.Stage       `json:"qualified,omitempty"`
	Opportunity funnel.Stage       `json:"opportunity,omitempty"`
	Won         funnel.Stage       `json:"won,omitempty"`
	Recycle     funnel.Stage       `json:"recycle,omitempty"`
	Dimensions  []string           `json:"dimensions,omitempty"`
	NoLeadState bool               `json:"no_lead_state,omitempty"`
	HalfLife    Duration           `json:"half_life,omitempty"`
	Goals       []report.Goal      `json:"goals,omitempty"`
}

// Duration is a time.Duration whose JSON form is a Go duration string
// ("720h") or an integer number of nanoseconds.
type Duration time.Duration

// MarshalJSON writes d as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a Go duration string or integer nanoseconds.
func (d *Duration) UnmarshalJSON(p []byte) error {
	var s string
	if err := json.Unmarshal(p, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = Duration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(p, &n); err != nil {
		return fmt.Errorf("duration: want a string such as \"720h\" or integer nanoseconds, got %s", p)
	}
	*d = Duration(n)
	return nil
}

// SpecOf returns the Spec of cfg. It fails when cfg.Location cannot be
// named portably (time.Local, a fixed zone): use time.LoadLocation.
func SpecOf(cfg report.Config) (Spec, error) {
	s := Spec{
		Path: cfg.Path, Detours: cfg.Detours, Period: cfg.Period, AsOf: cfg.AsOf,
		Window: Duration(cfg.Window), Pairs: cfg.Pairs, Qualified: cfg.Qualified,
		Opportunity: cfg.Opportunity, Won: cfg.Won, Recycle: cfg.Recycle,
		Dimensions: cfg.Dimensions, NoLeadState: cfg.NoLeadState,
		HalfLife: Duration(cfg.HalfLife), Goals: cfg.Goals,
	}
	if cfg.Location != nil && cfg.Location != time.UTC {
		name := cfg.Location.String()
		// A fixed zone may carry any name, even none ("" loads as UTC) or
		// that of a real zone: the name must load a zone with the same
		// offsets, or workers would compute other periods.
		l, err := time.LoadLocation(name)
		if err != nil || name == "" || name == "Local" || !sameOffsets(cfg.Location, l) {
			return Spec{}, fmt.Errorf("smbeam: time zone %q has no portable IANA name", name)
		}
		s.Location = name
	}
	return s, nil
}

// sameOffsets reports whether a and b give the same UTC offset at every
// day from 1900 to 2100.
func sameOffsets(a, b *time.Location) bool {
	for t := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); t.Year() < 2100; t = t.Add(24 * time.Hour) {
		_, x := t.In(a).Zone()
		_, y := t.In(b).Zone()
		if x != y {
			return false
		}
	}
	return true
}

// Config returns the report configuration s describes, or an error when
// the time zone is unknown. The configuration itself is validated by
// [report.NewAccumulator].
func (s Spec) Config() (report.Config, error) {
	loc := time.UTC
	if s.Location == "Local" {
		// time.LoadLocation("Local") is the zone of whichever machine
		// runs the code: workers would compute other periods.
		return report.Config{}, fmt.Errorf("smbeam: spec: location: %q is not an IANA time-zone name", s.Location)
	}
	if s.Location != "" && s.Location != "UTC" {
		l, err := time.LoadLocation(s.Location)
		if err != nil {
			return report.Config{}, fmt.Errorf("smbeam: spec: location: %w", err)
		}
		loc = l
	}
	return report.Config{
		Path: s.Path, Detours: s.Detours, Location: loc, Period: s.Period, AsOf: s.AsOf,
		Window: time.Duration(s.Window), Pairs: s.Pairs, Qualified: s.Qualified,
		Opportunity: s.Opportunity, Won: s.Won, Recycle: s.Recycle,
		Dimensions: s.Dimensions, NoLeadState: s.NoLeadState,
		HalfLife: time.Duration(s.HalfLife), Goals: s.Goals,
	}, nil
}

// NewAccumulator returns an empty accumulator for s.
func (s Spec) NewAccumulator() (*report.Accumulator, error) {
	cfg, err := s.Config()
	if err != nil {
		return nil, err
	}
	return report.NewAccumulator(cfg)
}
