package mcp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heapsnap/heapsnap/internal/testutil"
)

// Paths of the bundled fixtures, relative to testdata/, the tests' root.
const (
	incident = "scenarios/snapshots/incident-leak.heapsnapshot.gz"
	allocs   = "alloc/snapshots/node22.heapsnapshot.gz"
)

func growthSnapshot(n string) string { return "scenarios/snapshots/growth-" + n + ".heapsnapshot.gz" }

// fixtures connects a client to a server whose root is testdata/.
func fixtures(t *testing.T) (*Server, *mcp.ClientSession) {
	return connect(t, Options{Roots: []string{testutil.Testdata()}})
}

// maxAnswer is what "small by default" means: a few kB of JSON, which the
// SDK sends twice (structured, and as text for older clients).
const maxAnswer = 6000

// callOK calls a tool that must answer, within maxAnswer bytes.
func callOK(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any, out any) {
	t.Helper()
	size, msg := call(t, cs, tool, args, out)
	if msg != "" {
		t.Fatalf("%s: tool error: %s", tool, msg)
	}
	if size > maxAnswer {
		t.Errorf("%s: answer of %d bytes, want at most %d by default", tool, size, maxAnswer)
	}
}

// callErr calls a tool that must fail, and returns its message.
func callErr(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) string {
	t.Helper()
	_, msg := call(t, cs, tool, args, nil)
	if msg == "" {
		t.Fatalf("%s %v: answered, want a tool error", tool, args)
	}
	return msg
}

func TestListTools(t *testing.T) {
	_, cs := fixtures(t)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if tool.OutputSchema == nil || tool.InputSchema == nil {
			t.Errorf("%s: want input and output schemas", tool.Name)
		}
		if !strings.Contains(tool.Description, "never writes a file") {
			t.Errorf("%s: the description does not say it never writes", tool.Name)
		}
	}
	want := "list_snapshots open close summary suspects show_object retainers dominator_children class_instances allocations diff growth check"
	if got := strings.Join(names, " "); !sameSet(got, want) {
		t.Errorf("tools %s, want %s (capture only with Options.Capture)", got, want)
	}
	_, cs = connect(t, Options{Roots: []string{testutil.Testdata()}, Capture: true})
	res, err = cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tools) != len(names)+1 {
		t.Errorf("with Capture: %d tools, want %d", len(res.Tools), len(names)+1)
	}
}

func sameSet(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x) != len(y) {
		return false
	}
	seen := map[string]bool{}
	for _, s := range x {
		seen[s] = true
	}
	for _, s := range y {
		if !seen[s] {
			return false
		}
	}
	return true
}

