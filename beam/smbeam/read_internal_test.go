package smbeam

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/sdf"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/rtrackers/offsetrange"
)

// readRestriction runs readLinesFn over one restriction of file, as a
// worker does, and returns the lines it emitted; the tracker must end
// done and without error.
func readRestriction(t *testing.T, file fileio.ReadableFile, rest offsetrange.Restriction) []string {
	t.Helper()
	fn := &readLinesFn{}
	rt := sdf.NewLockRTracker(offsetrange.NewTracker(rest))
	var got []string
	err := fn.ProcessElement(context.Background(), rt, file, func(path, line string) {
		if path != file.Metadata.Path {
			t.Fatalf("path %q, want %q", path, file.Metadata.Path)
		}
		got = append(got, line)
	}, func(d DeadLetter) { t.Fatalf("dead letter %v", d) })
	if err != nil {
		t.Fatalf("%v: %v", rest, err)
	}
	if err := rt.GetError(); err != nil {
		t.Fatalf("%v: tracker error: %v", rest, err)
	}
	if !rt.IsDone() {
		t.Fatalf("%v: tracker not done", rest)
	}
	return got
}

// TestReadLinesEverySplit cuts a file at every byte offset into two
// restrictions (and three blocks of every size): every line comes out
// exactly once, in order, whether the cut falls at a line's start, inside
// it, or on its line break; a last line without a line break and empty
// lines included.
func TestReadLinesEverySplit(t *testing.T) {
	for _, text := range []string{
		"a\nbb\n\nccc\r\ndddd\neeeee",
		"one\ntwo\nthree\n",
		"\n\n\n",
		"no line break",
		"",
	} {
		path := filepath.Join(t.TempDir(), "log.jsonl")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		file := fileio.ReadableFile{Metadata: fileio.FileMetadata{Path: path, Size: int64(len(text))}}
		want := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		if text == "" {
			want = nil
		}
		size := int64(len(text))
		if got := readRestriction(t, file, (&readLinesFn{}).CreateInitialRestriction(file)); !slices.Equal(got, want) {
			t.Fatalf("%q whole: got %q, want %q", text, got, want)
		}
		for cut := int64(0); cut <= size; cut++ {
			got := readRestriction(t, file, offsetrange.Restriction{Start: 0, End: cut})
			got = append(got, readRestriction(t, file, offsetrange.Restriction{Start: cut, End: size})...)
			if !slices.Equal(got, want) {
				t.Fatalf("%q cut at %d: got %q, want %q", text, cut, got, want)
			}
		}
		for block := int64(1); block <= size; block++ {
			var got []string
			for _, r := range (&readLinesFn{Block: block}).SplitRestriction(file, offsetrange.Restriction{Start: 0, End: size}) {
				got = append(got, readRestriction(t, file, r)...)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%q blocks of %d: got %q, want %q", text, block, got, want)
			}
		}
	}
}

// TestReadLinesGzip: a gzip file is one unsplittable restriction and
// every line of its decompressed text comes out (Beam's textio stops
// after about as many bytes of text as the compressed file has).
func TestReadLinesGzip(t *testing.T) {
	var b strings.Builder
	var want []string
	for i := range 20000 {
		line := strings.Repeat("x", i%50) + "|" + strings.Repeat("y", 10)
		want = append(want, line)
		b.WriteString(line + "\n")
	}
	path := filepath.Join(t.TempDir(), "log.jsonl.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size()*4 > int64(b.Len()) {
		t.Fatalf("test file compresses too little (%d of %d bytes) to show the problem", st.Size(), b.Len())
	}
	file := fileio.ReadableFile{Metadata: fileio.FileMetadata{Path: path, Size: st.Size()}}
	fn := &readLinesFn{Block: 100}
	rests := fn.SplitRestriction(file, fn.CreateInitialRestriction(file))
	if len(rests) != 1 {
		t.Fatalf("gzip file split into %d restrictions", len(rests))
	}
	if got := readRestriction(t, file, rests[0]); !slices.Equal(got, want) {
		t.Fatalf("read %d lines of %d", len(got), len(want))
	}
	if !Compressed("a/b.jsonl.gz") || Compressed("a/b.jsonl") || Compressed("gz/b.csv") {
		t.Error("Compressed does not follow the extension")
	}
}

