package smbeam

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/sdf"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/rtrackers/offsetrange"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

func init() {
	register.DoFn4x1[context.Context, *sdf.LockRTracker, fileio.ReadableFile, func(string, string), error](&readLinesFn{})
	register.Emitter2[string, string]()
}

// readBlock is the size of the blocks an uncompressed log is split into
// for parallel reading (as Beam's textio does).
const readBlock int64 = 64 << 20

// Compressed reports whether Beam's fileio decompresses the file at path
// (gzip, by its ".gz" extension) when [ReadLog] reads it. A compressed
// file is read whole by one worker: offsets in its decompressed text are
// not offsets in the file, so it cannot be split.
func Compressed(path string) bool { return filepath.Ext(path) == ".gz" }

// readLinesFn is a splittable DoFn that emits (file, line) for every line
// of a file, without its line break.
//
// It does what textio.ReadWithFilename does for uncompressed files, and
// also reads compressed ones completely: textio (v2.78.0) claims offsets
// of the decompressed text against a restriction sized by the compressed
// file, so it silently stops after about as many bytes of text as the
// .gz file has (a 1 MB .gz of an 8 MB log gave 1 line in 8).
type readLinesFn struct {
	// Block is the size of the blocks uncompressed files are split into;
	// 0 means readBlock. (Tests use small blocks to split inside lines.)
	Block int64
}

// CreateInitialRestriction is the file's byte range, or the single
// position 0 for a compressed file (claimed once, read whole).
func (fn *readLinesFn) CreateInitialRestriction(file fileio.ReadableFile) offsetrange.Restriction {
	if Compressed(file.Metadata.Path) {
		return offsetrange.Restriction{Start: 0, End: 1}
	}
	return offsetrange.Restriction{Start: 0, End: file.Metadata.Size}
}

// SplitRestriction cuts an uncompressed file into blocks of about
// readBlock bytes (the last one absorbs a small remainder).
func (fn *readLinesFn) SplitRestriction(file fileio.ReadableFile, rest offsetrange.Restriction) []offsetrange.Restriction {
	if Compressed(file.Metadata.Path) {
		return []offsetrange.Restriction{rest}
	}
	block := fn.Block
	if block <= 0 {
		block = readBlock
	}
	splits := rest.SizedSplits(block)
	if n := len(splits); n > 1 && splits[n-1].End-splits[n-1].Start <= block/4 {
		splits[n-2].End = splits[n-1].End
		splits = splits[:n-1]
	}
	return splits
}

// RestrictionSize estimates the work of a restriction in bytes.
func (fn *readLinesFn) RestrictionSize(file fileio.ReadableFile, rest offsetrange.Restriction) float64 {
	if Compressed(file.Metadata.Path) {
		return float64(file.Metadata.Size)
	}
	return rest.Size()
}

// CreateTracker tracks offsets in the file.
func (fn *readLinesFn) CreateTracker(rest offsetrange.Restriction) *sdf.LockRTracker {
	return sdf.NewLockRTracker(offsetrange.NewTracker(rest))
}

// ProcessElement emits the lines that begin inside the restriction (a
// line that begins inside it and ends past it is emitted whole; one that
// begins before it belongs to the previous restriction).
func (fn *readLinesFn) ProcessElement(ctx context.Context, rt *sdf.LockRTracker, file fileio.ReadableFile, emit func(string, string)) error {
	path := file.Metadata.Path
	rest := rt.GetRestriction().(offsetrange.Restriction)
	if Compressed(path) {
		if !rt.TryClaim(rest.Start) {
			return nil
		}
		return readLines(ctx, file, 0, func(_ int64, line string) bool { emit(path, line); return true })
	}
	pos := rest.Start
	if pos > 0 {
		// The restriction may start inside a line: skip to the first
		// line starting at or after rest.Start, by reading from the byte
		// before it to the end of its line.
		pos--
	}
	first := rest.Start > 0
	stopped := false
	err := readLines(ctx, file, pos, func(n int64, line string) bool {
		if first {
			first = false
			pos += n
			return true
		}
		if !rt.TryClaim(pos) {
			stopped = true
			return false
		}
		pos += n
		emit(path, line)
		return true
	})
	if err != nil {
		return err
	}
	if !stopped {
		// The file ended inside the restriction: claim its (current) end
		// so the tracker is done. (A tracker that refused a claim must
		// not be asked again.)
		rt.TryClaim(rt.GetRestriction().(offsetrange.Restriction).End)
	}
	return nil
}

// readLines opens file (decompressing it if fileio does), moves to byte
// offset from, and calls line with the size in bytes of each line read
// (line break included) and the line without its line break, until line
// returns false or the file ends.
func readLines(ctx context.Context, file fileio.ReadableFile, from int64, line func(n int64, text string) bool) error {
	fd, err := file.Open(ctx)
	if err != nil {
		return fmt.Errorf("smbeam: opening %s: %w", file.Metadata.Path, err)
	}
	defer fd.Close()
	if from > 0 {
		if sk, ok := fd.(io.Seeker); ok {
			_, err = sk.Seek(from, io.SeekStart)
		} else {
			_, err = io.CopyN(io.Discard, fd, from)
		}
		if err != nil {
			return fmt.Errorf("smbeam: reading %s at byte %d: %w", file.Metadata.Path, from, err)
		}
	}
	rd := bufio.NewReaderSize(fd, 1<<16)
	for {
		s, err := rd.ReadString('\n')
		if len(s) > 0 && !line(int64(len(s)), strings.TrimSuffix(s, "\n")) {
			return nil
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("smbeam: reading %s: %w", file.Metadata.Path, err)
		}
	}
}