// TestIncident finds the README's incident the way an agent would:
// summary → suspects → show_object → retainers, with the numbers
// testdata/scenarios/README.md §1 gives.
func TestIncident(t *testing.T) {
	_, cs := fixtures(t)
	var open OpenOut
	callOK(t, cs, "open", map[string]any{"path": incident}, &open)
	if open.Nodes != 47849 || open.Edges != 212860 || open.Allocations {
		t.Errorf("open: %d nodes, %d edges, allocation stacks %v; want 47849, 212860, false", open.Nodes, open.Edges, open.Allocations)
	}

	var sum SummaryOut
	callOK(t, cs, "summary", map[string]any{"path": incident}, &sum)
	if sum.Nodes != 47849 || sum.TotalSize != open.TotalSize || sum.SuspectCount != 1 {
		t.Errorf("summary: %d nodes, total %d, %d suspects; want 47849, %d, 1", sum.Nodes, sum.TotalSize, sum.SuspectCount, open.TotalSize)
	}
	if len(sum.Classes.Classes) != 10 || sum.Classes.Total != open.Classes || !strings.Contains(sum.More, "offset=10") {
		t.Errorf("summary: %d of %d classes, more %q; want 10 of %d and how to page", len(sum.Classes.Classes), sum.Classes.Total, sum.More, open.Classes)
	}
	var dp *int
	for k, c := range sum.Classes.Classes {
		if c.Name == "DataProcessor" {
			dp = &k
			if c.Count != 1 || c.RetainedSize != 379056 || c.Distance != 2 {
				t.Errorf("DataProcessor: %+v; want 1 object retaining 379,056 at distance 2", c)
			}
		}
	}
	if dp == nil {
		t.Errorf("DataProcessor is not among the top 10 classes: %+v", sum.Classes.Classes)
	}

	var sus SuspectsOut
	callOK(t, cs, "suspects", map[string]any{"path": incident}, &sus)
	if sus.Total != 1 || len(sus.Suspects) != 1 {
		t.Fatalf("suspects: %d (%d shown), want the one listener leak", sus.Total, len(sus.Suspects))
	}
	leak := sus.Suspects[0]
	if leak.Kind != "listeners" || leak.Count != 2000 || leak.Path != "global.processor.emitter" || leak.ID != 71451 ||
		leak.Created == nil || leak.Created.Line != 24 || leak.Created.Column != 31 || !strings.HasSuffix(leak.Created.File, "incident/src/data-processor.js") {
		t.Errorf("suspect: %+v; want 2,000 'data' listeners on global.processor.emitter @71451 made at incident/src/data-processor.js:24:31", leak)
	}
	if msg := callErr(t, cs, "suspects", map[string]any{"path": incident, "kind": "leaks"}); !strings.Contains(msg, `unknown suspect kind "leaks"`) {
		t.Errorf("suspects kind=leaks: %s", msg)
	}

	var show ShowOut
	callOK(t, cs, "show_object", map[string]any{"path": incident, "id": leak.ID, "references": 3}, &show)
	if show.Object.Class != "EventEmitter" || show.Object.RetainedSize != 370600 || show.Object.Distance != 3 ||
		show.Path != "global.processor.emitter" || show.Location != "node:events:219:22" {
		t.Errorf("show_object: %+v at %s, %s", show.Object, show.Path, show.Location)
	}
	if len(show.Dominators) != 3 || show.Dominators[0].ID != 71449 || len(show.References) != 3 || show.EdgeCount != 6 ||
		show.References[0].Edge != "._events" || !strings.Contains(show.More, "3 of 6 references") {
		t.Errorf("show_object: dominators %+v, %d of %d references (%v), more %q", show.Dominators, len(show.References), show.EdgeCount, show.References, show.More)
	}

	var ret RetainersOut
	callOK(t, cs, "retainers", map[string]any{"path": incident, "id": leak.ID}, &ret)
	if ret.Path != "global.processor.emitter" || len(ret.Chains) == 0 || ret.Chains[0].Text != "global → processor → emitter → EventEmitter @71451" {
		t.Errorf("retainers: path %q, chains %+v", ret.Path, ret.Chains)
	}
	if ret.RetainerCount != 2 || len(ret.Retainers) != 2 || ret.Retainers[0].Edge != ".emitter" || ret.Retainers[0].Object.ID != 71449 || ret.More != "" {
		t.Errorf("retainers: %d rows %+v, more %q; want .emitter from DataProcessor @71449 first", ret.RetainerCount, ret.Retainers, ret.More)
	}
	callOK(t, cs, "retainers", map[string]any{"path": incident, "id": leak.ID, "offset": 1, "limit": 1}, &ret)
	if ret.Offset != 1 || len(ret.Retainers) != 1 || ret.Retainers[0].Edge != ".target" {
		t.Errorf("retainers offset=1: %+v", ret.Retainers)
	}
	if msg := callErr(t, cs, "show_object", map[string]any{"path": incident, "id": 12}); msg != incident+": no object @12 in this snapshot" {
		t.Errorf("show_object @12: %s", msg)
	}
}

