package funnel

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// What encoding/json would change silently, [ParseSpec] refuses: a spec is
// read as it is written, or not at all.
//
// JSON text is UTF-8: encoding/json reads U+FFFD for every byte of its
// input that is not, so a label saved as Latin-1 ("Résumé") would come back
// changed ("R\uFFFDsum\uFFFD") and pass validation. And when a key appears
// twice in one object (compared without case, as encoding/json matches
// keys to fields), encoding/json keeps the last value and drops the others
// without a word: {"kind": "forward", ..., "kind": "detour"}.

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

// duplicateKey returns the path (as in [SpecError], such as
// "stages[2].kind") of the first object member of data, a valid JSON
// document, whose key repeats an earlier key of the same object without
// case, and that key; "" and "" if no key repeats.
func duplicateKey(data []byte) (path, key string) {
	walkJSON(data, func(keys []string, parent, k string) bool {
		for _, seen := range keys {
			if strings.EqualFold(seen, k) {
				path, key = joinPath(parent, k), k
				return false
			}
		}
		return true
	}, nil)
	return path, key
}

// pathAt returns the path (as in [SpecError]) of the value of data that
// ends at or first after byte offset off: the value that an
// encoding/json error at that offset is about ("" for the document).
func pathAt(data []byte, off int64) (path string) {
	walkJSON(data, nil, func(p string, end int64) bool {
		path = p
		return end < off
	})
	return path
}

// walkJSON reads the tokens of data, a JSON document, and calls key (if
// not nil) for every object key, with the keys of the object before it and
// the object's path, and value (if not nil) for every value (objects and
// arrays when they open), with its path and the offset just after its
// first token. It stops when either returns false, or at the end.
func walkJSON(data []byte, key func(keys []string, parent, k string) bool, value func(path string, end int64) bool) {
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
			if key != nil && !key(top.keys, top.path, k) {
				return
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

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}
