package scoring

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// What encoding/json would change silently, ParseSpec and Spec.JSON
// refuse: the text of a spec is read and written as it is, or not at all.
//
// JSON holds only UTF-8 text: encoding/json silently writes U+FFFD for
// every byte of a string that is not valid UTF-8, and reads U+FFFD for
// every such byte of its input. A spec condition on "M\xe9xico" (Latin-1)
// would come back as a condition on "M\uFFFDxico" and match nothing, so
// [Spec.JSON] and [ParseSpec] refuse such text instead of changing it.

// utf8Errors returns a *SpecError, joined, for every string of s that its
// JSON form holds and that is not valid UTF-8, at the string's path.
func (s Spec) utf8Errors() error { return errors.Join(s.utf8Problems()...) }

// utf8Problems is utf8Errors as a list, in path order.
func (s Spec) utf8Problems() []error {
	var errs []error
	check := func(path, v string) {
		if !utf8.ValidString(v) {
			errs = append(errs, &SpecError{Path: path, Msg: fmt.Sprintf("%q is not valid UTF-8 (JSON cannot hold it)", v)})
		}
	}
	cond := func(p string, c Condition) {
		check(p+".field", c.Field)
		check(p+".op", string(c.Op))
		check(p+".value", c.Value)
		for i, v := range c.Values {
			check(fmt.Sprintf("%s.values[%d]", p, i), v)
		}
	}
	check("id", s.ID)
	for _, ax := range []struct {
		path string
		a    AxisSpec
	}{{"fit", s.Fit}, {"interest", s.Interest}} {
		for i, r := range ax.a.Rules {
			p := fmt.Sprintf("%s.rules[%d]", ax.path, i)
			check(p+".name", r.Name)
			check(p+".group", r.Group)
			cond(p+".when", r.When)
			check(p+".activity", r.Activity)
			for j, c := range r.Where {
				cond(fmt.Sprintf("%s.where[%d]", p, j), c)
			}
			check(p+".decay.kind", string(r.Decay.Kind))
		}
		for i, g := range ax.a.Groups {
			check(fmt.Sprintf("%s.groups[%d].name", ax.path, i), g.Name)
		}
		for i, b := range ax.a.Bands {
			check(fmt.Sprintf("%s.bands[%d].grade", ax.path, i), b.Grade)
		}
	}
	return errs
}