func TestDominatorChildrenAndInstances(t *testing.T) {
	_, cs := fixtures(t)
	var top ChildrenOut
	callOK(t, cs, "dominator_children", map[string]any{"path": incident, "limit": 3}, &top)
	if top.Object.ID != 1 || len(top.Children) != 3 || top.Children[0].ID != 6047 || top.Children[0].Class != "global" || top.Total <= 3 ||
		!strings.Contains(top.More, "offset=3") {
		t.Errorf("dominator_children of the root: %+v; more %q", top, top.More)
	}
	callOK(t, cs, "dominator_children", map[string]any{"path": incident, "id": 71449}, &top)
	if top.Object.ID != 71449 || len(top.Dominators) != 2 || len(top.Children) == 0 || top.Children[0].ID != 71451 ||
		top.Children[0].Edge != ".emitter" || top.Children[0].RetainedSize != 370600 {
		t.Errorf("dominator_children of @71449: %+v", top)
	}
	first := top.Children[0]
	callOK(t, cs, "dominator_children", map[string]any{"path": incident, "id": 71449, "offset": 1, "limit": 1}, &top)
	if top.Offset != 1 || len(top.Children) > 1 || (len(top.Children) == 1 && top.Children[0].ID == first.ID) {
		t.Errorf("offset=1: %+v", top.Children)
	}

	var inst InstancesOut
	callOK(t, cs, "class_instances", map[string]any{"path": incident, "class": "DataProcessor"}, &inst)
	if inst.Total != 1 || len(inst.Objects) != 1 || inst.Objects[0].ID != 71449 || inst.Objects[0].RetainedSize != 379056 {
		t.Errorf("class_instances DataProcessor: %+v", inst.InstancePage)
	}
	callOK(t, cs, "class_instances", map[string]any{"path": incident, "class": "Function", "limit": 5}, &inst)
	if inst.Total != 7216 || len(inst.Objects) != 5 || !strings.Contains(inst.More, "offset=5") {
		t.Errorf("class_instances Function: %d of %d, more %q", len(inst.Objects), inst.Total, inst.More)
	}
	for k := 1; k < len(inst.Objects); k++ {
		if inst.Objects[k].RetainedSize > inst.Objects[k-1].RetainedSize {
			t.Errorf("instances not biggest first: %+v", inst.Objects)
		}
	}
	// A limit beyond maxPage gets maxPage rows.
	call(t, cs, "class_instances", map[string]any{"path": incident, "class": "Function", "limit": 100000}, &inst)
	if len(inst.Objects) != maxPage || !strings.Contains(inst.More, "offset=200") {
		t.Errorf("class_instances limit 100000: %d rows, more %q; want %d", len(inst.Objects), inst.More, maxPage)
	}
	id := inst.Class.ID
	callOK(t, cs, "class_instances", map[string]any{"path": incident, "class_id": id, "offset": 5, "limit": 2}, &inst)
	if inst.Class.Name != "Function" || inst.Offset != 5 || len(inst.Objects) != 2 {
		t.Errorf("class_instances class_id %d offset 5: %+v", id, inst.InstancePage)
	}
	if msg := callErr(t, cs, "class_instances", map[string]any{"path": incident, "class": "Nope"}); msg != incident+`: no objects of class "Nope" in this snapshot` {
		t.Errorf("class Nope: %s", msg)
	}
}

// TestAllocations reads the Allocation view of a snapshot taken with
// --track-heap-objects, whose rows testdata/alloc/snapshots/node22.*.tsv.gz
// hold as DevTools computes them.
func TestAllocations(t *testing.T) {
	_, cs := fixtures(t)
	var a AllocationsOut
	callOK(t, cs, "allocations", map[string]any{"path": allocs, "limit": 2}, &a)
	if a.RowCount != 159 || len(a.Rows) != 2 || a.Rows[0].ID != 2 || a.Rows[0].Function != "(V8 API)" || a.Rows[0].Size != 1395000 ||
		a.Rows[1].Function != "writeHeapSnapshot" || a.Rows[1].LiveSize != 384536 || !strings.Contains(a.More, "offset=2") {
		t.Errorf("allocations: %d rows %+v, more %q", a.RowCount, a.Rows, a.More)
	}
	callOK(t, cs, "allocations", map[string]any{"path": allocs, "offset": 1, "limit": 1}, &a)
	if a.Offset != 1 || len(a.Rows) != 1 || a.Rows[0].ID != 157 {
		t.Errorf("allocations offset=1: %+v", a.Rows)
	}
	callOK(t, cs, "allocations", map[string]any{"path": allocs, "callers": "#157"}, &a)
	if len(a.Callers) != 4 || a.Callers[0].ID != 157 || a.Callers[0].Kind != "top" || a.Callers[1].Kind != "single" ||
		a.Callers[1].Location.String() != "/tmp/heapsnap-alloc/main.js:20:14" || a.Callers[3].Function != "(root)" {
		t.Errorf("callers of #157: %+v", a.Callers)
	}
	msg := callErr(t, cs, "allocations", map[string]any{"path": allocs, "callers": "noSuchFunction"})
	if msg != "callers: "+allocs+`: no function "noSuchFunction" in the Allocation view` {
		t.Errorf("callers noSuchFunction: %s", msg)
	}
	if msg := callErr(t, cs, "allocations", map[string]any{"path": incident}); !strings.HasPrefix(msg, incident+": no allocation stacks") {
		t.Errorf("allocations without stacks: %s", msg)
	}

	// An object parseOrder allocated: its stack, innermost frame first.
	var show ShowOut
	callOK(t, cs, "show_object", map[string]any{"path": allocs, "id": 68593}, &show)
	if len(show.AllocationStack) != 11 || show.AllocationStack[0].Function != "parseOrder" || show.AllocationStack[0].Location.Line != 22 {
		t.Errorf("show_object @68593: allocation stack %+v", show.AllocationStack)
	}
}

