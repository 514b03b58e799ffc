package smbeam

import (
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
	})
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
	files := func(ms ...fileio.FileMetadata) func(*fileio.FileMetadata) bool {
		return func(m *fileio.FileMetadata) bool {
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
	if err := fn.ProcessElement(Acc{}, files(fileio.FileMetadata{Path: "logs/a.jsonl"}, fileio.FileMetadata{Path: "logs/b.jsonl"}), emit); err != nil || n != 1 {
		t.Errorf("two files: err %v, %d emitted", err, n)
	}
}
