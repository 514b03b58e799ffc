// Package jsonstrict finds in a JSON document what encoding/json would
// change without a word, so that the spec parsers of funnel, scoring and
// handoff can refuse it, and gives decoding errors the path of the value
// they are about.
//
// JSON text is UTF-8: encoding/json reads U+FFFD for every byte of its
// input that is not, and for an escape of half a UTF-16 surrogate pair
// ("\ud83d" alone, as JavaScript writes half an emoji), so a label or an
// ID saved as Latin-1 ("Jos\xe9") comes back changed ("Jos\uFFFD"), and
// two such IDs can become one. And when a key appears twice in one object
// (compared without case, as encoding/json matches keys to fields),
// encoding/json keeps the last value and drops the others:
// {"to": "sql", ..., "To": "mql"}.
//
// Paths are written as the packages' spec errors write them:
// "rules[2].then.to"; "" is the document itself. encoding/json names the
// field of a type error without array indexes ("rules.then.to"), and
// neither the field of an unknown key nor that of a value its own decoder
// refuses: [PathAt] and [FieldPath] find them.
//
// Every function is pure and safe for concurrent use. Those that take "a
// valid JSON document" expect input that encoding/json has accepted; on
// other input they stop at the first syntax error and report what they
// found before it.
package jsonstrict

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// HasBOM reports whether data starts with a UTF-8 byte-order mark (EF BB
// BF), which editors such as Notepad write and which encoding/json refuses
// with a puzzling "invalid character 'ï' looking for beginning of value".
func HasBOM(data []byte) bool { return bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) }

// BOMAdvice is what the parsers say of a byte-order mark.
const BOMAdvice = "the spec starts with a UTF-8 byte-order mark (U+FEFF), which JSON does not allow: save it as UTF-8 without a BOM"

// InvalidUTF8 returns the offset of the first byte of b that is not part
// of valid UTF-8, or −1 if b is valid UTF-8.
func InvalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1 // unreachable: b is not valid
}

// LoneSurrogate returns the offset of the first \u escape of data, a valid
// JSON document, that is half of a UTF-16 surrogate pair without its other
// half, or −1 if there is none. A whole pair ("\ud83d\ude00") and an
// escaped backslash before a "u" ("\\ud800", which is text) are fine.
func LoneSurrogate(data []byte) int {
	hex4 := func(i int) rune { // data[i:i+6] is \uXXXX, or -1
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return -1
		}
		v, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		if err != nil {
			return -1
		}
		return rune(v)
	}
	// In valid JSON every backslash starts an escape, read left to right.
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		switch r := hex4(i); {
		case r < 0:
			i++ // a two-byte escape, such as \\ or \n
		case r >= 0xd800 && r < 0xdc00 && hex4(i+6) >= 0xdc00 && hex4(i+6) < 0xe000:
			i += 11 // a whole pair
		case r >= 0xd800 && r < 0xe000:
			return i
		default:
			i += 5
		}
	}
	return -1
}

// Duplicate is an object key that repeats an earlier key of the same
// object, compared as encoding/json matches keys to fields: without case.
type Duplicate struct {
	Object string // the object's path
	First  string // the earlier key, as written
	Again  string // the key that repeats it, as written
}

// DuplicateKey returns the first key of data, a valid JSON document, that
// repeats an earlier key of its object, and true; false if no key
// repeats. Its cost is linear in the size of data, however many keys an
// object has.
func DuplicateKey(data []byte) (d Duplicate, found bool) {
	walk(data, func(object, k, earlier string, repeated bool) bool {
		if repeated {
			d, found = Duplicate{Object: object, First: earlier, Again: k}, true
		}
		return !repeated
	}, nil)
	return d, found
}

// FoldKey returns the form of an object key that encoding/json compares
// when it matches keys to fields without case: each rune replaced by the
// smallest rune that matches it without case. So keys k and l match when
// FoldKey(k) == FoldKey(l), which is [strings.EqualFold] ("ſ" matches "s",
// the Kelvin sign "k"; a test checks every rune against encoding/json).
func FoldKey(k string) string {
	return strings.Map(func(r rune) rune {
		for {
			next := unicode.SimpleFold(r) // the next rune of r's orbit, in a cycle
			if next <= r {
				return next
			}
			r = next
		}
	}, k)
}