func TestDiffGrowthCheck(t *testing.T) {
	_, cs := fixtures(t)
	// Held under another spelling of its path: answers name it as each
	// call does.
	callOK(t, cs, "open", map[string]any{"path": testutil.Testdata(growthSnapshot("1"))}, nil)
	var d DiffOut
	callOK(t, cs, "diff", map[string]any{"old": growthSnapshot("1"), "new": growthSnapshot("4"), "top": 3}, &d)
	if d.Old.File != growthSnapshot("1") || d.New.File != growthSnapshot("4") {
		t.Errorf("diff names %s and %s", d.Old.File, d.New.File)
	}
	if d.Matching != "ids" || d.TotalSizeDelta != 172192 || len(d.Classes) != 3 || d.ClassCount != 36 ||
		d.Classes[2].Name != "LeakedRecord" || d.Classes[2].DeltaCount != 600 || len(d.Listeners) == 0 ||
		d.Listeners[0].Event != "data" || d.Listeners[0].OldCount != 300 || d.Listeners[0].NewCount != 1200 || !strings.Contains(d.More, "3 of 36") {
		t.Errorf("diff growth-1 growth-4: %+v; more %q", d.Diff, d.More)
	}
	// The comparison re-categorises the old snapshot; the held one must
	// keep its own classes.
	var before, after SummaryOut
	call(t, cs, "summary", map[string]any{"path": growthSnapshot("1"), "limit": 200}, &after)
	_, fresh := fixtures(t)
	call(t, fresh, "summary", map[string]any{"path": growthSnapshot("1"), "limit": 200}, &before)
	if len(before.Classes.Classes) != len(after.Classes.Classes) || before.Classes.Classes[0] != after.Classes.Classes[0] {
		t.Errorf("growth-1's classes changed after diff: %d then %d", len(before.Classes.Classes), len(after.Classes.Classes))
	}

	var g GrowthOut
	series := []string{growthSnapshot("1"), growthSnapshot("2"), growthSnapshot("3"), growthSnapshot("4")}
	callOK(t, cs, "growth", map[string]any{"paths": series, "top": 2}, &g)
	if g.Matching != "ids" || len(g.Snapshots) != 4 || g.Snapshots[3].TotalSize != 3186298 || len(g.Growing) != 2 ||
		g.Growing[0].Kind != "listeners" || g.Growing[0].Path != "global.app.bus" || g.CandidateCount != 2 ||
		g.LeakCandidates[0].Shape != "global.app.bus._events.data[*]" {
		t.Errorf("growth: %+v", g.Series)
	}
	if msg := callErr(t, cs, "growth", map[string]any{"paths": series[:2]}); !strings.Contains(msg, "three or more") {
		t.Errorf("growth of two: %s", msg)
	}

	var c CheckOut
	// testdata/check/budgets.yaml, inline.
	callOK(t, cs, "check", map[string]any{"path": growthSnapshot("4"), "baseline": growthSnapshot("1"),
		"max_total_size": "8MiB", "max_growth": "5%", "classes": []map[string]any{
			{"name": "LeakedRecord", "max_count": 500, "max_growth": "20kB"}, {"name": "Temp*", "max_count": 0},
			{"name": "EventEmitter", "max_retained_size": "1MiB"}}}, &c)
	if c.Passed || c.Checked != 6 || c.Failed != 3 || c.Verdict != "3 of 6 checks failed" || c.Results[0].Status != "fail" ||
		c.Results[0].Budget != "max_growth" || c.Results[3].Status != "pass" || c.Baseline != growthSnapshot("1") {
		t.Errorf("check with budgets.yaml: %+v (%s)", c.Check, c.Verdict)
	}
	callOK(t, cs, "check", map[string]any{"path": incident, "max_total_size": "4MB",
		"classes": []map[string]any{{"name": "DataProcessor", "max_count": 0}}, "fail_on_suspects": []string{"listeners"}}, &c)
	if c.Passed || c.Checked != 3 || c.Failed != 2 || c.Verdict != "2 of 3 checks failed" {
		t.Errorf("check inline: %+v (%s)", c.Results, c.Verdict)
	}
	callOK(t, cs, "check", map[string]any{"path": incident, "max_total_size": "4MB"}, &c)
	if !c.Passed || c.Verdict != "the check passed" {
		t.Errorf("check max_total_size 4MB: %+v", c.Results)
	}
	for args, want := range map[*map[string]any]string{
		{"path": incident}:                                             "no budgets to check",
		{"path": incident, "max_total_size": "lots"}:                   "max_total_size: ",
		{"path": incident, "classes": []map[string]any{{"name": "X"}}}: "classes, entry 1: class X sets no budget",
		{"path": incident, "config": "../go.mod"}:                      "outside the directories",
	} {
		if msg := callErr(t, cs, "check", *args); !strings.Contains(msg, want) {
			t.Errorf("check %v: %s, want %q", *args, msg, want)
		}
	}
}

// The config file's errors are the command line's (the server gets them
// from Options.ConfigBudgets); without one, a config is refused.
func TestCheckWithoutConfigReader(t *testing.T) {
	_, cs := fixtures(t)
	msg := callErr(t, cs, "check", map[string]any{"path": incident, "config": "check/budgets.yaml"})
	if !strings.Contains(msg, "reads no configuration files") {
		t.Errorf("config without a reader: %s", msg)
	}
}

