package handoff

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

// What encoding/json would change silently, the Parse functions refuse: a
// spec is read as it is written, or not at all.
//
// JSON text is UTF-8: encoding/json reads U+FFFD for every byte of its
// input that is not, so a rep ID or a label saved as Latin-1 ("Jos\xe9")
// would come back changed ("Jos\uFFFD"), and two such IDs could become one;
// it reads U+FFFD as well for an escape of half a UTF-16 surrogate pair
// ("\ud83d" alone).
// And when a key appears twice in one object (compared without case, as
// encoding/json matches keys to fields), encoding/json keeps the last value
// and drops the others without a word: {"to": "sql", ..., "To": "mql"}.
//
// The helpers here also give every decoding error the path of the value it
// is about, as [SpecError] reports it ("rules[2].then.to"): encoding/json
// names the field of a type error without array indexes ("rules.then.to"),
// and neither the field of an unknown key nor that of a value its own
// decoder refuses (a [Date], a [Span], a [Duration], a stage).

// invalidUTF8 returns the offset of the first byte of b that is not part
// of valid UTF-8, or −1 if b is valid UTF-8.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// loneSurrogate returns the offset of the first \u escape of data, a valid
// JSON document, that is half of a UTF-16 surrogate pair without its other
// half ("\ud83d" alone, as JavaScript writes half an emoji), or −1 if
// there is none: encoding/json reads such an escape as U+FFFD.
func loneSurrogate(data []byte) int {
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

// duplicateKey returns the path of the first object member of data, a
// valid JSON document, whose key repeats an earlier key of the same object
// without case (the path spelled with the earlier key), both keys and
// true; false if no key repeats.
func duplicateKey(data []byte) (path, first, again string, found bool) {
	walkJSON(data, func(parent, k, earlier string, repeated bool) bool {
		if repeated {
			path, first, again, found = joinPath(parent, earlier), earlier, k, true
		}
		return !repeated
	}, nil)
	return path, first, again, found
}

// foldKey returns the form of an object key that encoding/json compares
// when it matches keys to fields without case (its foldName): each rune
// replaced by the smallest rune that matches it without case. So k and l
// match when foldKey(k) == foldKey(l), which is [strings.EqualFold] ("ſ"
// matches "s", the Kelvin sign "k"; a test checks every rune against
// encoding/json).
func foldKey(k string) string {
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

// pathAt returns the path of the value of data, a valid JSON document,
// that ends at or first after byte offset off: the value an encoding/json
// type error at that offset is about, or the string holding a byte there
// ("" for the document itself).
func pathAt(data []byte, off int64) (path string) {
	walkJSON(data, nil, func(p string, end int64) bool {
		path = p
		return end < off
	})
	return path
}

// walkJSON reads the tokens of data, a JSON document, and calls key (if
// not nil) for every object key, with the object's path and, when the key
// repeats an earlier key of the same object without case, that earlier
// key and true; and value (if not nil) for every value (objects and arrays
// when they open), with its path and the offset just after its first
// token. It stops when either returns false, or at the end. Its cost is
// linear in the size of data, however many keys an object has.
func walkJSON(data []byte, key func(parent, k, earlier string, repeated bool) bool, value func(path string, end int64) bool) {
	type frame struct {
		object  bool
		wantKey bool              // object: the next token is a key
		keys    map[string]string // object, with key: the keys so far, by foldKey
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
				f := foldKey(k)
				earlier, repeated := top.keys[f]
				if !key(top.path, k, earlier, repeated) {
					return
				}
				top.keys[f] = k
			}
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
			p = indexPath(top.path, top.index)
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

// fieldPath returns the path of the first value of data, a valid JSON
// document decoded into a value of type t, that the value's own decoder
// (UnmarshalJSON or UnmarshalText) refuses with an error other than a type
// error; or, with unknown, the path of the first key that names no field of
// its struct. ok is false when there is none. Values come in document
// order, as encoding/json decodes them, so the first is the one whose error
// encoding/json returned.
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
				return joinPath(path, k), true
			}
			if found {
				if p, ok := fieldPath(v, ft, joinPath(path, k), unknown); ok {
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
			if p, ok := fieldPath(v, t.Elem(), indexPath(path, i), unknown); ok {
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
// The spec structs embed no structs, so embedded fields are not looked
// into.
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
		if fold == nil && foldKey(name) == foldKey(k) {
			fold = f.Type
		}
	}
	return fold, fold != nil
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func indexPath(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }
