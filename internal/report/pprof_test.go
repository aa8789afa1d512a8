package report

import (
	"bytes"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/internal/views"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// TestProfileAddsUp checks the pprof export against DevTools' numbers
// from the oracle: the samples add up to DevTools' total size, and a
// class's cumulative value (the self sizes of every object with that
// class on its dominator path) is the Summary's retained size of the
// class.
func TestProfileAddsUp(t *testing.T) {
	for _, name := range []string{"incident-leak", "detached-dom", "big-map"} {
		t.Run(name, func(t *testing.T) {
			base := testutil.Testdata("scenarios", "snapshots", name)
			r, err := devtools.ReadFile(testutil.SnapshotPath(t, base), devtools.Options{})
			if err != nil {
				t.Fatal(err)
			}
			oracle := testutil.ReadOracleSummary(t, base+".summary.json")
			var buf bytes.Buffer
			// Deep enough that no stack is cut.
			if err := Write(&buf, PProf, views.BuildProfile(r, name, 1<<20)); err != nil {
				t.Fatal(err)
			}
			p, err := profile.Parse(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.CheckValid(); err != nil {
				t.Fatal(err)
			}
			var total int64
			cum := map[string]int64{}
			for _, s := range p.Sample {
				total += s.Value[1]
				seen := map[string]bool{}
				for _, l := range s.Location {
					if fn := l.Line[0].Function.Name; !seen[fn] {
						seen[fn] = true
						cum[fn] += s.Value[1]
					}
				}
			}
			if uint64(total) != oracle.TotalSize {
				t.Errorf("samples add up to %d bytes, DevTools' total is %d", total, oracle.TotalSize)
			}
			names := map[string]int{}
			for _, c := range oracle.Classes {
				names[c.Name]++
			}
			checked := 0
			for _, c := range oracle.Classes {
				if names[c.Name] > 1 {
					continue // classes of one name are one frame
				}
				checked++
				if uint64(cum[c.Name]) != c.MaxRet {
					t.Errorf("class %s: cumulative %d, DevTools' retained size %d", c.Name, cum[c.Name], c.MaxRet)
				}
			}
			if checked < 20 {
				t.Errorf("only %d classes checked", checked)
			}
		})
	}
}