func TestListOpenClose(t *testing.T) {
	_, cs := connect(t, Options{Roots: []string{testutil.Testdata()}, MaxSnapshots: 1})
	var l ListOut
	callOK(t, cs, "list_snapshots", nil, &l)
	if len(l.Roots) != 1 || l.Roots[0] != testutil.Testdata() || len(l.Snapshots) != 20 || l.Total <= 20 || !strings.Contains(l.More, "offset=20") {
		t.Errorf("list_snapshots: roots %v, %d of %d, more %q", l.Roots, len(l.Snapshots), l.Total, l.More)
	}
	all := l.Total
	callOK(t, cs, "list_snapshots", map[string]any{"offset": all - 1}, &l)
	if len(l.Snapshots) != 1 || l.More != "" {
		t.Errorf("the last page: %+v", l)
	}
	callOK(t, cs, "open", map[string]any{"path": incident}, nil)
	var o OpenOut
	callOK(t, cs, "open", map[string]any{"path": filepath.Join(testutil.Testdata(), growthSnapshot("1"))}, &o)
	// MaxSnapshots 1: the incident was evicted.
	if len(o.Held) != 1 || o.Held[0] != filepath.Join(testutil.Testdata(), growthSnapshot("1")) {
		t.Errorf("held after two opens with MaxSnapshots 1: %v", o.Held)
	}
	callOK(t, cs, "list_snapshots", map[string]any{"limit": 200}, &l)
	if len(l.Held) != 1 || l.Held[0].Nodes != 40447 {
		t.Errorf("held: %+v", l.Held)
	}
	heldFlags := 0
	for _, f := range l.Snapshots {
		if f.Held {
			heldFlags++
		}
	}
	if heldFlags != 1 {
		t.Errorf("%d files marked held, want 1", heldFlags)
	}
	var c CloseOut
	callOK(t, cs, "close", map[string]any{"path": growthSnapshot("1")}, &c)
	if !c.Closed || len(c.Held) != 0 {
		t.Errorf("close: %+v", c)
	}
	callOK(t, cs, "close", map[string]any{"path": growthSnapshot("1")}, &c)
	if c.Closed {
		t.Errorf("closing twice: %+v", c)
	}
}

// TestOutsideRoots: a path outside the roots is refused, whether written
// outright, with .., or through a symbolic link, and a refusal says
// nothing of whether the file exists.
func TestOutsideRoots(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(dir, "secret.heapsnapshot")
	copyFile(t, testutil.Testdata("corner", "corner01.heapsnapshot"), outside)
	copyFile(t, testutil.Testdata("corner", "corner01.heapsnapshot"), filepath.Join(root, "ok.heapsnapshot"))
	if err := os.Symlink(outside, filepath.Join(root, "link.heapsnapshot")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(root, "up")); err != nil {
		t.Fatal(err)
	}
	_, cs := connect(t, Options{Roots: []string{root}})
	for _, p := range []string{outside, "../secret.heapsnapshot", "link.heapsnapshot", "up/secret.heapsnapshot",
		"/etc/passwd", "/no/such/file", "sub/../../secret.heapsnapshot"} {
		for _, tool := range []string{"open", "summary", "suspects"} {
			msg := callErr(t, cs, tool, map[string]any{"path": p})
			if !strings.HasPrefix(msg, p+": outside the directories this server may read ("+root+")") {
				t.Errorf("%s %s: %s", tool, p, msg)
			}
		}
	}
	for _, args := range []map[string]any{{"old": "ok.heapsnapshot", "new": outside}, {"old": "link.heapsnapshot", "new": "ok.heapsnapshot"}} {
		if msg := callErr(t, cs, "diff", args); !strings.Contains(msg, "outside the directories") {
			t.Errorf("diff %v: %s", args, msg)
		}
	}
	if msg := callErr(t, cs, "growth", map[string]any{"paths": []string{"ok.heapsnapshot", "ok.heapsnapshot", outside}}); !strings.Contains(msg, "outside the directories") {
		t.Errorf("growth: %s", msg)
	}
	if msg := callErr(t, cs, "open", map[string]any{"path": "missing.heapsnapshot"}); msg != "missing.heapsnapshot: no such file or directory" {
		t.Errorf("a missing file inside: %s", msg)
	}
	var o OpenOut
	callOK(t, cs, "open", map[string]any{"path": "ok.heapsnapshot"}, &o)
	if o.Nodes == 0 {
		t.Errorf("ok.heapsnapshot: %+v", o)
	}
	var l ListOut
	callOK(t, cs, "list_snapshots", nil, &l)
	if l.Total != 1 || l.Snapshots[0].Path != filepath.Join(root, "ok.heapsnapshot") {
		t.Errorf("list_snapshots follows a link out of the root: %+v", l.Snapshots)
	}
}

// TestClientRoots: the client's MCP roots are allowed too, asked for as
// an input request (protocol 2026-07-28) or with roots/list (older
// clients).
func TestClientRoots(t *testing.T) {
	for _, version := range []string{"", "2025-06-18"} {
		t.Run("protocol "+version, func(t *testing.T) { testClientRoots(t, version) })
	}
}

func testClientRoots(t *testing.T, version string) {
	dir := t.TempDir()
	copyFile(t, testutil.Testdata("corner", "corner01.heapsnapshot"), filepath.Join(dir, "mine.heapsnapshot"))
	s, cs := connectWith(t, Options{Roots: []string{testutil.Testdata()}}, version, "file://"+filepath.ToSlash(dir))
	if got := cs.InitializeResult().ProtocolVersion; version != "" && got != version {
		t.Fatalf("protocol %s, want %s", got, version)
	}
	c := clients[s]
	path := filepath.Join(dir, "mine.heapsnapshot")
	callOK(t, cs, "open", map[string]any{"path": path}, nil)
	var l ListOut
	callOK(t, cs, "list_snapshots", map[string]any{"limit": 200}, &l)
	if len(l.Roots) != 2 || l.Roots[1] != dir {
		t.Errorf("roots: %v", l.Roots)
	}
	// Roots change: the new list is asked for.
	c.RemoveRoots("file://" + filepath.ToSlash(dir))
	deadline := 100
	for ; deadline > 0; deadline-- {
		if _, msg := call(t, cs, "summary", map[string]any{"path": path}, nil); strings.Contains(msg, "outside the directories") {
			break
		}
	}
	if deadline == 0 {
		t.Errorf("a removed root is still allowed")
	}
}

// TestBadSnapshot: a malformed snapshot is a tool error with the command
// line's message, and the server goes on serving the others.
func TestBadSnapshot(t *testing.T) {
	dir := t.TempDir()
	good := testutil.ReadFile(t, testutil.Testdata("corner", "corner01.heapsnapshot"))
	for name, data := range map[string][]byte{
		"garbage.heapsnapshot":   []byte("this is not a heap snapshot\n"),
		"truncated.heapsnapshot": good[:len(good)/2],
		"empty.heapsnapshot":     nil,
		"good.heapsnapshot":      good,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "dir.heapsnapshot"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, cs := connect(t, Options{Roots: []string{dir}})
	for _, name := range []string{"garbage.heapsnapshot", "truncated.heapsnapshot", "empty.heapsnapshot"} {
		msg := callErr(t, cs, "summary", map[string]any{"path": name})
		if !strings.HasPrefix(msg, name+": ") || strings.Contains(msg, "\n") {
			t.Errorf("%s: %q, want one line naming the file", name, msg)
		}
		if name == "truncated.heapsnapshot" && !strings.Contains(msg, "byte ") {
			t.Errorf("%s: %q, want the byte offset", name, msg)
		}
	}
	if msg := callErr(t, cs, "open", map[string]any{"path": "dir.heapsnapshot"}); msg != "dir.heapsnapshot: is a directory" {
		t.Errorf("a directory: %s", msg)
	}
	var sum SummaryOut
	callOK(t, cs, "summary", map[string]any{"path": "good.heapsnapshot"}, &sum)
	if sum.Nodes == 0 {
		t.Errorf("the good snapshot after bad ones: %+v", sum)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, testutil.ReadFile(t, from), 0o644); err != nil {
		t.Fatal(err)
	}
}
