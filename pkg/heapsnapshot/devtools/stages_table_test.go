package devtools

import "testing"

// TestStageTable checks the pipeline's table: lanes of one stage do not
// write what another lane of it touches, every column a stage reads exists
// by then (an input, or written by an earlier stage), the stage that sets
// the peak leaves something to park, and every intermediate result is read
// by some stage after the one that makes it.
func TestStageTable(t *testing.T) {
	made := inputs
	for _, st := range stages {
		for a := range st.lanes {
			for b := range st.lanes {
				if a != b && st.lanes[a].writes&(st.lanes[b].reads|st.lanes[b].writes) != 0 {
					t.Errorf("stage %q: lane %d writes %b, which lane %d touches", st.name, a, st.lanes[a].writes, b)
				}
			}
			if missing := st.lanes[a].reads &^ made; missing != 0 {
				t.Errorf("stage %q: lane %d reads %b before any stage makes it", st.name, a, missing)
			}
		}
		for _, l := range st.lanes {
			made |= l.writes
		}
		if st.peak != nil {
			parkable := columns(0)
			for _, c := range parkOrder {
				parkable |= c.col
			}
			if parkable&^st.touches() == 0 {
				t.Errorf("stage %q sets the peak but leaves nothing to park", st.name)
			}
		}
	}
	for k, st := range stages {
		var made, readLater columns
		for _, l := range st.lanes {
			made |= l.writes
		}
		for _, later := range stages[k+1:] {
			readLater |= later.reads()
		}
		if unused := made & intermediate &^ readLater; unused != 0 {
			t.Errorf("stage %q makes %b, which no later stage reads", st.name, unused)
		}
	}
}
