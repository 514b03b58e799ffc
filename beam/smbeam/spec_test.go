package smbeam_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smarketing/smarketing/beam/smbeam"
	"github.com/smarketing/smarketing/beam/smbeamtest"
	"github.com/smarketing/smarketing/report"
)

// TestSpecCoversConfig: every field of report.Config has a Spec field of
// the same name, so a field added to Config is not silently dropped on
// its way through a pipeline.
func TestSpecCoversConfig(t *testing.T) {
	st := reflect.TypeFor[smbeam.Spec]()
	for f := range reflect.TypeFor[report.Config]().Fields() {
		if _, ok := st.FieldByName(f.Name); !ok {
			t.Errorf("report.Config.%s has no smbeam.Spec field", f.Name)
		}
	}
}

// TestSpecRoundTrip: Config → Spec → JSON (as Beam serializes it) → Spec
// → Config keeps everything.
func TestSpecRoundTrip(t *testing.T) {
	spec := smbeamtest.Spec()
	spec.AsOf = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	spec.Pairs = []report.Pair{{From: "lead", To: "customer"}}
	spec.HalfLife = smbeam.Duration(72 * time.Hour)
	cfg, err := spec.Config()
	if err != nil {
		t.Fatal(err)
	}
	back, err := smbeam.SpecOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	var got smbeam.Spec
	if err := json.Unmarshal(p, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(spec, got); diff != "" {
		t.Errorf("spec round trip (-want +got):\n%s", diff)
	}
	if _, err := smbeam.SpecOf(report.Config{Location: time.FixedZone("X", 3600)}); err == nil {
		t.Error("SpecOf accepted a fixed zone without an IANA name")
	}
	var d smbeam.Duration
	if err := json.Unmarshal([]byte(`86400000000000`), &d); err != nil || time.Duration(d) != 24*time.Hour {
		t.Errorf("integer nanoseconds: %v, %v", d, err)
	}
}

// TestSpecZoneNotPortable: a zone that workers would not load as the same
// zone is an error, never silently another zone. An unnamed fixed zone's
// name ("") loads as UTC, a fixed zone may be named like a real zone, and
// "Local" is whatever zone each worker runs in.
func TestSpecZoneNotPortable(t *testing.T) {
	for _, loc := range []*time.Location{
		time.FixedZone("", 3600), time.FixedZone("UTC", 3600), time.FixedZone("CET", 3600), time.Local,
	} {
		if s, err := smbeam.SpecOf(report.Config{Location: loc}); err == nil {
			t.Errorf("SpecOf(zone %q, %v) = location %q, want an error", loc, time.Date(2025, 1, 1, 0, 0, 0, 0, loc).Format("-07:00"), s.Location)
		}
	}
	for _, name := range []string{"Europe/Madrid", "CET", "America/New_York"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		if s, err := smbeam.SpecOf(report.Config{Location: loc}); err != nil || s.Location != name {
			t.Errorf("SpecOf(%s) = %q, %v", name, s.Location, err)
		}
	}
	if s, err := smbeam.SpecOf(report.Config{Location: time.FixedZone("UTC", 0)}); err != nil || s.Location != "UTC" {
		t.Errorf("SpecOf(fixed UTC) = %q, %v", s.Location, err)
	}
	if _, err := (smbeam.Spec{Location: "Local"}).Config(); err == nil {
		t.Error(`Spec{Location: "Local"}.Config() accepted the machine's own zone`)
	}
}