// TestGate: the report passes the gate only when the input matched a
// file; otherwise the gate fails the bundle and emits nothing.
func TestGate(t *testing.T) {
	fn := &gateFn{Input: "logs/*.jsonl"}
	files := func(ms ...fileio.ReadableFile) func(*fileio.ReadableFile) bool {
		return func(m *fileio.ReadableFile) bool {
			if len(ms) == 0 {
				return false
			}
			*m, ms = ms[0], ms[1:]
			return true
		}
	}
	n := 0
	emit := func(Acc) { n++ }
	if err := fn.ProcessElement(Acc{}, files(), emit); err == nil || n != 0 || !strings.Contains(err.Error(), `no file matches "logs/*.jsonl"`) {
		t.Errorf("no file: err %v, %d emitted", err, n)
	}
	if err := fn.ProcessElement(Acc{}, files(fileio.ReadableFile{Metadata: fileio.FileMetadata{Path: "logs/a.jsonl"}}, fileio.ReadableFile{Metadata: fileio.FileMetadata{Path: "logs/b.jsonl"}}), emit); err != nil || n != 1 {
		t.Errorf("two files: err %v, %d emitted", err, n)
	}
}

// gzipped returns text compressed with gzip.
func gzipped(t *testing.T, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReadLinesBadGzip: a .gz file that does not decompress completely
// (empty, not gzip, truncated, corrupt data, a bad checksum, garbage after
// the data) gives one dead letter naming the file and the fault, and no
// line at all (not even the ones before the fault, which the checksum at
// the end did not vouch for); it never fails the bundle. An empty gzip
// stream is an empty log; a file that cannot be opened (an I/O error, not
// the data's fault) fails the bundle, so the runner may retry it.
func TestReadLinesBadGzip(t *testing.T) {
	var text strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&text, `{"lead":"L%d","version":1,"at":"2025-03-01T09:00:00Z","to":"lead","kind":"entry"}`+"\n", i)
	}
	good := gzipped(t, text.String())
	flipped := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 0x5a; return b }
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data []byte
		want string // in the dead letter's reason
	}{
		{"empty", nil, "empty file, not gzip data"},
		{"garbage", []byte("this is not gzip\n"), "not gzip data"},
		{"header only", good[:5], "truncated gzip data"},
		{"truncated", good[:len(good)/2], "truncated gzip data"},
		{"no trailer", good[:len(good)-8], "truncated gzip data"},
		{"corrupt data", flipped(len(good) / 2), "corrupt gzip data"},
		{"bad checksum", flipped(len(good) - 6), "corrupt gzip data (gzip: invalid checksum"},
		{"garbage after", append(bytes.Clone(good), "trailing junk"...), "corrupt gzip data (gzip: invalid header"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".jsonl.gz")
		if err := os.WriteFile(path, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		file := fileio.ReadableFile{Metadata: fileio.FileMetadata{Path: path, Size: int64(len(tc.data))}}
		fn := &readLinesFn{}
		rt := sdf.NewLockRTracker(offsetrange.NewTracker(fn.CreateInitialRestriction(file)))
		var lines int
		var dead []DeadLetter
		err := fn.ProcessElement(context.Background(), rt, file, func(string, string) { lines++ }, func(d DeadLetter) { dead = append(dead, d) })
		if err != nil || lines != 0 || len(dead) != 1 {
			t.Errorf("%s: err %v, %d lines, dead letters %v; want one dead letter and no line", tc.name, err, lines, dead)
			continue
		}
		d := dead[0]
		if d.File != path || d.Line != "" || !strings.HasPrefix(d.Error, "smbeam: unreadable file: ") || !strings.Contains(d.Error, tc.want) {
			t.Errorf("%s: dead letter %v, want file %s and a reason with %q", tc.name, d, path, tc.want)
		}
		if !rt.IsDone() {
			t.Errorf("%s: tracker not done", tc.name)
		}
		if err := CheckGzip(bytes.NewReader(tc.data)); !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: CheckGzip: %v, want ErrUnreadable", tc.name, err)
		}
	}
	for name, data := range map[string][]byte{"good": good, "empty stream": gzipped(t, ""), "two members": append(gzipped(t, "a\n"), gzipped(t, "b\n")...)} {
		if err := CheckGzip(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: CheckGzip: %v", name, err)
		}
	}
	missing := fileio.ReadableFile{Metadata: fileio.FileMetadata{Path: filepath.Join(dir, "gone.jsonl.gz"), Size: 100}}
	rt := sdf.NewLockRTracker(offsetrange.NewTracker((&readLinesFn{}).CreateInitialRestriction(missing)))
	err := (&readLinesFn{}).ProcessElement(context.Background(), rt, missing, func(string, string) {}, func(d DeadLetter) { t.Errorf("missing file: dead letter %v", d) })
	if err == nil || errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "gone.jsonl.gz") {
		t.Errorf("missing file: err %v, want an I/O error naming the file", err)
	}
	ioErr := errors.New("connection reset")
	if err := CheckGzip(io.MultiReader(bytes.NewReader(good[:100]), iotest.ErrReader(ioErr))); err != ioErr {
		t.Errorf("failing reader: CheckGzip: %v, want the reader's error", err)
	}
}
