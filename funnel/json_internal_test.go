package funnel

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSpecJSONMirror: the decoding mirror of Spec has the same fields and
// JSON keys as Spec, StageSpec and MoveSpec, so ParseSpec cannot silently
// drop or reject a field that json.Marshal writes.
func TestSpecJSONMirror(t *testing.T) {
	keys := func(typ reflect.Type) []string {
		var out []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			if tag := f.Tag.Get("json"); tag != "-" {
				out = append(out, f.Name+" "+tag)
			}
		}
		return out
	}
	for _, p := range []struct{ spec, mirror any }{
		{Spec{}, specJSON{}},
		{StageSpec{}, stageSpecJSON{}},
		{MoveSpec{}, moveSpecJSON{}},
	} {
		want, got := keys(reflect.TypeOf(p.spec)), keys(reflect.TypeOf(p.mirror))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%T and %T differ (-spec +mirror):\n%s", p.spec, p.mirror, diff)
		}
	}
}
