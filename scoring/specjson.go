package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
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

// invalidUTF8 returns the offset of the first byte of b that is not part
// of valid UTF-8, or −1 if b is valid UTF-8.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// loneSurrogate returns the offset of the first \u escape of data, a
// valid JSON document, that is half of a UTF-16 surrogate pair without
// its other half ("\ud83d" alone, as JavaScript writes half an emoji),
// or −1 if there is none. encoding/json silently reads such an escape as
// U+FFFD, changing the string.
func loneSurrogate(data []byte) int {
	hex4 := func(i int) (rune, bool) { // data[i:i+6] is \uXXXX
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		return rune(v), err == nil
	}
	// A backslash outside a string is not valid JSON, so every backslash
	// starts an escape; escapes are read left to right, so "\\u" is an
	// escaped backslash and a "u".
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		r, ok := hex4(i)
		if !ok {
			i++ // a two-byte escape
			continue
		}
		switch {
		case r >= 0xd800 && r < 0xdc00:
			if lo, ok := hex4(i + 6); ok && lo >= 0xdc00 && lo < 0xe000 {
				i += 11
				continue
			}
			return i
		case r >= 0xdc00 && r < 0xe000:
			return i
		}
		i += 5
	}
	return -1
}

// duplicateKey returns the path (as in [SpecError]) of the first object
// member of data, a valid JSON document, whose key repeats an earlier
// key of the same object, and that key; "" and "" if none does. Keys are
// compared as encoding/json matches them to fields, without case, so
// "points" and "Points" are the same key: encoding/json keeps the last
// and silently drops the others.
func duplicateKey(data []byte) (path, key string) {
	type frame struct {
		object  bool
		wantKey bool     // object: the next token is a key
		keys    []string // object: the keys so far
		index   int      // array: the index of the next element
		path    string
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []frame
	member := "" // the path of the value of the last key read
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", "" // the end: data is valid JSON
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		var top *frame
		if n := len(stack); n > 0 {
			top = &stack[n-1]
		}
		if top != nil && top.wantKey {
			k, _ := tok.(string)
			for _, seen := range top.keys {
				if strings.EqualFold(seen, k) {
					return joinPath(top.path, k), k
				}
			}
			top.keys = append(top.keys, k)
			top.wantKey = false
			member = joinPath(top.path, k)
			continue
		}
		// A value: of the last key, of an array element, or the document.
		p := member
		switch {
		case top == nil:
			p = ""
		case top.object:
			top.wantKey = true // after this value (and its members, if any)
		default:
			p = top.path + "[" + strconv.Itoa(top.index) + "]"
			top.index++
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true, path: p})
		case json.Delim('['):
			stack = append(stack, frame{path: p})
		}
	}
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}
