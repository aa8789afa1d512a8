package devtools_test

import (
	"reflect"
	"testing"

	"github.com/heapsnap/heapsnap/internal/testutil"
	"github.com/heapsnap/heapsnap/pkg/heapsnapshot/devtools"
)

// An analysis put back from its parts answers exactly as the original:
// every node's numbers and names, the Summary, the retainers and the
// dominator tree from their columns, and a Reclassify (which appends to
// the string table the parts hold).
func TestPartsRoundTrip(t *testing.T) {
	for _, base := range testutil.OracleFixtures(t) {
		path := testutil.SnapshotPath(t, base)
		orig, err := devtools.ReadFile(path, devtools.Options{})
		if err != nil {
			t.Fatal(err)
		}
		back, err := devtools.FromParts(orig.Parts())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !reflect.DeepEqual(orig.Parts(), back.Parts()) {
			t.Fatalf("%s: parts differ after the round trip", path)
		}
		ox, bx := devtools.NewRetainerIndex(orig), devtools.NewRetainerIndex(back)
		first, slots := bx.Columns()
		bx, err = devtools.RetainerIndexFromColumns(back, first, slots)
		if err != nil {
			t.Fatal(err)
		}
		ot := devtools.NewDominatorTree(orig)
		tf, tc, ts := devtools.NewDominatorTree(back).Columns()
		bt, err := devtools.DominatorTreeFromColumns(back, tf, tc, ts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range uint32(orig.Snapshot.NodeCount) {
			on, bn := orig.Node(i), back.Node(i)
			if on.Class.NameIndex != bn.Class.NameIndex || on.Class.Count != bn.Class.Count {
				t.Fatalf("%s: node %d: class %v, want %v", path, i, bn.Class, on.Class)
			}
			on.Class, bn.Class = nil, nil
			if on != bn || orig.DisplayName(i) != back.DisplayName(i) {
				t.Fatalf("%s: node %d: %+v, want %+v", path, i, bn, on)
			}
			if !reflect.DeepEqual(ox.Retainers(i), bx.Retainers(i)) || !reflect.DeepEqual(ot.Children(i), bt.Children(i)) {
				t.Fatalf("%s: node %d: retainers or children differ", path, i)
			}
		}
		for k, c := range orig.SummaryRows() {
			if b := back.SummaryRows()[k]; *b != *c {
				t.Fatalf("%s: summary row %d: %+v, want %+v", path, k, b, c)
			}
		}
		orig.Reclassify(orig.Interfaces[:len(orig.Interfaces)/2])
		back.Reclassify(back.Interfaces[:len(back.Interfaces)/2])
		if !reflect.DeepEqual(orig.Parts(), back.Parts()) {
			t.Fatalf("%s: Reclassify differs after the round trip", path)
		}
	}
}

func TestFromPartsChecksLengths(t *testing.T) {
	orig, err := devtools.ReadFile(testutil.SnapshotPath(t, testutil.OracleFixtures(t)[0]), devtools.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := orig.Parts()
	p.EdgeTo = p.EdgeTo[:len(p.EdgeTo)-1]
	if _, err := devtools.FromParts(p); err == nil {
		t.Fatal("FromParts accepted a short edge column")
	}
	p = orig.Parts()
	p.Strings.End = append([]uint32(nil), p.Strings.End...)
	p.Strings.End[0] = uint32(len(p.Strings.Data) + 1)
	if _, err := devtools.FromParts(p); err == nil {
		t.Fatal("FromParts accepted a string past the arena")
	}
}