// PathAt returns the path of the value of data, a valid JSON document,
// that ends at or first after byte offset off: the value an encoding/json
// type error at that offset (its Offset field) is about, or the string
// holding a byte there.
func PathAt(data []byte, off int64) (path string) {
	walk(data, nil, func(p string, end int64) bool {
		path = p
		return end < off
	})
	return path
}

// walk reads the tokens of data, a JSON document, and calls key (if not
// nil) for every object key, with the object's path and, when the key
// repeats an earlier key of the same object without case, that earlier
// key and true; and value (if not nil) for every value (objects and arrays
// when they open), with its path and the offset just after its first
// token. It stops when either returns false, or at the end.
func walk(data []byte, key func(object, k, earlier string, repeated bool) bool, value func(path string, end int64) bool) {
	type frame struct {
		object  bool
		wantKey bool              // object: the next token is a key
		keys    map[string]string // object, with key: the keys so far, by FoldKey
		index   int               // array: the index of the next element
		path    string
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []frame
	member := "" // the path of the value of the last key read
	for {
		tok, err := dec.Token()
		if err != nil {
			return // the end, or data is not valid JSON after all
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
			if key != nil {
				if top.keys == nil {
					top.keys = map[string]string{}
				}
				f := FoldKey(k)
				earlier, repeated := top.keys[f]
				if !key(top.path, k, earlier, repeated) {
					return
				}
				top.keys[f] = k
			}
			top.wantKey = false
			member = JoinPath(top.path, k)
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
			p = IndexPath(top.path, top.index)
			top.index++
		}
		if value != nil && !value(p, dec.InputOffset()) {
			return
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true, path: p})
		case json.Delim('['):
			stack = append(stack, frame{path: p})
		}
	}
}

// FieldPath returns the path of the first value of data, a valid JSON
// document decoded into a value of type t, that the value's own decoder
// (UnmarshalJSON or UnmarshalText) refuses with an error other than a
// type error; or, with unknown, the path of the first key that names no
// field of its struct. ok is false when there is none. Values come in
// document order, as encoding/json decodes them, so the first is the one
// whose error encoding/json returned. Embedded structs are not looked
// into (the spec structs embed none).
func FieldPath(data []byte, t reflect.Type, unknown bool) (path string, ok bool) {
	return fieldPath(data, t, "", unknown)
}

func fieldPath(data []byte, t reflect.Type, path string, unknown bool) (_ string, ok bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if pt := reflect.PointerTo(t); pt.Implements(unmarshalerType) || pt.Implements(textUnmarshalerType) {
		if unknown {
			return "", false
		}
		var te *json.UnmarshalTypeError
		err := json.Unmarshal(data, reflect.New(t).Interface())
		return path, err != nil && !errors.As(err, &te)
	}
	switch t.Kind() {
	case reflect.Struct:
		dec := json.NewDecoder(bytes.NewReader(data))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return "", false
		}
		for dec.More() {
			tok, _ := dec.Token()
			k, _ := tok.(string)
			var v json.RawMessage
			if dec.Decode(&v) != nil {
				return "", false
			}
			ft, found := fieldType(t, k)
			if !found && unknown {
				return JoinPath(path, k), true
			}
			if found {
				if p, ok := fieldPath(v, ft, JoinPath(path, k), unknown); ok {
					return p, true
				}
			}
		}
	case reflect.Slice, reflect.Array:
		var elems []json.RawMessage
		if json.Unmarshal(data, &elems) != nil {
			return "", false
		}
		for i, v := range elems {
			if p, ok := fieldPath(v, t.Elem(), IndexPath(path, i), unknown); ok {
				return p, true
			}
		}
	}
	return "", false
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// fieldType returns the type of the field of struct t that encoding/json
// decodes key k into: the exported field named k by its tag (or its name,
// untagged), or else the first that matches k without case.
func fieldType(t reflect.Type, k string) (reflect.Type, bool) {
	var fold reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if name == k {
			return f.Type, true
		}
		if fold == nil && FoldKey(name) == FoldKey(k) {
			fold = f.Type
		}
	}
	return fold, fold != nil
}

// JoinPath returns the path of member key of the object at parent.
func JoinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// IndexPath returns the path of element i of the array at parent.
func IndexPath(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }
