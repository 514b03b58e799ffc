package handoff

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode"
	"unicode/utf8"
)

// letters has one field per ASCII letter, keyed by the lower-case letter.
type letters struct {
	A, B, C, D, E, F, G, H, I, J, K, L, M int `json:",omitempty"`
	N, O, P, Q, R, S, T, U, V, W, X, Y, Z int `json:",omitempty"`
}

// TestFoldKey: a one-rune key folds to the form of an ASCII letter exactly
// when encoding/json decodes it into that letter's field ("k" for the
// Kelvin sign, "s" for the long s, but nothing for the dotted capital I),
// for every rune, so the
// duplicate check refuses what encoding/json would merge, and nothing
// else.
func TestFoldKey(t *testing.T) {
	letterFold := map[string]int{}
	for i := range 26 {
		letterFold[foldKey(string(rune('a'+i)))] = i
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) || r == '"' || r == '\\' || r < ' ' {
			continue
		}
		want, ok := letterFold[foldKey(string(r))] // the field encoding/json should fill
		if !ok {
			want = -1
		}
		if want < 0 && r > unicode.MaxASCII && unicode.SimpleFold(r) == r {
			continue // no case at all: skip the decoding, for speed
		}
		var v letters
		if err := json.Unmarshal([]byte(`{"`+string(r)+`": 1}`), &v); err != nil {
			t.Fatal(err)
		}
		got := -1
		rv := reflect.ValueOf(v)
		for i := range 26 {
			if rv.Field(i).Int() != 0 {
				got = i
			}
		}
		if got != want {
			t.Fatalf("key %q (%U): encoding/json fills field %d, foldKey says %d", r, r, got, want)
		}
	}
}

// TestDuplicateEmptyKey: a repeated empty key is found too.
func TestDuplicateEmptyKey(t *testing.T) {
	if path, _, _, ok := duplicateKey([]byte(`{"a": {"": 1, "": 2}}`)); !ok || path != "a." {
		t.Errorf("duplicateKey = %q, %v", path, ok)
	}
}
