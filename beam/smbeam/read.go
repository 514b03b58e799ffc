package smbeam

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/sdf"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/rtrackers/offsetrange"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

func init() {
	register.DoFn5x1[context.Context, *sdf.LockRTracker, fileio.ReadableFile, func(string, string), func(DeadLetter), error](&readLinesFn{})
	register.Emitter2[string, string]()
	register.DoFn3x0[context.Context, fileio.ReadableFile, func(fileio.ReadableFile)](&skipDirsFn{})
	register.Emitter1[fileio.ReadableFile]()
}

// skipDirsFn drops the local directories among the files fileio matched.
// Beam's fileio (v2.78.0) takes a path for a directory only when it ends
// with a slash, but a local glob matches a subdirectory without one
// ("logs/*" gives "logs/2025"): reading it failed the job ("is a
// directory"). Object stores (gs://...) list objects, never directories.
type skipDirsFn struct{}

func (skipDirsFn) ProcessElement(_ context.Context, f fileio.ReadableFile, emit func(fileio.ReadableFile)) {
	if p := f.Metadata.Path; !strings.Contains(p, "://") {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return
		}
	}
	emit(f)
}

// ErrUnreadable is wrapped by [CheckGzip]'s error for a compressed file
// whose data is not a complete gzip stream: an empty file, data that is
// not gzip, a truncated file, a corrupt one (bad deflate data, CRC-32 or
// length). [ReadLog] turns such a file into one [DeadLetter] (its File set,
// its Line empty, its Error this error's text) and reads none of its
// lines: the part before the fault cannot be trusted, since the checksum
// that would vouch for it is at the end.
var ErrUnreadable = errors.New("smbeam: unreadable file")

// CheckGzip reads the gzip data of r to its end, decompressing it (every
// member, as [ReadLog] does) and checking each member's CRC-32 and length,
// and returns nil when it is complete and intact. When the data is at
// fault the error wraps [ErrUnreadable] and says what is wrong (empty,
// not gzip, truncated, corrupt); when r itself fails (an I/O error, which
// a retry may cure) its error is returned as it is.
func CheckGzip(r io.Reader) error {
	src := &countingReader{r: r}
	var text int64
	zr, err := gzip.NewReader(src)
	if err == nil {
		text, err = io.Copy(io.Discard, zr)
	}
	if err == nil {
		return nil
	}
	if src.err != nil {
		return src.err
	}
	switch {
	case src.n == 0:
		return fmt.Errorf("%w: empty file, not gzip data", ErrUnreadable)
	case errors.Is(err, gzip.ErrHeader) && text == 0:
		return fmt.Errorf("%w: not gzip data (%v)", ErrUnreadable, err)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("%w: truncated gzip data (the file ends after %d bytes, %d bytes of text)", ErrUnreadable, src.n, text)
	}
	// Bad deflate data, a CRC-32 or length that does not match, garbage
	// after a member.
	return fmt.Errorf("%w: corrupt gzip data (%v, after %d bytes of text)", ErrUnreadable, err, text)
}

// countingReader counts the bytes read from r and keeps r's first error
// other than io.EOF.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// checkCompressed runs [CheckGzip] over the file at path, read as it is
// stored (not decompressed by fileio).
func checkCompressed(ctx context.Context, path string) error {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return err
	}
	defer fs.Close()
	rc, err := fs.OpenRead(ctx, path)
	if err != nil {
		return err
	}
	defer rc.Close()
	return CheckGzip(rc)
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
// of a file, without its line break, and a [DeadLetter] for a compressed
// file that [CheckGzip] refuses (none of whose lines it emits).
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
//
// A compressed file is read twice: once to check that it decompresses
// completely ([CheckGzip]), then to emit its lines, so a file whose data
// is at fault gives one dead letter and no line rather than failing the
// job or passing on the lines before the fault. An I/O error fails the
// bundle (the runner may retry it), as does a file that changes between
// the two reads.
func (fn *readLinesFn) ProcessElement(ctx context.Context, rt *sdf.LockRTracker, file fileio.ReadableFile, emit func(string, string), bad func(DeadLetter)) error {
	path := file.Metadata.Path
	rest := rt.GetRestriction().(offsetrange.Restriction)
	if Compressed(path) {
		if !rt.TryClaim(rest.Start) {
			return nil
		}
		if err := checkCompressed(ctx, path); err != nil {
			if !errors.Is(err, ErrUnreadable) {
				return fmt.Errorf("smbeam: reading %s: %w", path, err)
			}
			deadLetters.Inc(ctx, 1)
			bad(DeadLetter{File: path, Error: err.Error() + "; no line of the file is in the report"})
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
