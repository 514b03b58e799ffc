package smbeam_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/transforms/stats"
)

func TestMain(m *testing.M) {
	beam.Init()
	os.Exit(m.Run())
}

func lineLength(s string) int { return len(s) }
func formatInt(n int) string  { return strings.Repeat("#", n) }

func init() {
	register.Function1x1(lineLength)
	register.Function1x1(formatInt)
}

// TestPrismSmoke runs a minimal textio → ParDo → Combine → textio pipeline
// on Prism in-process over loopback: no job server to download, no network.
func TestPrismSmoke(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	if err := os.WriteFile(in, []byte("a\nbb\nccc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, s := beam.NewPipelineWithRoot()
	n := stats.Sum(s, beam.ParDo(s, lineLength, textio.Read(s, in)))
	textio.Write(s, out, beam.ParDo(s, formatInt, n))
	if _, err := prism.Execute(context.Background(), p); err != nil {
		t.Fatalf("prism: %v", err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "######\n" {
		t.Fatalf("output %q, want %q", got, "######\n")
	}
}
